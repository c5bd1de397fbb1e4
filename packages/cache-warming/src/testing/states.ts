// Pure states for the suites: a conversation on the simulator's model, and a warm recorded
// under the standalone server's rules (the spend guard counts, the ledger charges, the
// policies judge).
import { economicsFor } from "../model-cache.js";
import { DEFAULT_PRICES } from "../modules/economics.js";
import { STANDARD_RULES } from "../modules/standard.js";
import { type CacheWarmingState, DEFAULT_CACHE_TTL_MS } from "../state.js";
import { initialState, recordWarm } from "../transitions.js";

export const SIM_ECONOMICS = economicsFor(DEFAULT_PRICES, "sim", DEFAULT_CACHE_TTL_MS);

/** A fresh conversation on the simulator's model, with `over` applied. */
export function simState(over: Partial<CacheWarmingState> = {}): CacheWarmingState {
  return { ...initialState(undefined, undefined, SIM_ECONOMICS), ...over };
}

export const recordWarmAsServer: typeof recordWarm = (state, attempt, trigger, now) =>
  recordWarm(state, attempt, trigger, now, STANDARD_RULES);
