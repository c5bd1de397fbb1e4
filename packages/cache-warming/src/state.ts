// Everything the warmer knows about one conversation, and the questions the core asks of it.

import type { ModelEconomics } from "./model-cache.js";
import type { ConversationContext, ConversationSettings, ConversationState } from "./pure.js";
import type { WarmResult } from "./warm-service.js";

/** Everything the warmer knows about one conversation. */
export interface CacheWarmingState extends ConversationState, SpendLimits {
  lastError: string | null;
  /** Epoch-ms of the failure `lastError` describes; null with it. */
  lastErrorAt: number | null;
  autoWarmsSinceTurn: number;
  deadWarmStreak: number;
  pausedBy: PauseReason | null;
  /** The cwd/model warms replay: the last settled turn's, or a manual warm's explicit one. */
  context: ConversationContext;
  /** Epoch-ms an automatic warm was sent, while it waits for the provider; null otherwise. */
  warmStartedAt: number | null;
  /** The last warms, oldest first (at most MAX_HISTORY), failures among them. */
  history: readonly WarmHistoryEntry[];
  /** The model automatic warms kept warm before a manual warm switched to another one. */
  switchedFrom: { readonly model: string | null; readonly at: number } | null;
  /** Epoch-ms the cached prefix was last read or written (a settled turn or a good warm). */
  lastTouchedAt: number | null;
  /** Why an enabled schedule did not resume after a restart; cleared once one starts. */
  notResumedBecause: NotResumedReason | null;
  /** The global warm budget was spent when the automatic warm was due: retried then. */
  budgetRetryAt: number | null;
  /** What warming cost and saved here. */
  ledger: Ledger;
  /** This conversation's idle gaps (turn settled → next turn started), newest last. */
  gapsMs: readonly number[];
  /** The adaptive policy's account: what its automatic warms and turns cost, and the optimum. */
  adaptiveBudget: AdaptiveBudget;
  /** Epoch-ms the last turn settled (the cache's last touch by a real turn). */
  lastTurnSettledAt: number | null;
  /** Tokens of the cacheable prefix, from the last warm (read + written). */
  lastPrefixTokens: number;
  /** The model's prices and cache lifetime (the warmer sets them with the context). */
  economics: ModelEconomics;
}

/** The providers' default prompt-cache lifetime (5 minutes, refreshed on every read). */
export const DEFAULT_CACHE_TTL_MS = 300_000;

/** One warm as the history shows it. */
export interface WarmHistoryEntry {
  /** Epoch-ms it finished (or was sent, for one whose answer a restart lost). */
  readonly at: number;
  readonly trigger: WarmTrigger;
  readonly model: string | null;
  /** Share of the input read from the cache; null for a failed warm. */
  readonly cachePct: number | null;
  /** What it cost in USD; null when the model's prices are unknown or it failed. */
  readonly costUsd: number | null;
  /** Why it failed; null for a good warm. */
  readonly error: string | null;
}

/** Warms the history keeps (the surface shows them all; older ones are dropped). */
export const MAX_HISTORY = 20;

export type PauseReason = "idle-cap" | "dead-cache" | "budget" | "not-worth-it" | "self-caching";

/** `cache-expired`: the downtime outlived the cache; `awaiting-turn`: nothing to resume. */
export type NotResumedReason = "cache-expired" | "awaiting-turn";

export function settingsOf(state: ConversationSettings): ConversationSettings {
  return { enabled: state.enabled, intervalMs: state.intervalMs };
}

/** Whether an automatic warm should be pending for this state. */
export function shouldSchedule(state: CacheWarmingState): boolean {
  return state.enabled && !state.active && state.pausedBy === null && !selfCaching(state);
}

/** The provider keeps this model's cache by itself: warming it only costs. */
export function selfCaching(state: CacheWarmingState): boolean {
  return state.economics.pricing?.selfCaching === true;
}

/** What the timer waits: the interval, shortened to what still reaches the cache alive. */
export function effectiveIntervalMs(state: CacheWarmingState): number {
  const max = state.economics.maxIntervalMs;
  return max === null ? state.intervalMs : Math.min(state.intervalMs, max);
}

export type WarmTrigger = "manual" | "auto";

export type WarmFailureReason = "refused" | "failed" | "timeout";

/** What one call to the warm service came to. */
export type WarmAttempt =
  | { readonly kind: "ok"; readonly usage: WarmResult }
  | { readonly kind: "failure"; readonly reason: WarmFailureReason; readonly error: string };

// ---- fields the opt-in modules keep (the core stores them, never decides on them) ---------

/** One hour of warming at the default interval, then the schedule pauses until a turn. */
export const DEFAULT_IDLE_WARM_CAP = 15;

/** Two automatic warms in a row that read nothing from the cache pause the schedule. */
export const DEFAULT_DEAD_WARM_LIMIT = 2;

/** The spend guard, stored beside upstream's settings (`spend-limits:<id>`), never inside. */
export interface SpendLimits {
  /** Automatic warms allowed since the last settled turn; 0 = unlimited. */
  readonly idleWarmCap: number;
  /** Consecutive automatic warms that read nothing from the cache before pausing; 0 = never. */
  readonly deadWarmLimit: number;
  /** `fixed`: warm every interval; `break-even`: only while the next warm is worth its price. */
  readonly policy: WarmPolicy;
}

export const WARM_POLICIES = ["fixed", "break-even", "adaptive"] as const;

export type WarmPolicy = (typeof WARM_POLICIES)[number];

/** The limits a change names; the others stay as they are. */
export type SpendLimitsChange = Partial<SpendLimits>;

export const DEFAULT_SPEND_LIMITS: SpendLimits = Object.freeze({
  policy: "fixed" as WarmPolicy,
  idleWarmCap: DEFAULT_IDLE_WARM_CAP,
  deadWarmLimit: DEFAULT_DEAD_WARM_LIMIT,
});

export function spendLimitsOf(state: SpendLimits): SpendLimits {
  return {
    idleWarmCap: state.idleWarmCap,
    deadWarmLimit: state.deadWarmLimit,
    policy: state.policy,
  };
}

/** Per conversation: what warming cost and what it saved. */
export interface Ledger {
  readonly spentUsd: number;
  readonly savedUsd: number;
  readonly warms: number;
  /** Turns that found the cache alive only because of warms. */
  readonly turnsSaved: number;
  /** Warms whose model had no price: counted, not costed. */
  readonly unpricedWarms: number;
}

export const EMPTY_LEDGER: Ledger = {
  spentUsd: 0,
  savedUsd: 0,
  warms: 0,
  turnsSaved: 0,
  unpricedWarms: 0,
};

/**
 * The adaptive policy's account over the idle gaps it warmed: what it paid, what the offline
 * optimum would have, and what each "stop after k warms" rule would have (k = 0, 1, …).
 */
export interface AdaptiveBudget {
  readonly spentUsd: number;
  readonly optimumUsd: number;
  readonly stopCostsUsd: readonly number[];
}

export const EMPTY_ADAPTIVE_BUDGET: AdaptiveBudget = Object.freeze({
  spentUsd: 0,
  optimumUsd: 0,
  stopCostsUsd: Object.freeze([]),
});
