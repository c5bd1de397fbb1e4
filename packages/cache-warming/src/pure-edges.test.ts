// Edges of the pure core, case by case: stored records, the manual-warm gap, the prefix size,
// payload bounds and the words the surface shows for each status.
import { describe, expect, it } from "vitest";
import { parseLedgerRecord } from "./modules/ledger.js";
import { isDefaultRecord, serializeSpendLimits } from "./modules/spend-guard.js";
import { intervalMsFromPayload, parseTogglePayload } from "./payloads.js";
import { parseIntervalPayload, parseSettings, serializeSettings } from "./pure.js";
import { parseScheduleRecord } from "./restart.js";
import { buildCacheWarmingSpec, describeSchedule } from "./spec.js";
import { recordWarmAsServer as recordWarm, simState as state } from "./testing/states.js";
import { refuseManualWarm } from "./transitions.js";

describe("stored records", () => {
  it.each([
    ["not JSON", "{"],
    ["a number", "42"],
    ["null", "null"],
    ["a string", '"on"'],
  ])("reads settings stored as %s as the defaults", (_name, raw) => {
    expect(parseSettings(raw)).toEqual({ enabled: false, intervalMs: 240_000 });
  });

  it("tells records that say no more than their absence from those that do", () => {
    const defaults = serializeSettings({ enabled: false, intervalMs: 240_000 });
    const limits = serializeSpendLimits({ idleWarmCap: 15, deadWarmLimit: 2, policy: "adaptive" });
    expect(isDefaultRecord("settings:c1", defaults)).toBe(true);
    expect(
      isDefaultRecord("settings:c1", serializeSettings({ enabled: true, intervalMs: 240_000 })),
    ).toBe(false);
    expect(isDefaultRecord("spend-limits:c1", limits)).toBe(true);
    expect(isDefaultRecord("spend-limits:c1", defaults)).toBe(false);
    expect(
      isDefaultRecord(
        "spend-limits:c1",
        serializeSpendLimits({ idleWarmCap: 3, deadWarmLimit: 2, policy: "adaptive" }),
      ),
    ).toBe(false);
    // A user who chose `fixed` keeps it: that record is not the default any more.
    expect(
      isDefaultRecord(
        "spend-limits:c1",
        serializeSpendLimits({ idleWarmCap: 15, deadWarmLimit: 2, policy: "fixed" }),
      ),
    ).toBe(false);
    expect(isDefaultRecord("schedule:c1", defaults)).toBe(false);
    expect(isDefaultRecord("ledger:c1", limits)).toBe(false);
  });

  it("drops a stored percentage outside 0–100 and a negative gap", () => {
    const schedule = (pct: number) =>
      parseScheduleRecord(
        JSON.stringify({
          context: {},
          lastTouchedAt: 1,
          lastWarmAt: 1,
          nextWarmAt: 2,
          lastPct: pct,
          lastExpectedPct: pct,
        }),
      );
    expect(schedule(100)?.lastPct).toBe(100);
    expect(schedule(101)?.lastPct).toBeNull();
    const ledger = (gap: number) =>
      parseLedgerRecord(
        JSON.stringify({
          ledger: { spentUsd: 0, savedUsd: 0, warms: 0, turnsSaved: 0, unpricedWarms: 0 },
          gapsMs: [gap],
        }),
      );
    expect(ledger(5)?.gapsMs).toEqual([5]);
    expect(ledger(-5)).toBeNull();
  });
});

describe("manual warms and the prefix", () => {
  it("says the manual-warm gap in the refusal", () => {
    expect(
      refuseManualWarm(state(), {
        now: 500,
        inFlight: false,
        lastManualWarmAt: 0,
        minGapMs: 1_000,
      }),
    ).toEqual({
      reason: "rate-limited",
      error: "manual warms are limited to one per 1000 ms per conversation",
      retryAfterMs: 500,
    });
  });

  it("learns the prefix size from what a warm read and wrote", () => {
    const usage = {
      inputTokens: 1_000,
      outputTokens: 1,
      cacheReadTokens: 600,
      cacheWriteTokens: 300,
    };
    expect(recordWarm(state(), { kind: "ok", usage }, "auto", 1).lastPrefixTokens).toBe(900);
  });
});

describe("payloads", () => {
  it("takes an interval from 1 s to 86 400 s, bounds included", () => {
    expect(intervalMsFromPayload(1)).toBe(1_000);
    expect(intervalMsFromPayload(86_400)).toBe(86_400_000);
    expect(() => intervalMsFromPayload(0.5)).toThrow("interval must be at least 1 s");
    expect(() => intervalMsFromPayload(86_401)).toThrow("interval must be at most 86400 s");
    expect(parseIntervalPayload(0)).toBeNull();
    expect(parseIntervalPayload({ value: 1 })).toBe(1);
  });

  it("accepts a toggle as nothing, a boolean or { value: boolean }, and nothing else", () => {
    expect(parseTogglePayload(undefined)).toBeNull();
    expect(parseTogglePayload(true)).toBe(true);
    expect(parseTogglePayload({ value: false })).toBe(false);
    expect(() => parseTogglePayload({ value: "yes" })).toThrow("toggle expects");
    expect(() => parseTogglePayload("true")).toThrow("toggle expects");
  });
});

describe("what the surface says", () => {
  it.each([
    ["off", state(), "Off"],
    ["generating", state({ enabled: true, active: true }), "Waiting for the turn to finish"],
    ["warming", state({ enabled: true, warmStartedAt: 1 }), "Warming"],
    [
      "budget",
      state({ enabled: true, budgetRetryAt: 5, nextWarmAt: 5 }),
      "Paused: the server's warm budget is spent; retrying",
    ],
    ["scheduled", state({ enabled: true, nextWarmAt: 5 }), "Scheduled"],
    [
      "not resumed",
      state({ enabled: true, notResumedBecause: "cache-expired" }),
      "Not resumed: the cache expired while the server was down",
    ],
    ["awaiting a turn", state({ enabled: true }), "Not scheduled: waiting for a turn"],
  ])("%s", (_name, s, text) => {
    expect(describeSchedule(s)).toBe(text);
  });

  it("names the provider's default model when none is known", () => {
    const model = buildCacheWarmingSpec(state(), 0).fields.find(
      (field) => field.kind === "stat" && field.label === "Model",
    );
    expect(model).toMatchObject({ value: "default" });
  });
});
