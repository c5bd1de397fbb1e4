// The adaptive policy's worst case, searched for: an adversary that reads the policy's live
// account and, looking a few idle gaps ahead, places each return where the policy pays most
// beyond its bound. `pnpm simulate` plays it against the real warmer, and the tests against
// the policy's own functions; both check the bound the README states (`adaptiveGuarantee`).
import {
  type AdaptiveAccount,
  adaptiveStop,
  bookGap,
  type GapCosts,
  mostStops,
  optimumCost,
  safeStop,
  stopAfterCost,
  worstRatio,
} from "./policies.js";

/** Where a policy stops warming this gap, from its account. */
export type StopRule = (account: AdaptiveAccount, costs: GapCosts) => number;

/**
 * What the adaptive policy promises, whatever the returns: paid ≤ ratio × optimum + excess, with
 * ratio the safe stop's worst ratio and excess the most one gap can cost beyond it (the gap in
 * which the account crosses the bound). Over the gaps it has warmed; each side adds the same
 * first turn.
 */
export function adaptiveGuarantee(costs: GapCosts): { ratio: number; excessUsd: number } {
  const ratio = worstRatio(safeStop(costs), costs);
  let excessUsd = 0;
  for (let k = 0; k <= mostStops(costs); k++) {
    for (const gap of returnsThatHurt(k, costs)) {
      excessUsd = Math.max(
        excessUsd,
        stopAfterCost(k, gap, costs) - ratio * optimumCost(gap, costs),
      );
    }
  }
  return { ratio, excessUsd };
}

/** A moment after `ms`, and a moment before: the edges of the cost's steps. */
const EPSILON_MS = 1;

/**
 * The returns where stopping after k costs most against the optimum, and those that teach the
 * policy most: a moment after each warm (it was wasted), a moment after the k-th warm's cache
 * died (a miss on top of k warms), and a moment before a cache dies (a hit that needed warms).
 */
export function returnsThatHurt(k: number, costs: GapCosts): number[] {
  const { intervalMs: i, cacheTtlMs: t } = costs;
  const gaps = [EPSILON_MS, t + k * i + EPSILON_MS];
  for (let j = 1; j <= k; j++) gaps.push(j * i + EPSILON_MS);
  for (const j of new Set([0, k - 1, k, k + 1, mostStops(costs)])) {
    if (j >= 0) gaps.push(t + j * i - EPSILON_MS);
  }
  return gaps;
}

export interface AdversaryStep {
  readonly gapMs: number;
  readonly stop: number;
  readonly paidUsd: number;
  readonly optimumUsd: number;
}

/**
 * The next `depth` returns that make the policy pay most beyond `ratio` × the optimum, from its
 * account as it stands: every path of returns that hurt is tried, each gap booked as the
 * policy books it.
 */
export function worstReturns(
  account: AdaptiveAccount,
  costs: GapCosts,
  ratio: number,
  depth: number,
  stopRule: StopRule = adaptiveStop,
): AdversaryStep[] {
  const stop = stopRule(account, costs);
  let best: { excess: number; path: AdversaryStep[] } = { excess: -Infinity, path: [] };
  for (const gapMs of returnsThatHurt(stop, costs)) {
    const paidUsd = stopAfterCost(stop, gapMs, costs);
    const optimumUsd = optimumCost(gapMs, costs);
    const step = { gapMs, stop, paidUsd, optimumUsd };
    const rest =
      depth > 1
        ? worstReturns(bookGap(account, gapMs, paidUsd, costs), costs, ratio, depth - 1, stopRule)
        : [];
    const excess = [step, ...rest].reduce((sum, s) => sum + s.paidUsd - ratio * s.optimumUsd, 0);
    if (excess > best.excess) best = { excess, path: [step, ...rest] };
  }
  return best.path;
}

/**
 * `gaps` returns against the policy's own functions: at each, the adversary looks `depth` gaps
 * ahead from the live account and plays the first. What the policy paid, and the optimum.
 */
export function playAdversary(
  costs: GapCosts,
  gaps: number,
  depth: number,
  stopRule: StopRule = adaptiveStop,
): { paidUsd: number; optimumUsd: number; gaps: number[] } {
  const { ratio } = adaptiveGuarantee(costs);
  let account: AdaptiveAccount = { spentUsd: 0, optimumUsd: 0, stopCostsUsd: [] };
  const played: number[] = [];
  for (let n = 0; n < gaps; n++) {
    const [step] = worstReturns(account, costs, ratio, depth, stopRule);
    if (step === undefined) break;
    played.push(step.gapMs);
    account = bookGap(account, step.gapMs, step.paidUsd, costs);
  }
  return { paidUsd: account.spentUsd, optimumUsd: account.optimumUsd, gaps: played };
}
