import { surfaceSpecSchema } from "@dispatch/ui-contract";
import { describe, expect, it } from "vitest";
import {
  buildCacheWarmingSpec,
  buildDefaultSpec,
  computeCachePct,
  computeExpectedCacheRate,
  DEFAULT_SPEND_LIMITS,
  initialState,
  parseSettings,
  parseSpendLimits,
  serializeSettings,
  serializeSpendLimits,
} from "./pure.js";

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
  it("defaults to opt-in off at 240 s, and the spend guard to 15 warms / 2 dead warms", () => {
    expect(parseSettings(null)).toEqual({ enabled: false, intervalMs: 240_000 });
    expect(parseSpendLimits(null)).toEqual({ idleWarmCap: 15, deadWarmLimit: 2 });
  });

  it("round-trips upstream's two keys and nothing else, the spend limits under their own key", () => {
    const settings = { enabled: true, intervalMs: 60_000 };
    expect(parseSettings(serializeSettings({ ...settings, idleWarmCap: 3 } as never))).toEqual(
      settings,
    );
    expect(serializeSettings({ ...settings, idleWarmCap: 3 } as never)).toBe(
      '{"enabled":true,"intervalMs":60000}',
    );
    const limits = { idleWarmCap: 3, deadWarmLimit: 0 };
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
    expect(parseSpendLimits('{"idleWarmCap":-1,"deadWarmLimit":4}')).toEqual({
      idleWarmCap: 15,
      deadWarmLimit: 4,
    });
    expect(parseSpendLimits("[")).toEqual(DEFAULT_SPEND_LIMITS);
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
