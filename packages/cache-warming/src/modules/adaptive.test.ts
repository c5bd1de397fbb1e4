// The adaptive policy: what it learns from a scripted history, the safe stop, the budget that
// bounds it against the return placed just after it stops, and its account across a restart.
import { createMemoryStorage } from "@dispatch/kv-storage";
import { describe, expect, it } from "vitest";
import { economicsFor } from "../model-cache.js";
import { type CacheWarmingState, DEFAULT_CACHE_TTL_MS } from "../state.js";
import { createHarness, START } from "../testing/harness.js";
import { simState, ttlCache } from "../testing/states.js";
import type { WarmResult } from "../warm-service.js";
import {
  ADAPTIVE_BUDGET,
  adaptiveKey,
  adaptiveRules,
  adaptiveStop,
  type GapCosts,
  gapCosts,
  learnedStop,
  optimumCost,
  safeStop,
  stopAfterCost,
  warmsToBridge,
} from "./adaptive.js";
import { DEFAULT_PRICES, SIM_PRICING } from "./economics.js";
import { setSpendLimits } from "./spend-limits.js";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const PREFIX = 20_000;

/** Warming on, under the adaptive policy, with a known prefix. */
const state = (over: Partial<CacheWarmingState> = {}): CacheWarmingState =>
  simState({ enabled: true, policy: "adaptive", lastPrefixTokens: PREFIX, ...over });

const costs: GapCosts = gapCosts(state(), SIM_PRICING);

/** The running totals a history of gaps leaves, as the policy keeps them. */
const totalsOf = (gapsMs: readonly number[]) =>
  Array.from({ length: 25 }, (_, k) =>
    gapsMs.reduce((sum, gap) => sum + stopAfterCost(k, gap, costs), 0),
  );

describe("the adaptive policy's arithmetic", () => {
  it("prices a gap as the simulator's cache does: warms before the return, then a hit or a miss", () => {
    expect(costs.warm).toBeCloseTo((PREFIX * 0.3 + 15) / 1e6, 12);
    expect(costs.miss).toBeCloseTo((PREFIX * 3.75) / 1e6, 12);
    // A return at 5:01 needs one warm (at 4:00); stopping after none pays the re-write.
    expect(stopAfterCost(0, 301 * SECOND, costs)).toBeCloseTo(costs.miss, 12);
    expect(stopAfterCost(1, 301 * SECOND, costs)).toBeCloseTo(costs.warm + costs.hit, 12);
    // A return at 3:00 needs none, whatever k: no warm is due before it.
    expect(stopAfterCost(5, 3 * MINUTE, costs)).toBeCloseTo(costs.hit, 12);
    // A cache read at 0 is gone at exactly its TTL: a return then needs one warm.
    expect(warmsToBridge(300 * SECOND, costs)).toBe(1);
    expect(warmsToBridge(299 * SECOND, costs)).toBe(0);
    expect(optimumCost(10 * SECOND, costs)).toBeCloseTo(costs.hit, 12);
    // After an hour, warming through costs more than one lapse: the optimum lets it lapse.
    expect(optimumCost(60 * MINUTE, costs)).toBeCloseTo(costs.miss, 12);
    expect(optimumCost(9 * MINUTE, costs)).toBeCloseTo(2 * costs.warm + costs.hit, 12);
  });

  it("plays safe with the ski-rental stop, whose worst gap stays under the budget", () => {
    expect(safeStop(costs)).toBe(10);
    const worst = (k: number) =>
      stopAfterCost(k, k * 240 * SECOND + 301 * SECOND, costs) /
      optimumCost(k * 240 * SECOND + 301 * SECOND, costs);
    expect(worst(10)).toBeLessThanOrEqual(ADAPTIVE_BUDGET);
    expect(worst(9)).toBeGreaterThan(worst(10));
    expect(worst(11)).toBeGreaterThan(worst(10));
  });
});

describe("what the adaptive policy learns", () => {
  it("stops after the warms this conversation's returns needed, once its own history outweighs the prior", () => {
    // Most returns at 6 minutes (one warm, at 4:00, carries the cache there), some after hours
    // (where every further warm is wasted): one warm.
    const hours = Array(50).fill(2 * 60 * MINUTE);
    expect(learnedStop(totalsOf([...Array(150).fill(6 * MINUTE), ...hours]), costs)).toBe(1);
    // At 12 minutes instead: two warms (4:00 and 8:00).
    expect(learnedStop(totalsOf([...Array(150).fill(12 * MINUTE), ...hours]), costs)).toBe(2);
    // Quick back-and-forth and absences of hours: warming never pays.
    const mixed = [...Array(100).fill(90 * SECOND), ...Array(100).fill(3 * 60 * MINUTE)];
    expect(learnedStop(totalsOf(mixed), costs)).toBe(0);
  });

  it("starts from the prior, and does nothing under another policy or without prices", () => {
    // The prior's returns (mostly within minutes, some after 15 and 40 minutes, some hours):
    // three warms reach the 15-minute ones.
    expect(learnedStop([], costs)).toBe(3);
    expect(adaptiveStop(state())).toBe(3);
    expect(adaptiveStop(state({ policy: "fixed" }))).toBeNull();
    const unpriced = economicsFor(DEFAULT_PRICES, "mystery", DEFAULT_CACHE_TTL_MS);
    expect(adaptiveStop(state({ economics: unpriced }))).toBeNull();
  });

  it("plays safe once it has spent more than the budget over the optimum", () => {
    const history = totalsOf([...Array(150).fill(6 * MINUTE), ...Array(50).fill(2 * 60 * MINUTE)]);
    const account = (spentUsd: number) => ({ spentUsd, optimumUsd: 2, stopCostsUsd: history });
    // 1.88× is within the budget (1.9×), though past the safe stop's own worst gap (1.87×).
    expect(adaptiveStop(state({ adaptiveBudget: account(3.76) }))).toBe(1);
    expect(adaptiveStop(state({ adaptiveBudget: account(3.81) }))).toBe(10);
  });
});

describe("the adaptive policy's account", () => {
  it("adds each gap's cost and its optimum as the next turn starts, and each stop's cost", async () => {
    const storage = createMemoryStorage();
    const h = createHarness({ storage, manualWarmMinGapMs: 0 });
    h.setResponse(ttlCache(() => h.clock.now, PREFIX));
    await h.warmer.setEnabled("c", true);
    await setSpendLimits(h.warmer, "c", { policy: "adaptive", idleWarmCap: 0 });
    await h.warmer.onTurnSettled("c", { modelName: "sim" });
    await h.flush();
    // Nothing to account for before the first gap ends: nothing stored.
    expect(await storage.get(adaptiveKey("c"))).toBeNull();
    // A manual warm tells the prefix size; the gap then runs 9 minutes.
    await h.warmer.warmNow("c");
    const gapCosts9 = gapCosts(h.warmer.getState("c"), SIM_PRICING);
    const stop = adaptiveStop(h.warmer.getState("c")) as number;
    await h.warmer.onTurnSettled("c", { modelName: "sim" });
    await h.clock.tickAsync(9 * MINUTE);
    const warms = Math.min(stop, 2);
    h.warmer.onTurnStarted("c");
    const account = h.warmer.getState("c").adaptiveBudget;
    const alive = warms >= 2;
    expect(account.spentUsd).toBeCloseTo(
      warms * gapCosts9.warm + (alive ? gapCosts9.hit : gapCosts9.miss),
      12,
    );
    expect(account.optimumUsd).toBeCloseTo(optimumCost(9 * MINUTE, gapCosts9), 12);
    expect(account.stopCostsUsd).toHaveLength(25);
    expect(account.stopCostsUsd[0]).toBeCloseTo(gapCosts9.miss, 12);
    expect(account.stopCostsUsd[2]).toBeCloseTo(2 * gapCosts9.warm + gapCosts9.hit, 12);
    expect(account.stopCostsUsd[24]).toBeCloseTo(2 * gapCosts9.warm + gapCosts9.hit, 12);
    await h.flush();
    expect(JSON.parse((await storage.get(adaptiveKey("c"))) ?? "null")).toEqual(account);
  });

  it("counts a return at exactly the cache's end as a miss, and adds a stored account to the one since start", () => {
    const atExpiry = adaptiveRules.turnStarted?.(
      state({ lastTurnSettledAt: 0, lastTouchedAt: 0 }),
      300 * SECOND,
    );
    expect(atExpiry?.adaptiveBudget.spentUsd).toBeCloseTo(costs.miss, 12);
    expect(adaptiveKey("c")).toBe("adaptive:c");
    const kept = adaptiveRules.records?.[0];
    const sinceStart = { spentUsd: 1, optimumUsd: 1, stopCostsUsd: [1] };
    const restored = kept?.restore(
      state({ adaptiveBudget: sinceStart }),
      JSON.stringify({ spentUsd: 0.5, optimumUsd: 0.25, stopCostsUsd: [0.25, 0.5] }),
    );
    expect(restored?.adaptiveBudget).toEqual({
      spentUsd: 1.5,
      optimumUsd: 1.25,
      stopCostsUsd: [1.25, 0.5],
    });
  });

  it("keeps no account under another policy, while warming is off, or before any turn settled", () => {
    const s = state({ lastTurnSettledAt: 0, autoWarmsSinceTurn: 1 });
    const started = (over: Partial<CacheWarmingState>) =>
      adaptiveRules.turnStarted?.(state({ lastTurnSettledAt: 0, ...over }), 10 * MINUTE)
        .adaptiveBudget;
    expect(adaptiveRules.turnStarted?.(s, 10 * MINUTE).adaptiveBudget.optimumUsd).toBeGreaterThan(
      0,
    );
    expect(started({ policy: "fixed" })).toEqual(s.adaptiveBudget);
    expect(started({ enabled: false })).toEqual(s.adaptiveBudget);
    expect(started({ lastTurnSettledAt: null })).toEqual(s.adaptiveBudget);
  });

  it("judges a prefix it has not seen yet as a nominal one, and a big prefix as the same stops", () => {
    const unseen = state({ lastPrefixTokens: 0 });
    expect(gapCosts(unseen, SIM_PRICING).hit).toBeCloseTo((10_000 * 0.3) / 1e6, 12);
    expect(adaptiveStop(unseen)).toBe(adaptiveStop(state({ lastPrefixTokens: 10_000 })));
  });

  it("pauses only at its stop, only after a good automatic warm, and never over another pause", () => {
    const ok = {
      kind: "ok" as const,
      usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 1, cacheWriteTokens: 0 },
    };
    const at = (autoWarmsSinceTurn: number, over: Partial<CacheWarmingState> = {}) =>
      adaptiveRules.warmRecorded?.(state({ autoWarmsSinceTurn, ...over }), ok, "auto", 0).pausedBy;
    const stop = adaptiveStop(state()) as number;
    expect(at(stop - 1)).toBeNull();
    expect(at(stop)).toBe("not-worth-it");
    expect(at(stop, { pausedBy: "idle-cap" })).toBe("idle-cap");
    expect(
      adaptiveRules.warmRecorded?.(state({ autoWarmsSinceTurn: stop }), ok, "manual", 0).pausedBy,
    ).toBeNull();
    const failed = { kind: "failure" as const, reason: "failed" as const, error: "x" };
    expect(
      adaptiveRules.warmRecorded?.(state({ autoWarmsSinceTurn: stop }), failed, "auto", 0).pausedBy,
    ).toBeNull();
  });
});

describe("the adaptive policy in the warmer", () => {
  it("stays within 2x the offline optimum when every return comes just after it stops warming", async () => {
    const h = createHarness({ manualWarmMinGapMs: 0 });
    const cache = ttlCache(() => h.clock.now, PREFIX);
    h.setResponse(cache);
    await h.warmer.setEnabled("c", true);
    await setSpendLimits(h.warmer, "c", { policy: "adaptive", idleWarmCap: 0 });
    const cost = (usage: WarmResult) =>
      (usage.cacheReadTokens * SIM_PRICING.cacheReadPerMTok +
        usage.cacheWriteTokens * SIM_PRICING.cacheWritePerMTok) /
      1e6;
    let paid = 0;
    let optimum = 0;
    for (let turn = 0; turn < 60; turn++) {
      h.warmer.onTurnStarted("c");
      const usage = cache();
      const before = h.calls.length;
      if (turn > 0) paid += cost(usage);
      await h.warmer.onTurnSettled("c", { modelName: "sim" });
      const settledAt = h.clock.now;
      // The adversary waits out every warm, then returns a second after the cache expires.
      for (;;) {
        const s = h.warmer.getState("c");
        const expiresAt = (s.lastTouchedAt ?? settledAt) + SIM_PRICING.cacheTtlMs;
        if (s.nextWarmAt === null || s.nextWarmAt >= expiresAt) {
          await h.clock.tickAsync(expiresAt + SECOND - h.clock.now);
          break;
        }
        await h.clock.tickAsync(s.nextWarmAt - h.clock.now + 1);
      }
      const warms = h.calls.length - before;
      paid += warms * costs.warm;
      optimum += optimumCost(h.clock.now - settledAt, costs);
    }
    paid += cost(cache()); // the last return
    // Every return missed the cache (the adversary saw to it), yet the total stays bounded.
    expect(paid / optimum).toBeLessThanOrEqual(2);
    expect(paid / optimum).toBeGreaterThan(1.5);
  });

  it("keeps its account across a restart, added to what happened since", async () => {
    const storage = createMemoryStorage();
    const account = { spentUsd: 0.5, optimumUsd: 0.25, stopCostsUsd: [0.3, 0.2] };
    await storage.set(adaptiveKey("c"), JSON.stringify(account));
    const h = createHarness({ storage, start: START });
    await h.warmer.ensureLoaded("c");
    expect(h.warmer.getState("c").adaptiveBudget).toEqual(account);
    await storage.set(adaptiveKey("d"), '{"spentUsd":-1}');
    await h.warmer.ensureLoaded("d");
    expect(h.warmer.getState("d").adaptiveBudget).toEqual({
      spentUsd: 0,
      optimumUsd: 0,
      stopCostsUsd: [],
    });
  });

  it("pauses where its history says no warm pays, and lifts that pause when the policy goes back to fixed", async () => {
    const storage = createMemoryStorage();
    // An account in which every warm made so far was wasted: stopping at once was best.
    const stopCostsUsd = Array.from({ length: 25 }, (_, k) => k);
    await storage.set(
      adaptiveKey("c"),
      JSON.stringify({ spentUsd: 1, optimumUsd: 1, stopCostsUsd }),
    );
    const h = createHarness({ storage });
    await h.warmer.setEnabled("c", true);
    await setSpendLimits(h.warmer, "c", { policy: "adaptive" });
    await h.warmer.onTurnSettled("c", { modelName: "sim" });
    expect(h.warmer.getState("c")).toMatchObject({ pausedBy: "not-worth-it", nextWarmAt: null });
    await setSpendLimits(h.warmer, "c", { policy: "fixed" });
    expect(h.warmer.getState("c")).toMatchObject({ pausedBy: null, nextWarmAt: START + 240_000 });
  });
});
