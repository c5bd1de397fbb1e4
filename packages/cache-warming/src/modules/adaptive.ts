// Opt-in module: the `adaptive` warm policy, with a worst-case guarantee.
//
// Each idle gap is a ski-rental instance: a warm is rent, a lapse is the purchase (the next
// turn writes the prefix again). The policy stops after k automatic warms per idle gap, and
// picks k in two ways:
// - learned: the k that would have cost least over this conversation's idle gaps so far (a
//   running total per k, plus a prior standing in for a conversation with none), so on a steady
//   habit it pays about what the best constant "stop after k" rule chosen in hindsight pays;
// - safe: while what the policy has paid exceeds BUDGET × what the offline optimum would have
//   paid for the same gaps, it uses the k whose worst gap costs least against the optimum
//   (at most 1.9× for Anthropic-style prices). Whatever the returns, its total stays within
//   BUDGET × the optimum plus one gap's cost: the check runs before every gap, and a gap at
//   the safe k never costs more than BUDGET × its own optimum.
// It needs the spend guard's count of warms since the turn (`STANDARD_RULES` composes both).
import * as z from "zod";
import type { ModelPricing } from "../model-cache.js";
import type { WarmRules } from "../rules.js";
import { type CacheWarmingState, effectiveIntervalMs } from "../state.js";
import { parseStored } from "../stored.js";
import { describePolicyPause, PRIOR_GAPS_MS } from "./economics.js";

/** What the policy may spend, as a multiple of the offline optimum, before it plays safe. */
export const ADAPTIVE_BUDGET = 1.9;
/** How much the prior counts, in observations of each of its gaps. */
const PRIOR_WEIGHT = 3;
/** The most warms per gap the policy considers (more than a lapse costs is never worth it). */
const MAX_STOP = 24;
/** Prefix size assumed until a warm has told the real one (the choice barely depends on it). */
const NOMINAL_PREFIX_TOKENS = 10_000;

/** What one idle gap can cost on this model: a warm, the next turn on a hit and on a miss. */
export interface GapCosts {
  readonly warm: number;
  readonly hit: number;
  readonly miss: number;
  readonly intervalMs: number;
  readonly cacheTtlMs: number;
}

export function gapCosts(state: CacheWarmingState, pricing: ModelPricing): GapCosts {
  const prefix = state.lastPrefixTokens > 0 ? state.lastPrefixTokens : NOMINAL_PREFIX_TOKENS;
  return {
    // A warm reads the prefix and writes about one token.
    warm: (prefix * pricing.cacheReadPerMTok + pricing.outputPerMTok) / 1e6,
    hit: (prefix * pricing.cacheReadPerMTok) / 1e6,
    miss: (prefix * pricing.cacheWritePerMTok) / 1e6,
    intervalMs: effectiveIntervalMs(state),
    cacheTtlMs: state.economics.cacheTtlMs,
  };
}

/** Warms that keep the cache alive until a return `gapMs` after the turn settled. */
export function warmsToBridge(gapMs: number, costs: GapCosts): number {
  // A cache read at t lives while now < t + TTL: the k-th warm (at kI) carries it past gapMs
  // only if kI + TTL > gapMs.
  return gapMs < costs.cacheTtlMs
    ? 0
    : Math.floor((gapMs - costs.cacheTtlMs) / costs.intervalMs) + 1;
}

/** What stopping after k warms costs for one gap: the warms made before the return, and the turn. */
export function stopAfterCost(k: number, gapMs: number, costs: GapCosts): number {
  const madeBeforeReturn = Math.max(0, Math.ceil(gapMs / costs.intervalMs) - 1);
  const warms = Math.min(k, madeBeforeReturn);
  return warms * costs.warm + (k >= warmsToBridge(gapMs, costs) ? costs.hit : costs.miss);
}

/** The offline optimum for one gap: warm through it on the grid, or let the cache lapse. */
export function optimumCost(gapMs: number, costs: GapCosts): number {
  return Math.min(warmsToBridge(gapMs, costs) * costs.warm + costs.hit, costs.miss);
}

/** The worst a gap can cost against its optimum when the policy stops after k warms. */
function worstRatio(k: number, costs: GapCosts): number {
  // The worst return comes a moment after the cache the k-th warm kept alive expires.
  return (k * costs.warm + costs.miss) / Math.min((k + 1) * costs.warm + costs.hit, costs.miss);
}

/** The k whose worst gap costs least against the optimum (the deterministic ski-rental rule). */
export function safeStop(costs: GapCosts): number {
  let best = 0;
  for (let k = 1; k <= most(costs); k++) {
    if (worstRatio(k, costs) < worstRatio(best, costs)) best = k;
  }
  return best;
}

/** More warms than a lapse costs are never worth making in one gap. */
function most(costs: GapCosts): number {
  return Math.min(MAX_STOP, Math.ceil(costs.miss / costs.warm));
}

/** The k that would have cost least over the conversation's gaps so far and the prior. */
export function learnedStop(stopCostsUsd: readonly number[], costs: GapCosts): number {
  let best = 0;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= most(costs); k++) {
    let cost = stopCostsUsd[k] ?? 0;
    for (const gap of PRIOR_GAPS_MS) cost += PRIOR_WEIGHT * stopAfterCost(k, gap, costs);
    if (cost < bestCost) {
      best = k;
      bestCost = cost;
    }
  }
  return best;
}

/** Where this idle gap's warming stops, or null when the policy is not `adaptive` or unpriced. */
export function adaptiveStop(state: CacheWarmingState): number | null {
  const { pricing } = state.economics;
  if (state.policy !== "adaptive" || pricing === null) return null;
  const costs = gapCosts(state, pricing);
  const safe = safeStop(costs);
  // The safe k's own worst gap is within the budget, so playing it brings the total back.
  const budget = Math.max(ADAPTIVE_BUDGET, worstRatio(safe, costs));
  const { spentUsd, optimumUsd, stopCostsUsd } = state.adaptiveBudget;
  return spentUsd > budget * optimumUsd ? safe : learnedStop(stopCostsUsd, costs);
}

const pauseAt = (state: CacheWarmingState, stop: number | null): CacheWarmingState =>
  stop !== null && state.autoWarmsSinceTurn >= stop && state.pausedBy === null
    ? { ...state, pausedBy: "not-worth-it" }
    : state;

export function adaptiveKey(conversationId: string): string {
  return `adaptive:${conversationId}`;
}

const usd = z.number().finite().min(0);
const storedBudgetSchema = z.object({
  spentUsd: usd,
  optimumUsd: usd,
  stopCostsUsd: z.array(usd).max(MAX_STOP + 1),
});

/** The policy as warming rules, with its account kept as `adaptive:<id>`. */
export const adaptiveRules: WarmRules = {
  records: [
    {
      name: "adaptive policy's account",
      key: adaptiveKey,
      // What a restart read is added to what happened since start.
      restore(state, raw) {
        const stored = parseStored(raw, storedBudgetSchema, null);
        if (stored === null) return state;
        const { spentUsd, optimumUsd, stopCostsUsd } = state.adaptiveBudget;
        return {
          ...state,
          adaptiveBudget: {
            spentUsd: stored.spentUsd + spentUsd,
            optimumUsd: stored.optimumUsd + optimumUsd,
            stopCostsUsd: Array.from(
              { length: Math.max(stored.stopCostsUsd.length, stopCostsUsd.length) },
              (_, k) => (stored.stopCostsUsd[k] ?? 0) + (stopCostsUsd[k] ?? 0),
            ),
          },
        };
      },
      recordOf: (state) =>
        state.adaptiveBudget.optimumUsd === 0 ? null : JSON.stringify(state.adaptiveBudget),
    },
  ],
  // A gap ends: what it cost under the policy, and what it would have cost at best.
  turnStarted(state, now) {
    const { pricing } = state.economics;
    const settled = state.lastTurnSettledAt;
    if (state.policy !== "adaptive" || pricing === null || settled === null || !state.enabled) {
      return state;
    }
    const costs = gapCosts(state, pricing);
    const gap = now - settled;
    const alive = now < (state.lastTouchedAt ?? settled) + costs.cacheTtlMs;
    const paid = state.autoWarmsSinceTurn * costs.warm + (alive ? costs.hit : costs.miss);
    const { spentUsd, optimumUsd, stopCostsUsd } = state.adaptiveBudget;
    return {
      ...state,
      adaptiveBudget: {
        spentUsd: spentUsd + paid,
        optimumUsd: optimumUsd + optimumCost(gap, costs),
        stopCostsUsd: Array.from(
          { length: MAX_STOP + 1 },
          (_, k) => (stopCostsUsd[k] ?? 0) + stopAfterCost(k, gap, costs),
        ),
      },
    };
  },
  // The gap starts: it may not be worth a single warm.
  turnSettled: (state) => pauseAt(state, adaptiveStop(state)),
  warmRecorded(state, attempt, trigger) {
    if (trigger !== "auto" || attempt.kind !== "ok") return state;
    return pauseAt(state, adaptiveStop(state));
  },
  describePause: describePolicyPause,
};
