// How a conversation's state changes when a warm finishes or a manual warm is asked for.
// Pure: the warmer passes `now` in.
import {
  EMPTY_LEDGER,
  economicsFor,
  type ModelEconomics,
  warmCostUsd,
} from "./modules/economics.js";
import { chargeWarm } from "./modules/ledger.js";
import {
  applySpendGuard,
  DEFAULT_SPEND_LIMITS,
  type SpendLimits,
  worthGoingOn,
} from "./modules/spend-guard.js";
import {
  type ConversationSettings,
  computeCachePct,
  computeExpectedCacheRate,
  DEFAULT_INTERVAL_MS,
} from "./pure.js";
import {
  type CacheWarmingState,
  DEFAULT_CACHE_TTL_MS,
  MAX_HISTORY,
  type WarmAttempt,
  type WarmHistoryEntry,
  type WarmTrigger,
} from "./state.js";
import type { WarmResult } from "./warm-service.js";

const UNKNOWN_MODEL = economicsFor({}, undefined, DEFAULT_CACHE_TTL_MS);

const NO_GAPS: readonly number[] = Object.freeze([]);

const NO_HISTORY: readonly WarmHistoryEntry[] = Object.freeze([]);

export function initialState(
  settings: ConversationSettings = { enabled: false, intervalMs: DEFAULT_INTERVAL_MS },
  limits: SpendLimits = DEFAULT_SPEND_LIMITS,
  economics: ModelEconomics = UNKNOWN_MODEL,
): CacheWarmingState {
  return {
    enabled: settings.enabled,
    intervalMs: settings.intervalMs,
    idleWarmCap: limits.idleWarmCap,
    deadWarmLimit: limits.deadWarmLimit,
    policy: limits.policy,
    active: false,
    lastPct: null,
    lastExpectedPct: null,
    lastWarmAt: null,
    nextWarmAt: null,
    token: 0,
    lastError: null,
    lastErrorAt: null,
    autoWarmsSinceTurn: 0,
    deadWarmStreak: 0,
    pausedBy: null,
    context: {},
    warmStartedAt: null,
    history: NO_HISTORY,
    switchedFrom: null,
    lastTouchedAt: null,
    notResumedBecause: null,
    budgetRetryAt: null,
    ledger: EMPTY_LEDGER,
    gapsMs: NO_GAPS,
    lastTurnSettledAt: null,
    lastPrefixTokens: 0,
    economics,
  };
}

export type ManualWarmRefusal =
  | { readonly reason: "generating"; readonly error: string }
  | { readonly reason: "rate-limited"; readonly error: string; readonly retryAfterMs: number };

/**
 * Whether a manual warm is turned away before the provider is called. Joining a warm
 * already in flight costs nothing, so it wins over the rate limit.
 */
export function refuseManualWarm(
  state: CacheWarmingState,
  input: { now: number; inFlight: boolean; lastManualWarmAt: number | null; minGapMs: number },
): ManualWarmRefusal | null {
  if (state.active) {
    return { reason: "generating", error: "a turn is generating; warm after it settles" };
  }
  if (input.inFlight || input.lastManualWarmAt === null) return null;
  const retryAfterMs = input.lastManualWarmAt + input.minGapMs - input.now;
  if (retryAfterMs <= 0) return null;
  return {
    reason: "rate-limited",
    error: `manual warms are limited to one per ${input.minGapMs} ms per conversation`,
    retryAfterMs,
  };
}

/** A settled turn, a manual warm or re-enabling starts a fresh idle stretch. */
export function resetIdleStretch(state: CacheWarmingState): CacheWarmingState {
  return { ...state, autoWarmsSinceTurn: 0, deadWarmStreak: 0, pausedBy: null };
}

/** Records a finished warm; the spend guard counts automatic warms and pauses when spent. */
export function recordWarm(
  state: CacheWarmingState,
  attempt: WarmAttempt,
  trigger: WarmTrigger,
  now: number,
): CacheWarmingState {
  const { pricing } = state.economics;
  const entry: WarmHistoryEntry = {
    at: now,
    trigger,
    model: state.context.modelName ?? null,
    cachePct:
      attempt.kind === "ok"
        ? computeCachePct(attempt.usage.inputTokens, attempt.usage.cacheReadTokens)
        : null,
    costUsd:
      attempt.kind === "ok" && pricing !== null
        ? Math.round(warmCostUsd(attempt.usage, pricing) * 1e6) / 1e6
        : null,
    error: attempt.kind === "ok" ? null : attempt.error,
  };
  const history = [...state.history, entry].slice(-MAX_HISTORY);
  let next: CacheWarmingState =
    attempt.kind === "ok"
      ? {
          ...state,
          history,
          lastPct: entry.cachePct,
          lastExpectedPct: expectedPctOf(attempt.usage),
          lastWarmAt: now,
          lastTouchedAt: now,
          lastError: null,
          lastErrorAt: null,
          ledger: chargeWarm(state.ledger, attempt.usage, pricing),
          lastPrefixTokens: attempt.usage.cacheReadTokens + attempt.usage.cacheWriteTokens,
        }
      : { ...state, history, lastError: attempt.error, lastErrorAt: now };
  if (trigger === "manual") return resetIdleStretch(next);

  const autoWarmsSinceTurn = next.autoWarmsSinceTurn + 1;
  let deadWarmStreak = next.deadWarmStreak;
  if (attempt.kind === "ok") {
    deadWarmStreak = expectedPctOf(attempt.usage) === 0 ? deadWarmStreak + 1 : 0;
  }
  next = { ...next, autoWarmsSinceTurn, deadWarmStreak };
  const guarded = applySpendGuard(next);
  if (guarded.pausedBy !== null) return guarded;
  if (attempt.kind === "ok" && !worthGoingOn(next, now - (next.lastTurnSettledAt ?? now))) {
    return { ...next, pausedBy: "not-worth-it" };
  }
  return next;
}

function expectedPctOf(usage: WarmResult): number {
  return computeExpectedCacheRate(usage.cacheReadTokens, usage.cacheWriteTokens);
}
