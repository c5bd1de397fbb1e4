import { surfaceSpecSchema } from "@dispatch/ui-contract-schemas";
import { describe, expect, it } from "vitest";
import { GUARDED_DEFAULTS, parseSpendLimits, serializeSpendLimits } from "./modules/spend-guard.js";
import { STANDARD_RULES } from "./modules/standard.js";
import {
  buildDefaultSpec,
  computeCachePct,
  computeExpectedCacheRate,
  parseSettings,
  serializeSettings,
} from "./pure.js";
import {
  decideResume,
  LOST_IN_RESTART,
  parseScheduleRecord,
  restoreSchedule as restoreScheduleAlone,
  scheduleRecordOf,
} from "./restart.js";
import { buildCacheWarmingSpec, scheduleStatus } from "./spec.js";
import { recordWarmAsServer as recordWarm } from "./testing/states.js";
import { initialState } from "./transitions.js";

// The standalone server's rules: restored warms count toward the spend guard too.
const restoreSchedule: typeof restoreScheduleAlone = (state, record) =>
  restoreScheduleAlone(state, record, STANDARD_RULES);

const usage = (inputTokens: number, cacheReadTokens: number, cacheWriteTokens = 0) => ({
  inputTokens,
  outputTokens: 1,
  cacheReadTokens,
  cacheWriteTokens,
});

describe("cache numbers", () => {
  it.each([
    [usage(1000, 870), 87],
    [usage(1000, 0), 0],
    [usage(3, 2), 67],
    [usage(100, 250), 100],
    [usage(0, 10), 0],
    [usage(-1, 10), 0],
  ])("cachePct(%o) = %i", (u, pct) =>
    expect(computeCachePct(u.inputTokens, u.cacheReadTokens)).toBe(pct),
  );

  it.each([
    [usage(0, 870, 130), 87],
    [usage(0, 0, 500), 0],
    [usage(0, 500, 0), 100],
    [usage(0, 0, 0), 0],
  ])("expectedCacheRate(%o) = %i", (u, pct) =>
    expect(computeExpectedCacheRate(u.cacheReadTokens, u.cacheWriteTokens)).toBe(pct),
  );
});

describe("settings", () => {
  it("defaults to opt-in off at 240 s, the adaptive policy and 15 warms / 2 dead warms", () => {
    expect(parseSettings(null)).toEqual({ enabled: false, intervalMs: 240_000 });
    expect(parseSpendLimits(null)).toEqual({
      idleWarmCap: 15,
      deadWarmLimit: 2,
      policy: "adaptive",
    });
    // A record from before policies existed has no policy: it gets the default, as no record does.
    expect(parseSpendLimits('{"idleWarmCap":3,"deadWarmLimit":2}')).toMatchObject({
      idleWarmCap: 3,
      policy: "adaptive",
    });
  });

  it("round-trips upstream's two keys and nothing else, the spend limits under their own key", () => {
    const settings = { enabled: true, intervalMs: 60_000 };
    expect(parseSettings(serializeSettings({ ...settings, idleWarmCap: 3 } as never))).toEqual(
      settings,
    );
    expect(serializeSettings({ ...settings, idleWarmCap: 3 } as never)).toBe(
      '{"enabled":true,"intervalMs":60000}',
    );
    const limits = { idleWarmCap: 3, deadWarmLimit: 0, policy: "break-even" } as const;
    expect(parseSpendLimits(serializeSpendLimits(limits))).toEqual(limits);
  });

  it("falls back field by field on what it cannot read", () => {
    expect(parseSettings('{"enabled":"yes","intervalMs":5}')).toEqual({
      enabled: false,
      intervalMs: 1000,
    });
    expect(parseSettings('{"enabled":true,"intervalMs":1e12}')).toEqual({
      enabled: true,
      intervalMs: 86_400_000,
    });
    expect(parseSettings("not json")).toEqual({ enabled: false, intervalMs: 240_000 });
    expect(parseSpendLimits('{"idleWarmCap":-1,"deadWarmLimit":4,"policy":"x"}')).toEqual({
      idleWarmCap: 15,
      deadWarmLimit: 4,
      policy: "adaptive",
    });
    expect(parseSpendLimits("[")).toEqual(GUARDED_DEFAULTS);
  });
});

describe("the cache-warming spec", () => {
  it("keeps the four fields the frontend reads by kind, then the timer", () => {
    const spec = buildCacheWarmingSpec(initialState(), 1_000);
    expect(surfaceSpecSchema.parse(spec)).toEqual(spec);
    expect(spec).toMatchObject({ id: "cache-warming", region: "side", title: "Cache Warming" });
    expect(spec.fields.slice(0, 5)).toEqual([
      {
        kind: "toggle",
        label: "Enabled",
        value: false,
        action: { actionId: "cache-warming/toggle" },
      },
      {
        kind: "number",
        label: "Refresh Interval",
        value: 240,
        min: 1,
        step: 1,
        unit: "s",
        action: { actionId: "cache-warming/set-interval" },
      },
      { kind: "stat", label: "Last Cache %", value: "—" },
      { kind: "stat", label: "Cache retention", value: "—" },
      {
        kind: "custom",
        rendererId: "cache-warming-timer",
        payload: {
          nextWarmAt: null,
          lastWarmAt: null,
          serverNow: 1_000,
          state: "off",
          reason: null,
          intervalMs: 240_000,
          lastFailure: null,
          model: null,
          policy: "fixed",
          maxIntervalMs: null,
          cacheTtlMs: null,
          lastRefusal: null,
          history: [],
          switchedFrom: null,
        },
      },
    ]);
  });

  it("never adds a toggle or number a kind-reading client would take for the real ones", () => {
    const spec = buildCacheWarmingSpec(initialState(), 0);
    const kinds = spec.fields.map((f) => f.kind);
    expect(kinds.filter((k) => k === "toggle")).toHaveLength(1);
    expect(kinds.filter((k) => k === "number")).toHaveLength(1);
    const stats = spec.fields.filter((f) => f.kind === "stat").map((f) => f.label);
    expect(stats[0]).toBe("Last Cache %");
    expect(stats.filter((label) => label.toLowerCase().includes("retention"))).toEqual([
      "Cache retention",
    ]);
  });

  it("shows percentages and timestamps once there are any", () => {
    const spec = buildCacheWarmingSpec(
      {
        ...initialState(),
        enabled: true,
        lastPct: 87,
        lastExpectedPct: 100,
        lastWarmAt: 5,
        nextWarmAt: 9,
      },
      7,
    );
    expect(spec.fields[2]).toMatchObject({ value: "87%" });
    expect(spec.fields[3]).toMatchObject({ value: "100%" });
    expect(spec.fields[4]).toMatchObject({
      payload: { nextWarmAt: 9, lastWarmAt: 5, serverNow: 7 },
    });
  });

  it("is a single status stat without a conversation", () => {
    expect(buildDefaultSpec().fields).toEqual([
      { kind: "stat", label: "Status", value: "No conversation focused" },
    ]);
  });
});

describe("the schedule's machine-readable status", () => {
  const base = { ...initialState(), enabled: true };
  it.each([
    ["off", { ...base, enabled: false, nextWarmAt: 5 }, { state: "off", reason: null }],
    ["generating", { ...base, active: true }, { state: "generating", reason: null }],
    ["warming", { ...base, warmStartedAt: 1 }, { state: "warming", reason: null }],
    [
      "paused by the cap",
      { ...base, pausedBy: "idle-cap" },
      { state: "paused", reason: "idle-cap" },
    ],
    [
      "paused, dead cache",
      { ...base, pausedBy: "dead-cache" },
      { state: "paused", reason: "dead-cache" },
    ],
    ["scheduled", { ...base, nextWarmAt: 9 }, { state: "scheduled", reason: null }],
    [
      "not resumed",
      { ...base, notResumedBecause: "cache-expired" },
      { state: "idle", reason: "cache-expired" },
    ],
    ["not started", base, { state: "idle", reason: "awaiting-turn" }],
  ] as const)("%s", (_name, state, status) => {
    expect(scheduleStatus(state)).toEqual(status);
    const spec = buildCacheWarmingSpec(state, 0);
    expect(spec.fields[4]).toMatchObject({ payload: status });
  });

  it("reports the last failure with its time until a success clears it", () => {
    const failed = recordWarm(
      { ...base, lastPct: 80, lastWarmAt: 1 },
      { kind: "failure", reason: "failed", error: "boom" },
      "auto",
      50,
    );
    expect(buildCacheWarmingSpec(failed, 60).fields[4]).toMatchObject({
      payload: { lastWarmAt: 1, lastFailure: { message: "boom", at: 50 } },
    });
    const healed = recordWarm(
      failed,
      {
        kind: "ok",
        usage: { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 },
      },
      "auto",
      70,
    );
    expect(buildCacheWarmingSpec(healed, 80).fields[4]).toMatchObject({
      payload: { lastWarmAt: 70, lastFailure: null },
    });
  });
});

describe("what survives a restart", () => {
  const record = {
    context: { cwd: "/repo", modelName: "m1" },
    lastTouchedAt: 1_000,
    lastWarmAt: 900,
    nextWarmAt: 241_000,
    lastPct: 100,
    lastExpectedPct: 100,
    pausedBy: null,
    autoWarmsSinceTurn: 2,
    deadWarmStreak: 1,
    lastTurnSettledAt: 500,
    warmStartedAt: null,
    generating: false,
    history: [{ at: 900, trigger: "auto", model: "m1", cachePct: 100, costUsd: null, error: null }],
  } as const;
  const enabled = { ...initialState(), enabled: true };

  it("keeps a record while enabled or while there is history, and reads back what it wrote", () => {
    const state = { ...enabled, ...record, active: false };
    expect(parseScheduleRecord(scheduleRecordOf(state))).toEqual(record);
    expect(scheduleRecordOf({ ...state, enabled: false, history: [] })).toBeNull();
    expect(scheduleRecordOf({ ...state, enabled: false })).not.toBeNull();
    expect(parseScheduleRecord("nope")).toBeNull();
    expect(parseScheduleRecord('{"lastTouchedAt":"x","context":5,"history":[1,{"at":1}]}')).toEqual(
      {
        context: {},
        lastTouchedAt: null,
        lastWarmAt: null,
        nextWarmAt: null,
        lastPct: null,
        lastExpectedPct: null,
        pausedBy: null,
        autoWarmsSinceTurn: 0,
        deadWarmStreak: 0,
        lastTurnSettledAt: null,
        warmStartedAt: null,
        generating: false,
        history: [],
      },
    );
  });

  const restored = restoreSchedule(enabled, record);

  it.each([
    ["its old time when that is still ahead", 100_000, { kind: "resume", at: 241_000 }],
    [
      "at once when its time passed while the cache lives",
      290_999,
      { kind: "resume", at: 290_999 },
    ],
    ["not at all once the cache died", 301_000, { kind: "not-resumed", reason: "cache-expired" }],
  ] as const)("resumes at %s", (_name, now, decision) => {
    expect(decideResume(restored, record.nextWarmAt, now)).toEqual(decision);
  });

  it("waits for a turn when nothing was ever warmed or settled, or a turn was cut off", () => {
    expect(decideResume(enabled, null, 5)).toEqual({
      kind: "not-resumed",
      reason: "awaiting-turn",
    });
    const cutOff = restoreSchedule(enabled, { ...record, generating: true });
    expect(decideResume(cutOff, record.nextWarmAt, 5)).toEqual({
      kind: "not-resumed",
      reason: "awaiting-turn",
    });
  });

  it("keeps a pause and the spend guard's counters across the restart", () => {
    const paused = restoreSchedule(enabled, { ...record, pausedBy: "idle-cap" });
    expect(paused).toMatchObject({
      pausedBy: "idle-cap",
      autoWarmsSinceTurn: 2,
      deadWarmStreak: 1,
    });
    expect(decideResume(paused, record.nextWarmAt, 100_000)).toEqual({ kind: "paused" });
    expect(restored.history).toEqual(record.history);
    expect(restored.context).toEqual(record.context);
  });

  it("counts a warm that was in flight at a crash as made then, so it is never paid twice", () => {
    const inFlight = restoreSchedule(
      { ...enabled, idleWarmCap: 3 },
      { ...record, nextWarmAt: null, warmStartedAt: 200_000 },
    );
    expect(inFlight).toMatchObject({
      autoWarmsSinceTurn: 3,
      pausedBy: "idle-cap",
      lastTouchedAt: 200_000,
    });
    expect(inFlight.history.at(-1)).toEqual({
      at: 200_000,
      trigger: "auto",
      model: "m1",
      cachePct: null,
      costUsd: null,
      error: LOST_IN_RESTART,
    });
    const underCap = restoreSchedule(enabled, {
      ...record,
      nextWarmAt: null,
      warmStartedAt: 200_000,
    });
    // Resumed one interval after the lost warm was sent, not at once.
    expect(decideResume(underCap, null, 250_000)).toEqual({ kind: "resume", at: 440_000 });
  });

  it("leaves a conversation that moved on since start as memory has it", () => {
    const moved = { ...enabled, lastTouchedAt: 9_000 };
    expect(restoreSchedule(moved, record)).toBe(moved);
    expect(restoreSchedule(enabled, null)).toBe(enabled);
  });
});
