// The warm policies' arithmetic, pure: what an idle gap costs when warming stops after k
// warms, what it costs at best, the worst ratio of the two over every possible return, and
// the break-even test. The spend guard (spend-guard.ts) applies them.
//
// An idle gap starts when a turn settles at 0 (the cache freshly read, alive for the TTL T).
// Automatic warms go at I, 2I, … (I < T), each refreshing the cache. The user returns at g.
// "Stop after k" makes the warms due before g, at most k, and the return then reads the
// cache (a hit, h) if it is still alive, else writes it again (a miss, M); a warm costs w.

/** What one idle gap can cost on this model. */
export interface GapCosts {
  readonly warm: number;
  readonly hit: number;
  readonly miss: number;
  readonly intervalMs: number;
  readonly cacheTtlMs: number;
}

/** Prices per million tokens and the prefix they apply to. */
export function gapCosts(input: {
  readonly prefixTokens: number;
  readonly cacheReadPerMTok: number;
  readonly cacheWritePerMTok: number;
  readonly outputPerMTok: number;
  readonly intervalMs: number;
  readonly cacheTtlMs: number;
}): GapCosts {
  const { prefixTokens: p } = input;
  return {
    // A warm reads the prefix and writes about one token.
    warm: (p * input.cacheReadPerMTok + input.outputPerMTok) / 1e6,
    hit: (p * input.cacheReadPerMTok) / 1e6,
    miss: (p * input.cacheWritePerMTok) / 1e6,
    intervalMs: input.intervalMs,
    cacheTtlMs: input.cacheTtlMs,
  };
}

/** Warms due before a return at g (a warm at jI is made only if jI < g). */
function warmsBefore(gapMs: number, costs: GapCosts): number {
  return Math.max(0, Math.ceil(gapMs / costs.intervalMs) - 1);
}

/** Warms that keep the cache alive until a return at g: the k-th lives until kI + T. */
export function warmsToBridge(gapMs: number, costs: GapCosts): number {
  return gapMs < costs.cacheTtlMs
    ? 0
    : Math.floor((gapMs - costs.cacheTtlMs) / costs.intervalMs) + 1;
}

/** What stopping after k warms costs for one gap: the warms made, then the return. */
export function stopAfterCost(k: number, gapMs: number, costs: GapCosts): number {
  const made = Math.min(k, warmsBefore(gapMs, costs));
  return made * costs.warm + (k >= warmsToBridge(gapMs, costs) ? costs.hit : costs.miss);
}

/** The offline optimum for one gap: warm just enough to reach the return, or let it lapse. */
export function optimumCost(gapMs: number, costs: GapCosts): number {
  return Math.min(warmsToBridge(gapMs, costs) * costs.warm + costs.hit, costs.miss);
}

/**
 * The worst a gap can cost against its optimum when warming stops after k warms, over every
 * return g. The cost is a step function of g; the ratio is worst at a step's left end, where
 * the optimum is least: just after the j-th warm (j ≤ k; an early return that finds the
 * turn's own cache, or the one a warm already needed kept, alive: that warm was wasted), and
 * just after the k-th warm's cache expires (a late return: a miss on top of k warms).
 *   early(j) = (j·w + h) / min(M, n(jI⁺)·w + h),   late(k) = (k·w + M) / min(M, (k+1)·w + h)
 * with n(g) the warms a return at g needs. The first is worst at j = 1 when I < T: (w + h)/h.
 */
export function worstRatio(k: number, costs: GapCosts): number {
  const { warm: w, hit: h, miss: m, intervalMs: i } = costs;
  let worst = (k * w + m) / Math.min(m, (k + 1) * w + h);
  for (let j = 1; j <= k; j++) {
    // Just after the j-th warm: n is what a return a moment after jI needs.
    const needed = warmsToBridge(j * i + 1e-6, costs);
    worst = Math.max(worst, (j * w + h) / Math.min(m, needed * w + h));
  }
  return worst;
}

/** More warms in one gap than a lapse costs are never worth making. */
export const MAX_STOP = 24;

export function mostStops(costs: GapCosts): number {
  return Math.min(MAX_STOP, Math.ceil(costs.miss / costs.warm));
}

/** The k whose worst gap costs least against the optimum (the deterministic ski-rental rule). */
export function safeStop(costs: GapCosts): number {
  let best = 0;
  for (let k = 1; k <= mostStops(costs); k++) {
    if (worstRatio(k, costs) < worstRatio(best, costs)) best = k;
  }
  return best;
}

/**
 * Idle gaps (ms) standing in for a conversation with no history of its own, fitted to public
 * counts of real agent sessions: most gaps are short (88 % under 5 minutes), returns after
 * 10–60 minutes still happen, and some absences last hours. Each weighs as one observed gap.
 */
export const PRIOR_GAPS_MS: readonly number[] = [
  10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 45_000, 50_000, 60_000, 70_000, 80_000, 90_000,
  100_000, 110_000, 120_000, 140_000, 160_000, 180_000, 200_000, 220_000, 240_000, 260_000, 280_000,
  900_000, 2_400_000, 14_400_000,
];

/** The k that would have cost least over the conversation's own gaps and the prior. */
export function learnedStop(
  stopCostsUsd: readonly number[],
  costs: GapCosts,
  priorWeight: number,
): number {
  let best = 0;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= mostStops(costs); k++) {
    let cost = stopCostsUsd[k] ?? 0;
    for (const gap of PRIOR_GAPS_MS) cost += priorWeight * stopAfterCost(k, gap, costs);
    if (cost < bestCost) {
      best = k;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * Whether break-even goes on warming, `idleMs` into an idle stretch, just after the cache was
 * last touched. Going on means warms at t+I, t+2I, … (each only while still idle), which keep
 * it alive for returns after t+T. Go on while, for some horizon k, the expected saving beats
 * the expected cost:
 *   P(return in (t+T, t+kI+T] | idle > t) · saving  >  warm · Σ_{j=1..k} P(idle > t+jI | idle > t)
 * with probabilities from the conversation's own gaps and the prior.
 */
export function worthWarmingOn(input: {
  readonly idleMs: number;
  readonly intervalMs: number;
  readonly cacheTtlMs: number;
  readonly gapsMs: readonly number[];
  readonly warmCostUsd: number;
  readonly savedByHitUsd: number;
  readonly horizon: number;
}): boolean {
  const gaps = [...input.gapsMs, ...PRIOR_GAPS_MS];
  const beyond = (ms: number) => gaps.filter((gap) => gap > ms).length;
  const alive = beyond(input.idleMs);
  if (alive === 0) return false; // nobody ever came back this late
  const { idleMs: t, intervalMs: interval, cacheTtlMs: ttl } = input;
  let cost = 0;
  for (let k = 1; k <= input.horizon; k++) {
    cost += (beyond(t + k * interval) / alive) * input.warmCostUsd;
    const returned = (beyond(t + ttl) - beyond(t + k * interval + ttl)) / alive;
    if (returned * input.savedByHitUsd > cost) return true;
  }
  return false;
}

/** How many warms ahead break-even looks when no idle cap bounds it. */
export const BREAK_EVEN_HORIZON = 24;

/**
 * The adaptive policy's account over the gaps it warmed: what it paid, what the offline
 * optimum would have, and what each "stop after k" would have (k = 0, 1, …).
 */
export interface AdaptiveAccount {
  readonly spentUsd: number;
  readonly optimumUsd: number;
  readonly stopCostsUsd: readonly number[];
}

export const EMPTY_ACCOUNT: AdaptiveAccount = Object.freeze({
  spentUsd: 0,
  optimumUsd: 0,
  stopCostsUsd: Object.freeze([]),
});

/** How much the prior counts, in observations of each of its gaps. */
export const PRIOR_WEIGHT = 1.5;

/**
 * The adaptive policy's bound: the safe stop's worst ratio. Whatever the returns, what it pays
 * stays within bound × the optimum plus one gap's cost (see `adaptiveStop`).
 */
export function adaptiveBound(costs: GapCosts): number {
  return worstRatio(safeStop(costs), costs);
}

/**
 * Where this gap's warming stops. Learned (the best k in hindsight, with the prior) while
 * what the policy paid is within the bound × the optimum; else the safe k, whose gap never
 * costs more than the bound × its own optimum, so the excess never grows past one gap's cost.
 */
export function adaptiveStop(account: AdaptiveAccount, costs: GapCosts): number {
  const safe = safeStop(costs);
  if (account.spentUsd > worstRatio(safe, costs) * account.optimumUsd) return safe;
  return learnedStop(account.stopCostsUsd, costs, PRIOR_WEIGHT);
}

/** The account with one more gap: what it really cost, its optimum, each k's cost. */
export function bookGap(
  account: AdaptiveAccount,
  gapMs: number,
  paidUsd: number,
  costs: GapCosts,
): AdaptiveAccount {
  return {
    spentUsd: account.spentUsd + paidUsd,
    optimumUsd: account.optimumUsd + optimumCost(gapMs, costs),
    stopCostsUsd: Array.from(
      { length: MAX_STOP + 1 },
      (_, k) => (account.stopCostsUsd[k] ?? 0) + stopAfterCost(k, gapMs, costs),
    ),
  };
}
