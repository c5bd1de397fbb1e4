// How a conversation's state changes when a warm finishes or a manual warm is asked for.
// Pure: the warmer passes `now` in.
import { economicsFor, type ModelEconomics } from "./model-cache.js";
import {
  type ConversationSettings,
  computeCachePct,
  computeExpectedCacheRate,
  DEFAULT_INTERVAL_MS,
} from "./pure.js";
import { NO_RULES, type WarmRules } from "./rules.js";
import {
  type CacheWarmingState,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_SPEND_LIMITS,
  EMPTY_ADAPTIVE_BUDGET,
  EMPTY_LEDGER,
  MAX_HISTORY,
  type SpendLimits,
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
    adaptiveBudget: EMPTY_ADAPTIVE_BUDGET,
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

/**
 * Records a finished warm: the history, the percentages and the last error; then `rules` add
 * what they keep (counters, pauses, dollars).
 */
export function recordWarm(
  state: CacheWarmingState,
  attempt: WarmAttempt,
  trigger: WarmTrigger,
  now: number,
  rules: WarmRules = NO_RULES,
): CacheWarmingState {
  const entry: WarmHistoryEntry = {
    at: now,
    trigger,
    model: state.context.modelName ?? null,
    cachePct:
      attempt.kind === "ok"
        ? computeCachePct(attempt.usage.inputTokens, attempt.usage.cacheReadTokens)
        : null,
    costUsd: null,
    error: attempt.kind === "ok" ? null : attempt.error,
  };
  const history = [...state.history, entry].slice(-MAX_HISTORY);
  const next: CacheWarmingState =
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
          lastPrefixTokens: attempt.usage.cacheReadTokens + attempt.usage.cacheWriteTokens,
        }
      : { ...state, history, lastError: attempt.error, lastErrorAt: now };
  return rules.warmRecorded?.(next, attempt, trigger, now) ?? next;
}

function expectedPctOf(usage: WarmResult): number {
  return computeExpectedCacheRate(usage.cacheReadTokens, usage.cacheWriteTokens);
}
