// The break-even policy's horizon and its price of a warm.
import { describe, expect, it } from "vitest";
import { economicsFor } from "../model-cache.js";
import { type CacheWarmingState, DEFAULT_CACHE_TTL_MS } from "../state.js";
import { initialState, recordWarm as recordWarmAlone } from "../transitions.js";
import { worthGoingOn } from "./break-even.js";
import { DEFAULT_PRICES } from "./economics.js";
import { STANDARD_RULES } from "./standard.js";

// The standalone server's rules: the spend guard counts, the ledger charges, break-even judges.
const _recordWarm: typeof recordWarmAlone = (state, attempt, trigger, now) =>
  recordWarmAlone(state, attempt, trigger, now, STANDARD_RULES);

const TTL = DEFAULT_CACHE_TTL_MS;
const sim = economicsFor(DEFAULT_PRICES, "sim", TTL);
const _unknownModel = economicsFor(DEFAULT_PRICES, "mystery-model", TTL);

function state(over: Partial<CacheWarmingState> = {}): CacheWarmingState {
  return { ...initialState(undefined, undefined, sim), ...over };
}

describe("break-even's horizon", () => {
  // A conversation whose gaps all end 20–40 minutes in: only a long run of warms pays.
  const gapsMs = Array.from({ length: 50 }, (_, i) => 20 * 60_000 + i * 24_000);
  const breakEven = (over: Partial<CacheWarmingState>) =>
    worthGoingOn(state({ policy: "break-even", lastPrefixTokens: 100_000, gapsMs, ...over }), 0);

  it("looks as far as the idle cap leaves, or 24 warms without one", () => {
    expect(breakEven({ idleWarmCap: 0 })).toBe(true);
    expect(breakEven({ idleWarmCap: 15, autoWarmsSinceTurn: 0 })).toBe(true);
    // Two warms left under the cap cannot reach a return 20 minutes away.
    expect(breakEven({ idleWarmCap: 15, autoWarmsSinceTurn: 13 })).toBe(false);
    expect(breakEven({ idleWarmCap: 15, autoWarmsSinceTurn: 15 })).toBe(true);
  });

  it("prices a warm as reading the prefix, so a tiny prefix is not worth warming far", () => {
    expect(breakEven({ lastPrefixTokens: 100_000, idleWarmCap: 0 })).toBe(true);
    expect(breakEven({ lastPrefixTokens: 1, idleWarmCap: 0 })).toBe(false);
  });
});
