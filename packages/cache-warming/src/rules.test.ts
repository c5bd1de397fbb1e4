import { describe, expect, it } from "vitest";
import { combineRules, NO_RULES, type WarmRules } from "./rules.js";
import type { CacheWarmingState } from "./state.js";
import { initialState, recordWarm } from "./transitions.js";

const usage = { inputTokens: 100, outputTokens: 1, cacheReadTokens: 90, cacheWriteTokens: 10 };

/** A rule that notes its name in `lastError`, to see which ran and in what order. */
function noting(name: string): WarmRules {
  const note = (state: CacheWarmingState) => ({
    ...state,
    lastError: `${state.lastError ?? ""}${name}`,
  });
  return {
    records: [{ name, key: (id) => `${name}:${id}`, restore: (s) => s, recordOf: () => name }],
    warmRecorded: note,
    turnStarted: note,
    turnSettled: note,
    settingsChanged: note,
  };
}

describe("warming rules", () => {
  it("run in the order given, each on what the one before computed", () => {
    const both = combineRules(noting("a"), {}, noting("b"));
    const s = initialState();
    expect(both.warmRecorded?.(s, { kind: "ok", usage }, "auto", 1).lastError).toBe("ab");
    expect(both.turnStarted?.(s, 1).lastError).toBe("ab");
    expect(both.turnSettled?.(s).lastError).toBe("ab");
    const change = { enabling: true, limitsChanged: false };
    expect(both.settingsChanged?.(s, change).lastError).toBe("ab");
    expect(both.records?.map((r) => r.key("c"))).toEqual(["a:c", "b:c"]);
  });

  it("add nothing to the core's record of a warm when there are none", () => {
    const s = initialState();
    const alone = recordWarm(s, { kind: "ok", usage }, "auto", 5);
    expect(recordWarm(s, { kind: "ok", usage }, "auto", 5, NO_RULES)).toEqual(alone);
    expect(alone).toMatchObject({
      lastPct: 90,
      lastExpectedPct: 90,
      lastWarmAt: 5,
      autoWarmsSinceTurn: 0,
      pausedBy: null,
      ledger: s.ledger,
    });
    expect(alone.history).toEqual([
      { at: 5, trigger: "auto", model: null, cachePct: 90, costUsd: null, error: null },
    ]);
    expect(combineRules().warmRecorded?.(alone, { kind: "ok", usage }, "auto", 5)).toBe(alone);
  });
});
