// Pure states for the suites: a conversation on the simulator's model, and a warm recorded
// under the standalone server's rules (the spend guard counts, the ledger charges, the
// policies judge).
import { economicsFor } from "../model-cache.js";
import { DEFAULT_PRICES, SIM_PRICING } from "../modules/economics.js";
import { STANDARD_RULES } from "../modules/standard.js";
import { type CacheWarmingState, DEFAULT_CACHE_TTL_MS } from "../state.js";
import { initialState, recordWarm } from "../transitions.js";
import type { WarmResult } from "../warm-service.js";

export const SIM_ECONOMICS = economicsFor(DEFAULT_PRICES, "sim", DEFAULT_CACHE_TTL_MS);

/** A fresh conversation on the simulator's model, with `over` applied. */
export function simState(over: Partial<CacheWarmingState> = {}): CacheWarmingState {
  return { ...initialState(undefined, undefined, SIM_ECONOMICS), ...over };
}

export const recordWarmAsServer: typeof recordWarm = (state, attempt, trigger, now) =>
  recordWarm(state, attempt, trigger, now, STANDARD_RULES);

/** The simulator's prompt cache of a `prefixTokens` prefix: read while alive, written otherwise. */
export function ttlCache(now: () => number, prefixTokens: number): () => WarmResult {
  let expiresAt = Number.NEGATIVE_INFINITY;
  return () => {
    const alive = now() < expiresAt;
    expiresAt = now() + SIM_PRICING.cacheTtlMs;
    return {
      inputTokens: prefixTokens,
      outputTokens: 1,
      cacheReadTokens: alive ? prefixTokens : 0,
      cacheWriteTokens: alive ? 0 : prefixTokens,
    };
  };
}
