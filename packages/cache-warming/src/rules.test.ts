import { describe, expect, it } from "vitest";
import { combineRules, NO_RULES, type WarmRules } from "./rules.js";
import { buildCacheWarmingSpec, describeSchedule, timerPayloadOf } from "./spec.js";
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

  it("show their fields, payload keys and pause words in order, the first rule's words winning", () => {
    const shows = (name: string, words?: string): WarmRules => ({
      statFields: () => [{ kind: "stat", label: name, value: name }],
      timerKeys: () => ({ [name]: true, shared: name }),
      ...(words === undefined ? {} : { describePause: () => words }),
    });
    const rules = combineRules(shows("a"), {}, shows("b", "words of b"), shows("c", "words of c"));
    const paused: CacheWarmingState = { ...initialState(), enabled: true, pausedBy: "idle-cap" };
    const fields = buildCacheWarmingSpec(paused, 0, { rules }).fields;
    const labels = fields.map((f) => (f.kind === "custom" ? f.rendererId : f.label));
    expect(labels.slice(-4)).toEqual(["a", "b", "c", "Last refusal"]);
    expect(timerPayloadOf(paused, 0, { rules })).toMatchObject({ a: true, b: true, shared: "c" });
    expect(describeSchedule(paused, { rules })).toBe("words of b");
    // Without a rule that knows it, a pause still says what it is.
    expect(describeSchedule(paused)).toBe("Paused (idle-cap)");
    expect(describeSchedule(paused, { rules: combineRules(shows("a")) })).toBe("Paused (idle-cap)");
  });
});
