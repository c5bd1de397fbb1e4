// The break-even policy's horizon and its price of a warm.
import { describe, expect, it } from "vitest";
import type { CacheWarmingState } from "../state.js";
import { simState as state } from "../testing/states.js";
import { breakEvenRules, worthGoingOn } from "./break-even.js";

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

describe("break-even as a rule", () => {
  // Returns only after hours: no warm is worth it once the turn has settled.
  const gapsMs = Array.from({ length: 50 }, () => 4 * 60 * 60_000);
  const hopeless = (over: Partial<CacheWarmingState> = {}) =>
    state({ policy: "break-even", lastPrefixTokens: 100_000, gapsMs, idleWarmCap: 0, ...over });
  const ok = {
    kind: "ok" as const,
    usage: { inputTokens: 100_000, outputTokens: 1, cacheReadTokens: 100_000, cacheWriteTokens: 0 },
  };

  it("pauses after an automatic warm that is not worth going on from", () => {
    expect(worthGoingOn(hopeless(), 0)).toBe(false);
    expect(breakEvenRules.warmRecorded?.(hopeless(), ok, "auto", 0).pausedBy).toBe("not-worth-it");
  });

  it("judges only good automatic warms, and never replaces another pause", () => {
    const failed = { kind: "failure" as const, reason: "failed" as const, error: "x" };
    expect(breakEvenRules.warmRecorded?.(hopeless(), ok, "manual", 0).pausedBy).toBeNull();
    expect(breakEvenRules.warmRecorded?.(hopeless(), failed, "auto", 0).pausedBy).toBeNull();
    const capped = hopeless({ pausedBy: "idle-cap" });
    expect(breakEvenRules.warmRecorded?.(capped, ok, "auto", 0).pausedBy).toBe("idle-cap");
    expect(breakEvenRules.turnSettled?.(hopeless()).pausedBy).toBe("not-worth-it");
    expect(breakEvenRules.turnSettled?.(hopeless({ policy: "fixed" })).pausedBy).toBeNull();
  });
});
