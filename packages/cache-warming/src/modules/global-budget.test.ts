// The global budget's arithmetic: a token bucket refilled in proportion to time.
import { describe, expect, it } from "vitest";
import { economicsFor } from "../model-cache.js";
import { type CacheWarmingState, DEFAULT_CACHE_TTL_MS } from "../state.js";
import { initialState, recordWarm as recordWarmAlone } from "../transitions.js";
import { DEFAULT_PRICES } from "./economics.js";
import { takeFromBudget } from "./global-budget.js";
import { STANDARD_RULES } from "./standard.js";

// The standalone server's rules: the spend guard counts, the ledger charges, break-even judges.
const _recordWarm: typeof recordWarmAlone = (state, attempt, trigger, now) =>
  recordWarmAlone(state, attempt, trigger, now, STANDARD_RULES);

const TTL = DEFAULT_CACHE_TTL_MS;
const sim = economicsFor(DEFAULT_PRICES, "sim", TTL);
const _unknownModel = economicsFor(DEFAULT_PRICES, "mystery-model", TTL);

function _state(over: Partial<CacheWarmingState> = {}): CacheWarmingState {
  return { ...initialState(undefined, undefined, sim), ...over };
}

describe("the warm budget", () => {
  it("refills in proportion to time and per-minute rate, and says how long until the next", () => {
    // 30 a minute: one every 2 s.
    const empty = { tokens: 0, at: 0 };
    expect(takeFromBudget(empty, 1_000, 30)).toEqual({
      ok: false,
      budget: { tokens: 0.5, at: 1_000 },
      retryAfterMs: 1_000,
    });
    expect(takeFromBudget(empty, 2_000, 30)).toEqual({
      ok: true,
      budget: { tokens: 0, at: 2_000 },
    });
    expect(takeFromBudget({ tokens: 0.25, at: 0 }, 0, 60)).toMatchObject({ retryAfterMs: 750 });
  });
});
