import { describe, expect, it } from "vitest";
import { adaptiveGuarantee, playAdversary, returnsThatHurt, worstReturns } from "./adversary.js";
import {
  EMPTY_ACCOUNT,
  type GapCosts,
  gapCosts,
  learnedStop,
  mostStops,
  optimumCost,
  PRIOR_WEIGHT,
  safeStop,
  stopAfterCost,
  worstRatio,
} from "./policies.js";
import { SIM_PRICING } from "./prices.js";

const SETTINGS: Record<string, GapCosts> = {
  "the default interval": costsAt(240_000, 300_000, SIM_PRICING.cacheWritePerMTok),
  "a 60 s interval": costsAt(60_000, 300_000, SIM_PRICING.cacheWritePerMTok),
  "the 1-hour tier": costsAt(240_000, 3_600_000, 2 * SIM_PRICING.inputPerMTok),
};

function costsAt(intervalMs: number, cacheTtlMs: number, cacheWritePerMTok: number): GapCosts {
  return gapCosts({
    ...SIM_PRICING,
    cacheWritePerMTok,
    prefixTokens: 20_000,
    intervalMs,
    cacheTtlMs,
  });
}

/** The worst ratio of stopping after k over returns every second up to long after the last warm. */
function scannedWorstRatio(k: number, costs: GapCosts): number {
  let worst = 0;
  const last = (k + 2) * costs.intervalMs + costs.cacheTtlMs;
  for (let second = 0; second <= last / 1000; second++) {
    for (const gap of [second * 1000 - 1, second * 1000, second * 1000 + 1]) {
      if (gap > 0) worst = Math.max(worst, stopAfterCost(k, gap, costs) / optimumCost(gap, costs));
    }
  }
  return worst;
}

describe.each(Object.entries(SETTINGS))("the adaptive policy's bound at %s", (_name, costs) => {
  it("is the safe stop's worst ratio over every return, early or late", () => {
    const safe = safeStop(costs);
    expect(worstRatio(safe, costs)).toBeCloseTo(scannedWorstRatio(safe, costs), 9);
    for (const k of [0, 1, 2, safe + 1]) {
      expect(worstRatio(k, costs)).toBeCloseTo(scannedWorstRatio(k, costs), 9);
    }
  });

  it("holds against an adversary that looks three gaps ahead at the live account", () => {
    const { ratio, excessUsd } = adaptiveGuarantee(costs);
    const played = playAdversary(costs, 1_000, 3);
    expect(played.gaps).toHaveLength(1_000);
    // The adversary reaches the bound: it is tight, and the policy never pays beyond it.
    expect(played.paidUsd).toBeGreaterThan(ratio * played.optimumUsd);
    expect(played.paidUsd).toBeLessThanOrEqual(
      (ratio * played.optimumUsd + excessUsd) * (1 + 1e-9),
    );
  });

  it("is broken by the same adversary when the guard does not fall back on the safe stop", () => {
    const { ratio, excessUsd } = adaptiveGuarantee(costs);
    const unguarded = playAdversary(costs, 300, 3, (account, c) =>
      learnedStop(account.stopCostsUsd, c, PRIOR_WEIGHT),
    );
    expect(unguarded.paidUsd).toBeGreaterThan(ratio * unguarded.optimumUsd + excessUsd);
  });
});

it("states the bound at the defaults: about 2×, from a warm a return before the turn's cache expired wasted", () => {
  const costs = SETTINGS["the default interval"] as GapCosts;
  expect(adaptiveGuarantee(costs).ratio).toBeCloseTo((costs.warm + costs.hit) / costs.hit, 9);
});

it("tries the returns that hurt: a moment after each warm, after the last warm's cache died, before each cache dies", () => {
  const costs = SETTINGS["the default interval"] as GapCosts;
  const i = costs.intervalMs;
  const t = costs.cacheTtlMs;
  const most = mostStops(costs);
  expect(new Set(returnsThatHurt(2, costs))).toEqual(
    new Set([
      1, // a moment after the turn: the first warm is wasted
      i + 1,
      2 * i + 1, // a moment after each warm
      t + 2 * i + 1, // a moment after the second warm's cache died: a miss on top
      t - 1,
      t + i - 1,
      t + 2 * i - 1,
      t + 3 * i - 1,
      t + most * i - 1, // a moment before a cache dies
    ]),
  );
  expect(new Set(returnsThatHurt(0, costs))).toEqual(
    new Set([1, t + 1, t - 1, t + i - 1, t + most * i - 1]),
  );
});

it("looks as many gaps ahead as asked, each booked as the policy books it", () => {
  const costs = SETTINGS["the default interval"] as GapCosts;
  const { ratio } = adaptiveGuarantee(costs);
  const path = worstReturns(EMPTY_ACCOUNT, costs, ratio, 3);
  expect(path).toHaveLength(3);
  for (const step of path) {
    expect(step.paidUsd).toBe(stopAfterCost(step.stop, step.gapMs, costs));
    expect(step.optimumUsd).toBe(optimumCost(step.gapMs, costs));
  }
  // Three gaps ahead finds at least what one gap ahead does.
  const excess = (steps: typeof path) =>
    steps.reduce((sum, s) => sum + s.paidUsd - ratio * s.optimumUsd, 0);
  const [first] = worstReturns(EMPTY_ACCOUNT, costs, ratio, 1);
  expect(excess(path)).toBeGreaterThanOrEqual(excess(first ? [first] : []));
});
