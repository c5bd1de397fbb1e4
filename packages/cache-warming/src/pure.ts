// The pure core of cache warming: state, numbers, settings, decisions and the surface spec.
// Nothing here reads a clock, touches a timer or does I/O; the warmer shell passes `now` in.
//
// The first section is upstream's public API (realtradam/dispatch `packages/cache-warming`),
// kept name for name and behaviour for behaviour; what follows it is this package's addition.
import type {
  CustomField,
  NumberField,
  StatField,
  SurfaceField,
  SurfaceSpec,
  ToggleField,
} from "@dispatch/ui-contract";
import * as z from "zod";
import {
  EMPTY_LEDGER,
  economicsFor,
  intervalTooLong,
  type Ledger,
  MAX_GAPS,
  type ModelEconomics,
  type ModelPricing,
  savedByHitUsd,
  warmCostUsd,
  worthWarmingOn,
} from "./economics.js";
import type { WarmResult } from "./warm-service.js";

// ==== upstream's API ==========================================================================

/** Persisted per-conversation settings, exactly as upstream stores them. */
export interface ConversationSettings {
  readonly enabled: boolean;
  readonly intervalMs: number;
}

/** Per-conversation runtime state as upstream reads it (`getState`). */
export interface ConversationState extends ConversationSettings {
  /** A turn is generating: never warm, never schedule. */
  readonly active: boolean;
  readonly lastPct: number | null;
  readonly lastExpectedPct: number | null;
  /** Epoch-ms of the last successful warm, manual or automatic. */
  readonly lastWarmAt: number | null;
  /** Epoch-ms the pending automatic warm fires; null exactly when none is pending. */
  readonly nextWarmAt: number | null;
  /** Identifies the pending automatic warm; every arm takes a new one. */
  readonly token: number;
}

/** The cwd/model a warm replays, from the last settled turn (or an explicit manual warm). */
export interface ConversationContext {
  readonly cwd?: string;
  readonly modelName?: string;
}

export const DEFAULT_INTERVAL_MS = 240_000;
export const MIN_INTERVAL_MS = 1000;

/** Share of the request's input read from the cache, whole percent in [0, 100]. */
export function computeCachePct(inputTokens: number, cacheReadTokens: number): number {
  if (inputTokens <= 0) return 0;
  return Math.round(100 * Math.min(1, Math.max(0, cacheReadTokens / inputTokens)));
}

/** Share of the cacheable prefix still cached (read rather than re-written), [0, 100]. */
export function computeExpectedCacheRate(
  cacheReadTokens: number,
  cacheWriteTokens: number,
): number {
  const cacheable = cacheReadTokens + cacheWriteTokens;
  if (cacheable <= 0) return 0;
  return Math.round((100 * cacheReadTokens) / cacheable);
}

/** A pending automatic warm may fire: enabled, idle, and still the current schedule. */
export function shouldWarm(state: ConversationState, currentToken: number): boolean {
  return state.enabled && !state.active && state.token === currentToken;
}

export function isTokenCurrent(current: number, expected: number): boolean {
  return current === expected;
}

/**
 * Upstream's stored settings: anything unreadable falls back to the defaults (warming off),
 * a non-positive interval becomes the minimum, others are rounded and floored at it. (This
 * package also caps at MAX_INTERVAL_MS, which no writer here exceeds.)
 */
export function parseSettings(raw: string | null): ConversationSettings {
  const defaults = { enabled: false, intervalMs: DEFAULT_INTERVAL_MS };
  if (raw === null) return defaults;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return defaults;
  }
  if (typeof json !== "object" || json === null) return defaults;
  const { enabled, intervalMs } = json as Record<string, unknown>;
  return {
    enabled: typeof enabled === "boolean" ? enabled : false,
    intervalMs:
      typeof intervalMs === "number" && Number.isFinite(intervalMs)
        ? clampIntervalMs(intervalMs)
        : DEFAULT_INTERVAL_MS,
  };
}

/** Writes exactly upstream's two keys, whatever else the object carries. */
export function serializeSettings(settings: ConversationSettings): string {
  return JSON.stringify({ enabled: settings.enabled, intervalMs: settings.intervalMs });
}

export function settingsKey(conversationId: string): string {
  return `settings:${conversationId}`;
}

export function msToSeconds(intervalMs: number): number {
  return Math.round(intervalMs / 1000);
}

/** Seconds from the UI → ms, floored at the minimum; null for NaN, ±∞ or ≤ 0. */
export function secondsToMs(seconds: number): number | null {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return Math.max(MIN_INTERVAL_MS, Math.round(seconds * 1000));
}

/** Upstream's spec: toggle, interval, Last Cache %, Cache retention, timer. */
export function buildConversationSpec(
  enabled: boolean,
  intervalMs: number,
  lastPct: number | null,
  lastExpectedPct: number | null,
  nextWarmAt: number | null,
  lastWarmAt: number | null,
): SurfaceSpec {
  return {
    ...SURFACE_FRAME,
    fields: baseFields(enabled, intervalMs, null, lastPct, lastExpectedPct, {
      nextWarmAt,
      lastWarmAt,
    }),
  };
}

export function buildDefaultSpec(): SurfaceSpec {
  return {
    ...SURFACE_FRAME,
    fields: [{ kind: "stat", label: "Status", value: "No conversation focused" }],
  };
}

/** Seconds as a number or `{ value }`; null for anything else or a value ≤ 0. */
export function parseIntervalPayload(payload: unknown): number | null {
  const value =
    typeof payload === "object" && payload !== null && "value" in payload
      ? (payload as { value: unknown }).value
      : payload;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

// ==== this package's additions ================================================================

export const SURFACE_ID = "cache-warming";
export const SURFACE_REGION = "side";
export const SURFACE_TITLE = "Cache Warming";
export const TIMER_RENDERER_ID = "cache-warming-timer";
export const ACTION_IDS = {
  toggle: "cache-warming/toggle",
  setInterval: "cache-warming/set-interval",
  warmNow: "cache-warming/warm-now",
  setSpendLimits: "cache-warming/set-spend-limits",
} as const;

const SURFACE_FRAME = { id: SURFACE_ID, region: SURFACE_REGION, title: SURFACE_TITLE } as const;

/** A day: any longer and every provider cache has long expired between warms. */
export const MAX_INTERVAL_MS = 86_400_000;
/** One hour of warming at the default interval, then the schedule pauses until a turn. */
export const DEFAULT_IDLE_WARM_CAP = 15;
/** Two automatic warms in a row that read nothing from the cache pause the schedule. */
export const DEFAULT_DEAD_WARM_LIMIT = 2;

export function clampIntervalMs(intervalMs: number): number {
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.round(intervalMs)));
}

/** The spend guard, stored beside upstream's settings (`spend-limits:<id>`), never inside. */
export interface SpendLimits {
  /** Automatic warms allowed since the last settled turn; 0 = unlimited. */
  readonly idleWarmCap: number;
  /** Consecutive automatic warms that read nothing from the cache before pausing; 0 = never. */
  readonly deadWarmLimit: number;
  /** `fixed`: warm every interval; `break-even`: only while the next warm is worth its price. */
  readonly policy: WarmPolicy;
}

export const WARM_POLICIES = ["fixed", "break-even"] as const;
export type WarmPolicy = (typeof WARM_POLICIES)[number];
const warmPolicySchema = z.enum(WARM_POLICIES);

export const DEFAULT_SPEND_LIMITS: SpendLimits = Object.freeze({
  policy: "fixed" as WarmPolicy,
  idleWarmCap: DEFAULT_IDLE_WARM_CAP,
  deadWarmLimit: DEFAULT_DEAD_WARM_LIMIT,
});

export function spendLimitsKey(conversationId: string): string {
  return `spend-limits:${conversationId}`;
}

const countSchema = z.number().int().min(0).max(1_000_000);

// Each field falls back on its own, so one bad value does not throw the other away.
const storedSpendLimitsSchema = z.object({
  idleWarmCap: countSchema.catch(DEFAULT_IDLE_WARM_CAP),
  deadWarmLimit: countSchema.catch(DEFAULT_DEAD_WARM_LIMIT),
  policy: warmPolicySchema.catch("fixed"),
});

/** A stored JSON value read with its schema; `fallback` for anything missing or unreadable. */
function parseStored<T, F>(raw: string | null, schema: z.ZodType<T>, fallback: F): T | F {
  if (raw === null) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

export function parseSpendLimits(raw: string | null): SpendLimits {
  return parseStored(raw, storedSpendLimitsSchema, DEFAULT_SPEND_LIMITS);
}

export function serializeSpendLimits(limits: SpendLimits): string {
  return JSON.stringify({
    idleWarmCap: limits.idleWarmCap,
    deadWarmLimit: limits.deadWarmLimit,
    policy: limits.policy,
  });
}

const DEFAULT_SETTINGS_RECORD = serializeSettings({
  enabled: false,
  intervalMs: DEFAULT_INTERVAL_MS,
});
const DEFAULT_SPEND_LIMITS_RECORD = serializeSpendLimits(DEFAULT_SPEND_LIMITS);

/** Whether a stored value says no more than its absence would (a store may drop it). */
export function isDefaultRecord(key: string, value: string): boolean {
  if (key.startsWith("settings:")) return value === DEFAULT_SETTINGS_RECORD;
  if (key.startsWith("spend-limits:")) return value === DEFAULT_SPEND_LIMITS_RECORD;
  return false;
}

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
  /** Epoch-ms the last turn settled (the cache's last touch by a real turn). */
  lastTurnSettledAt: number | null;
  /** Tokens of the cacheable prefix, from the last warm (read + written). */
  lastPrefixTokens: number;
  /** The model's prices and cache lifetime (the warmer sets them with the context). */
  economics: ModelEconomics;
}

/** The providers' default prompt-cache lifetime (5 minutes, refreshed on every read). */
export const DEFAULT_CACHE_TTL_MS = 300_000;
const UNKNOWN_MODEL = economicsFor({}, undefined, DEFAULT_CACHE_TTL_MS);
const NO_GAPS: readonly number[] = Object.freeze([]);

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
const NO_HISTORY: readonly WarmHistoryEntry[] = Object.freeze([]);

export type PauseReason = "idle-cap" | "dead-cache" | "budget" | "not-worth-it" | "self-caching";
/** `cache-expired`: the downtime outlived the cache; `awaiting-turn`: nothing to resume. */
export type NotResumedReason = "cache-expired" | "awaiting-turn";

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

export function settingsOf(state: ConversationSettings): ConversationSettings {
  return { enabled: state.enabled, intervalMs: state.intervalMs };
}

export function spendLimitsOf(state: SpendLimits): SpendLimits {
  return {
    idleWarmCap: state.idleWarmCap,
    deadWarmLimit: state.deadWarmLimit,
    policy: state.policy,
  };
}

// ---- what a restart needs --------------------------------------------------------------------

/**
 * `schedule:<id>`: what a restart needs to go on as if it had not happened: the schedule, the
 * spend guard's pause and counters, a warm that was in flight, and the warm history.
 */
export function scheduleKey(conversationId: string): string {
  return `schedule:${conversationId}`;
}

export interface ScheduleRecord {
  readonly context: ConversationContext;
  readonly lastTouchedAt: number | null;
  readonly lastWarmAt: number | null;
  readonly nextWarmAt: number | null;
  readonly lastPct: number | null;
  readonly lastExpectedPct: number | null;
  readonly pausedBy: PauseReason | null;
  readonly autoWarmsSinceTurn: number;
  readonly deadWarmStreak: number;
  readonly lastTurnSettledAt: number | null;
  readonly warmStartedAt: number | null;
  /** A turn was generating: what it did to the cache is unknown until the next one settles. */
  readonly generating: boolean;
  readonly history: readonly WarmHistoryEntry[];
}

/** The record to keep for this state, or null when there is nothing to keep. */
export function scheduleRecordOf(state: CacheWarmingState): string | null {
  if (!state.enabled && state.history.length === 0) return null;
  const record: ScheduleRecord = {
    context: state.context,
    lastTouchedAt: state.lastTouchedAt,
    lastWarmAt: state.lastWarmAt,
    nextWarmAt: state.nextWarmAt,
    lastPct: state.lastPct,
    lastExpectedPct: state.lastExpectedPct,
    pausedBy: state.pausedBy,
    autoWarmsSinceTurn: state.autoWarmsSinceTurn,
    deadWarmStreak: state.deadWarmStreak,
    lastTurnSettledAt: state.lastTurnSettledAt,
    warmStartedAt: state.warmStartedAt,
    generating: state.active,
    history: state.history,
  };
  return JSON.stringify(record);
}

const epochOrNull = z.number().int().min(0).nullable().catch(null);
const pctOrNull = z.number().int().min(0).max(100).nullable().catch(null);
const PAUSE_REASONS = ["idle-cap", "dead-cache", "budget", "not-worth-it", "self-caching"] as const;
const historyEntrySchema = z.object({
  at: z.number().int().min(0),
  trigger: z.enum(["manual", "auto"]),
  model: z.string().max(256).nullable(),
  cachePct: z.number().int().min(0).max(100).nullable(),
  costUsd: z.number().finite().min(0).nullable(),
  error: z.string().max(1024).nullable(),
});
const storedScheduleSchema = z.object({
  context: z
    .object({
      cwd: z.string().max(4096).exactOptional(),
      modelName: z.string().max(256).exactOptional(),
    })
    .catch({}),
  lastTouchedAt: epochOrNull,
  lastWarmAt: epochOrNull,
  nextWarmAt: epochOrNull,
  lastPct: pctOrNull,
  lastExpectedPct: pctOrNull,
  // Records written before these fields existed read as "nothing paused, nothing counted".
  pausedBy: z.enum(PAUSE_REASONS).nullable().catch(null),
  autoWarmsSinceTurn: countSchema.catch(0),
  deadWarmStreak: countSchema.catch(0),
  lastTurnSettledAt: epochOrNull,
  warmStartedAt: epochOrNull,
  generating: z.boolean().catch(false),
  // One bad entry drops only itself.
  history: z
    .array(z.unknown())
    .catch([])
    .transform((entries) =>
      entries
        .flatMap((entry) => {
          const parsed = historyEntrySchema.safeParse(entry);
          return parsed.success ? [parsed.data] : [];
        })
        .slice(-MAX_HISTORY),
    ),
});

export function parseScheduleRecord(raw: string | null): ScheduleRecord | null {
  return parseStored(raw, storedScheduleSchema, null);
}

/** What a restart lost: the answer of a warm that was in flight. */
export const LOST_IN_RESTART = "its answer was lost when the server stopped; counted as made";

/**
 * A stored record applied to a conversation just read after a restart, when nothing has
 * happened to it since start (no turn, no warm; else memory knows better). Its timer is not:
 * `decideResume` decides that from the record's `nextWarmAt`. A warm that was in flight at a crash was paid: it counts toward the spend guard and the
 * history as made at the moment it was sent, so it is never paid twice.
 */
export function restoreSchedule(
  state: CacheWarmingState,
  record: ScheduleRecord | null,
): CacheWarmingState {
  if (record === null || state.lastTouchedAt !== null || state.active) return state;
  let restored: CacheWarmingState = {
    ...state,
    context: record.context,
    // A turn cut off by the stop: nothing to resume until the next one settles.
    lastTouchedAt: record.generating ? null : record.lastTouchedAt,
    lastWarmAt: record.lastWarmAt,
    lastPct: record.lastPct,
    lastExpectedPct: record.lastExpectedPct,
    pausedBy: record.pausedBy,
    autoWarmsSinceTurn: record.autoWarmsSinceTurn,
    deadWarmStreak: record.deadWarmStreak,
    lastTurnSettledAt: record.lastTurnSettledAt,
    history: [...record.history, ...state.history].slice(-MAX_HISTORY),
  };
  const sentAt = record.warmStartedAt;
  if (sentAt !== null) {
    restored = recordWarm(
      restored,
      { kind: "failure", reason: "failed", error: LOST_IN_RESTART },
      "auto",
      sentAt,
    );
    // It reached the provider, so the cache was read (or written) then.
    restored = { ...restored, lastTouchedAt: sentAt };
  }
  return restored;
}

/** `ledger:<id>`: what warming cost and saved, and the idle gaps break-even learns from. */
export function ledgerKey(conversationId: string): string {
  return `ledger:${conversationId}`;
}

export interface LedgerRecord {
  readonly ledger: Ledger;
  readonly gapsMs: readonly number[];
}

export function ledgerRecordOf(state: CacheWarmingState): string {
  const record: LedgerRecord = { ledger: state.ledger, gapsMs: state.gapsMs };
  return JSON.stringify(record);
}

const usdSchema = z.number().finite().min(0);
const storedLedgerSchema = z.object({
  ledger: z.object({
    spentUsd: usdSchema,
    savedUsd: usdSchema,
    warms: countSchema,
    turnsSaved: countSchema,
    unpricedWarms: countSchema,
  }),
  gapsMs: z.array(z.number().int().min(0)).max(MAX_GAPS),
});

export function parseLedgerRecord(raw: string | null): LedgerRecord | null {
  return parseStored(raw, storedLedgerSchema, null);
}

/** A stored ledger plus what happened since start before it was read. */
export function mergeLedger(stored: LedgerRecord | null, state: CacheWarmingState): LedgerRecord {
  if (stored === null) return { ledger: state.ledger, gapsMs: state.gapsMs };
  const a = stored.ledger;
  const b = state.ledger;
  return {
    ledger: {
      spentUsd: a.spentUsd + b.spentUsd,
      savedUsd: a.savedUsd + b.savedUsd,
      warms: a.warms + b.warms,
      turnsSaved: a.turnsSaved + b.turnsSaved,
      unpricedWarms: a.unpricedWarms + b.unpricedWarms,
    },
    gapsMs: [...stored.gapsMs, ...state.gapsMs].slice(-MAX_GAPS),
  };
}

export type ResumeDecision =
  | { readonly kind: "resume"; readonly at: number }
  | { readonly kind: "paused" }
  | { readonly kind: "not-resumed"; readonly reason: NotResumedReason };

/**
 * After a restart (the stored record restored): a paused schedule stays paused until what
 * lifts a pause happens (a turn, a manual warm, re-enabling, looser limits); a schedule whose
 * turn was still generating, or that never started, waits for the next turn; any other
 * resumes only while its cache can still be alive (a warm after the TTL would buy the whole
 * prefix again, which the warmer never does on its own), at its old time or at once if that
 * passed.
 */
export function decideResume(
  state: CacheWarmingState,
  storedNextWarmAt: number | null,
  now: number,
): ResumeDecision {
  if (state.pausedBy !== null) return { kind: "paused" };
  if (state.lastTouchedAt === null) return { kind: "not-resumed", reason: "awaiting-turn" };
  if (now >= state.lastTouchedAt + state.economics.cacheTtlMs) {
    return { kind: "not-resumed", reason: "cache-expired" };
  }
  const due = storedNextWarmAt ?? state.lastTouchedAt + effectiveIntervalMs(state);
  return { kind: "resume", at: Math.max(now, due) };
}

// ---- the global warm budget ------------------------------------------------------------------

/** A token bucket over all conversations: `perMinute` warms a minute, bursts up to that. */
export interface WarmBudget {
  readonly tokens: number;
  readonly at: number;
}

export type BudgetDecision =
  | { readonly ok: true; readonly budget: WarmBudget }
  | { readonly ok: false; readonly budget: WarmBudget; readonly retryAfterMs: number };

/** Takes one warm from the budget, refilled for the time since `budget.at`; 0 = no limit. */
export function takeFromBudget(budget: WarmBudget, now: number, perMinute: number): BudgetDecision {
  if (perMinute <= 0) return { ok: true, budget };
  const refilled = refill(budget, now, perMinute);
  if (refilled >= 1) return { ok: true, budget: { tokens: refilled - 1, at: now } };
  const retryAfterMs = Math.ceil(((1 - refilled) * 60_000) / perMinute);
  return { ok: false, budget: { tokens: refilled, at: now }, retryAfterMs };
}

/**
 * The dollar budget, post-paid: a warm may start while the bucket is above zero, and its cost
 * (known only from its usage) is taken after it. The bucket refills `perMinute` dollars a
 * minute up to that; 0 = no limit.
 */
export function mayStartUsd(budget: WarmBudget, now: number, perMinute: number): BudgetDecision {
  if (perMinute <= 0) return { ok: true, budget };
  const refilled = refill(budget, now, perMinute);
  const next = { tokens: refilled, at: now };
  if (refilled > 0) return { ok: true, budget: next };
  return {
    ok: false,
    budget: next,
    retryAfterMs: Math.max(1, Math.ceil((-refilled * 60_000) / perMinute)),
  };
}

/** What a finished warm cost, taken from the dollar budget (which may go below zero). */
export function chargeUsd(budget: WarmBudget, now: number, perMinute: number, usd: number) {
  if (perMinute <= 0) return budget;
  return { tokens: refill(budget, now, perMinute) - usd, at: now };
}

/** What the bucket holds at `now`: refilled `perMinute` a minute since `budget.at`, up to that. */
function refill(budget: WarmBudget, now: number, perMinute: number): number {
  return Math.min(perMinute, budget.tokens + ((now - budget.at) * perMinute) / 60_000);
}

/** `warm-budget`: both global budgets, so a restart does not hand out a fresh minute. */
export const BUDGET_KEY = "warm-budget";

export interface BudgetRecord {
  readonly calls: WarmBudget;
  readonly usd: WarmBudget;
}

const storedBudgetSchema = z.object({
  calls: z.object({ tokens: z.number().finite(), at: z.number().int().min(0) }),
  usd: z.object({ tokens: z.number().finite(), at: z.number().int().min(0) }),
});

export function parseBudgetRecord(raw: string | null): BudgetRecord | null {
  return parseStored(raw, storedBudgetSchema, null);
}

// ---- decisions -------------------------------------------------------------------------------

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

/**
 * The spend guard's counters against its limits: paused once a limit is reached, and a pause
 * it set lifted only when the limits no longer hold it. A limits change is judged by the same
 * rule, so it never grants warms past the new limit (cap 1 after 3 warms pauses at once).
 */
export function applySpendGuard(state: CacheWarmingState): CacheWarmingState {
  if (state.idleWarmCap > 0 && state.autoWarmsSinceTurn >= state.idleWarmCap) {
    return { ...state, pausedBy: "idle-cap" };
  }
  if (state.deadWarmLimit > 0 && state.deadWarmStreak >= state.deadWarmLimit) {
    return { ...state, pausedBy: "dead-cache" };
  }
  const guardPause = state.pausedBy === "idle-cap" || state.pausedBy === "dead-cache";
  // Break-even's own pause lasts only while break-even is the policy.
  const policyPause = state.pausedBy === "not-worth-it" && state.policy !== "break-even";
  return guardPause || policyPause ? { ...state, pausedBy: null } : state;
}

/**
 * The break-even policy's decision, `idleMs` after the last touch (a warm, or the settled
 * turn at 0): true under `fixed`, without prices, or before a warm has told the prefix size.
 */
export function worthGoingOn(state: CacheWarmingState, idleMs: number): boolean {
  const { pricing, cacheTtlMs } = state.economics;
  if (state.policy !== "break-even" || pricing === null || state.lastPrefixTokens === 0) {
    return true;
  }
  const remaining = state.idleWarmCap > 0 ? state.idleWarmCap - state.autoWarmsSinceTurn : 0;
  return worthWarmingOn({
    idleMs,
    intervalMs: effectiveIntervalMs(state),
    cacheTtlMs,
    gapsMs: state.gapsMs,
    // A warm reads the prefix and writes about one token.
    warmCostUsd: (state.lastPrefixTokens * pricing.cacheReadPerMTok + pricing.outputPerMTok) / 1e6,
    savedByHitUsd: savedByHitUsd(state.lastPrefixTokens, pricing),
    horizon: remaining > 0 ? remaining : BREAK_EVEN_HORIZON,
  });
}

/** How many warms ahead the break-even policy looks when no idle cap bounds it. */
export const BREAK_EVEN_HORIZON = 24;

function chargeWarm(ledger: Ledger, usage: WarmResult, pricing: ModelPricing | null): Ledger {
  if (pricing === null) {
    return { ...ledger, warms: ledger.warms + 1, unpricedWarms: ledger.unpricedWarms + 1 };
  }
  return {
    ...ledger,
    warms: ledger.warms + 1,
    spentUsd: ledger.spentUsd + warmCostUsd(usage, pricing),
  };
}

/**
 * A turn starts: its idle gap joins the conversation's history, and when the cache is alive
 * only because warms kept it so (the last turn touched it longer than the TTL ago), the turn
 * saved re-writing the prefix, less reading it.
 */
export function recordTurnStart(state: CacheWarmingState, now: number): CacheWarmingState {
  const settled = state.lastTurnSettledAt;
  if (settled === null) return state;
  const gapsMs = [...state.gapsMs, now - settled].slice(-MAX_GAPS);
  const { pricing, cacheTtlMs: ttl } = state.economics;
  const keptAliveByWarms =
    state.lastWarmAt !== null &&
    state.lastWarmAt > settled &&
    now - state.lastWarmAt < ttl &&
    now - settled >= ttl;
  if (!keptAliveByWarms || pricing === null) return { ...state, gapsMs };
  const ledger = {
    ...state.ledger,
    savedUsd: state.ledger.savedUsd + savedByHitUsd(state.lastPrefixTokens, pricing),
    turnsSaved: state.ledger.turnsSaved + 1,
  };
  return { ...state, gapsMs, ledger };
}

function expectedPctOf(usage: WarmResult): number {
  return computeExpectedCacheRate(usage.cacheReadTokens, usage.cacheWriteTokens);
}

// ---- action payloads (the surface answers bad input with an error, not silence) ------------

/** A refusal written for the client: transports may show its message as it is. */
export class ActionRejectedError extends Error {
  readonly expose = true;
  override readonly name = "ActionRejectedError";
}

/**
 * `set-interval` takes seconds, as a number or `{ value }`, whole, within
 * [MIN_INTERVAL_MS, MAX_INTERVAL_MS] / 1000; returns milliseconds or throws a message for
 * the client. (Upstream's action ignored bad input; this one says why it refused.)
 */
export function intervalMsFromPayload(payload: unknown, economics?: ModelEconomics): number {
  const seconds =
    typeof payload === "object" && payload !== null && "value" in payload
      ? (payload as { value: unknown }).value
      : payload;
  const min = MIN_INTERVAL_MS / 1000;
  const max = MAX_INTERVAL_MS / 1000;
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw new ActionRejectedError("set-interval expects seconds as a number or { value: number }");
  }
  if (seconds < min) throw new ActionRejectedError(`interval must be at least ${min} s`);
  if (seconds > max) throw new ActionRejectedError(`interval must be at most ${max} s`);
  if (!Number.isInteger(seconds))
    throw new ActionRejectedError("interval must be a whole number of seconds");
  const tooLong = economics === undefined ? null : intervalTooLong(seconds * 1000, economics);
  if (tooLong !== null) throw new ActionRejectedError(tooLong);
  return seconds * 1000;
}

export const spendLimitsSchema = z
  .object({
    idleWarmCap: countSchema.optional(),
    deadWarmLimit: countSchema.optional(),
    policy: warmPolicySchema.optional(),
  })
  .refine(
    (limits) =>
      limits.idleWarmCap !== undefined ||
      limits.deadWarmLimit !== undefined ||
      limits.policy !== undefined,
    { message: "give idleWarmCap, deadWarmLimit and/or policy" },
  );

export type SpendLimitsChange = Partial<SpendLimits>;

/**
 * `set-spend-limits` takes `{ idleWarmCap?, deadWarmLimit?, policy? }`: whole numbers ≥ 0
 * (0 = off) and `"fixed"` or `"break-even"`.
 */
export function parseSpendLimitsPayload(payload: unknown): SpendLimitsChange {
  const parsed = spendLimitsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new ActionRejectedError(
      `set-spend-limits expects { idleWarmCap?, deadWarmLimit?, policy? }: ${where}${issue?.message}`,
    );
  }
  return definedOnly(parsed.data);
}

/** The limits a change names, without the keys it leaves out. */
export function definedOnly(change: {
  idleWarmCap?: number | undefined;
  deadWarmLimit?: number | undefined;
  policy?: WarmPolicy | undefined;
}): SpendLimitsChange {
  const { idleWarmCap, deadWarmLimit, policy } = change;
  return {
    ...(idleWarmCap === undefined ? {} : { idleWarmCap }),
    ...(deadWarmLimit === undefined ? {} : { deadWarmLimit }),
    ...(policy === undefined ? {} : { policy }),
  };
}

/** `toggle` flips without a payload; a boolean (or `{ value }`) sets it, so retries are safe. */
export function parseTogglePayload(payload: unknown): boolean | null {
  if (payload === undefined || payload === null) return null;
  if (typeof payload === "boolean") return payload;
  if (typeof payload === "object" && typeof (payload as { value?: unknown }).value === "boolean") {
    return (payload as { value: boolean }).value;
  }
  throw new ActionRejectedError("toggle expects no payload, a boolean or { value: boolean }");
}

// ---- the surface -----------------------------------------------------------------------------

/**
 * What the schedule is doing, for machines: `off` (warming disabled), `generating` (a turn
 * runs), `warming` (an automatic warm waits for the provider), `paused` (the spend guard stopped it
 * until a turn, a manual warm or re-enabling), `scheduled` (`nextWarmAt` is when), `idle`
 * (enabled but not started: after a restart that did not resume it).
 */
export type ScheduleState =
  | "loading"
  | "off"
  | "generating"
  | "warming"
  | "paused"
  | "scheduled"
  | "idle";

/** An action the surface refused, with the reason written for the user. */
export interface Refusal {
  readonly action: string;
  readonly message: string;
  readonly at: number;
}

/** What the spec shows beyond the warmer's state: the surface's own view of the conversation. */
export interface SpecExtras {
  /** The stored settings are still being read: the state shown is the defaults. */
  readonly loading?: boolean;
  /** The last refused action, until the next accepted one. */
  readonly lastRefusal?: Refusal | null;
}

export interface ScheduleStatus {
  readonly state: ScheduleState;
  /** `paused`: a PauseReason; `idle`: a NotResumedReason; otherwise null. */
  readonly reason: PauseReason | NotResumedReason | null;
}

export function scheduleStatus(state: CacheWarmingState): ScheduleStatus {
  if (!state.enabled) return { state: "off", reason: null };
  if (state.active) return { state: "generating", reason: null };
  if (state.warmStartedAt !== null) return { state: "warming", reason: null };
  if (selfCaching(state)) return { state: "paused", reason: "self-caching" };
  if (state.pausedBy !== null) return { state: "paused", reason: state.pausedBy };
  if (state.budgetRetryAt !== null) return { state: "paused", reason: "budget" };
  if (state.nextWarmAt !== null) return { state: "scheduled", reason: null };
  return { state: "idle", reason: state.notResumedBecause ?? "awaiting-turn" };
}

/** The `cache-warming-timer` payload. Upstream sends the first two; the rest are additive. */
export interface TimerPayload {
  readonly nextWarmAt: number | null;
  readonly lastWarmAt: number | null;
  /** Epoch-ms when the spec was built, so a client with a skewed clock can count down. */
  readonly serverNow?: number;
  readonly state?: ScheduleState;
  readonly reason?: PauseReason | NotResumedReason | null;
  readonly intervalMs?: number;
  /** The last failed warm, cleared by the next success. */
  readonly lastFailure?: { readonly message: string; readonly at: number } | null;
  /** The model automatic warms keep warm; null when the provider's default. */
  readonly model?: string | null;
  /** `fixed` or `break-even`. */
  readonly policy?: WarmPolicy;
  /** The longest interval the model's cache allows; null when its cache lifetime is unknown. */
  readonly maxIntervalMs?: number | null;
  /** The model's cache lifetime; null when unknown (no price-table entry). */
  readonly cacheTtlMs?: number | null;
  /** What warming cost and saved here, in USD; null dollars when the model's prices are unknown. */
  readonly ledger?: LedgerView;
  /** The last action the surface refused and why, until the next accepted one. */
  readonly lastRefusal?: Refusal | null;
  /** The last warms, oldest first (at most MAX_HISTORY), kept across restarts. */
  readonly history?: readonly WarmHistoryEntry[];
  /** The model automatic warms kept warm before a manual warm switched to `model`. */
  readonly switchedFrom?: { readonly model: string | null; readonly at: number } | null;
}

export interface LedgerView {
  readonly spentUsd: number | null;
  readonly savedUsd: number | null;
  readonly netUsd: number | null;
  readonly warms: number;
  readonly turnsSaved: number;
}

export function ledgerView(state: CacheWarmingState): LedgerView {
  const { ledger } = state;
  const priced = state.economics.pricing !== null && ledger.unpricedWarms === 0;
  const usd = (value: number) => (priced ? Math.round(value * 1e6) / 1e6 : null);
  return {
    spentUsd: usd(ledger.spentUsd),
    savedUsd: usd(ledger.savedUsd),
    netUsd: usd(ledger.savedUsd - ledger.spentUsd),
    warms: ledger.warms,
    turnsSaved: ledger.turnsSaved,
  };
}

/** The ledger for people: "spent $0.0123, saved $0.0456 (3 turns)" or why dollars are missing. */
export function describeLedger(state: CacheWarmingState): string {
  const view = ledgerView(state);
  const turns = `${view.turnsSaved} turn${view.turnsSaved === 1 ? "" : "s"}`;
  if (view.spentUsd === null || view.savedUsd === null) {
    return `${view.warms} warms, ${turns} saved; prices unknown`;
  }
  return `spent $${view.spentUsd.toFixed(4)}, saved $${view.savedUsd.toFixed(4)} (${turns})`;
}

/** The model warms keep warm, and whether a manual warm just switched to it. */
export function describeModel(state: CacheWarmingState): string {
  const model = state.context.modelName ?? "default";
  const from = state.switchedFrom;
  if (from === null) return model;
  return `${model} (switched from ${from.model ?? "default"} by a manual warm: its first warm found no cache)`;
}

/** "1 warm", "3 warms". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function percentText(pct: number | null): string {
  return pct === null ? "—" : `${pct}%`;
}

function baseFields(
  enabled: boolean,
  intervalMs: number,
  maxIntervalMs: number | null,
  lastPct: number | null,
  lastExpectedPct: number | null,
  timer: TimerPayload,
): SurfaceField[] {
  const toggle: ToggleField = {
    kind: "toggle",
    label: "Enabled",
    value: enabled,
    action: { actionId: ACTION_IDS.toggle },
  };
  const interval: NumberField = {
    kind: "number",
    label: "Refresh Interval",
    value: msToSeconds(intervalMs),
    min: MIN_INTERVAL_MS / 1000,
    ...(maxIntervalMs === null ? {} : { max: maxIntervalMs / 1000 }),
    step: 1,
    unit: "s",
    action: { actionId: ACTION_IDS.setInterval },
  };
  const last: StatField = { kind: "stat", label: "Last Cache %", value: percentText(lastPct) };
  const retention: StatField = {
    kind: "stat",
    label: "Cache retention",
    value: percentText(lastExpectedPct),
  };
  const timerField: CustomField = { kind: "custom", rendererId: TIMER_RENDERER_ID, payload: timer };
  return [toggle, interval, last, retention, timerField];
}

export function describeSchedule(state: CacheWarmingState, extras: SpecExtras = {}): string {
  const { state: schedule, reason } = statusWith(state, extras);
  switch (schedule) {
    case "loading":
      return "Loading settings…";
    case "off":
      return "Off";
    case "generating":
      return "Waiting for the turn to finish";
    case "warming":
      return "Warming";
    case "paused":
      if (reason === "budget") return "Paused: the server's warm budget is spent; retrying";
      if (reason === "self-caching") return "Not warming: this model's provider caches by itself";
      if (reason === "not-worth-it")
        return "Paused: the next warm would likely cost more than it saves";
      return reason === "idle-cap"
        ? `Paused: ${plural(state.autoWarmsSinceTurn, "automatic warm")} since the last turn (idle cap ${state.idleWarmCap})`
        : `Paused: the cache was not retained (${plural(state.deadWarmStreak, "warm")} in a row read nothing)`;
    case "scheduled":
      return "Scheduled";
    case "idle":
      return reason === "cache-expired"
        ? "Not resumed: the cache expired while the server was down"
        : "Not scheduled: waiting for a turn";
  }
}

/**
 * The full cache-warming surface: upstream's five fields (the frontend reads them by kind,
 * so they keep their kinds, labels and order), then this package's additions.
 */
export function buildCacheWarmingSpec(
  state: CacheWarmingState,
  serverNow: number,
  extras: SpecExtras = {},
): SurfaceSpec {
  const timer = timerPayloadOf(state, serverNow, extras);
  const refusal = extras.lastRefusal ?? null;
  const fields: SurfaceField[] = [
    ...baseFields(
      state.enabled,
      state.intervalMs,
      state.economics.maxIntervalMs,
      state.lastPct,
      state.lastExpectedPct,
      timer,
    ),
    { kind: "button", label: "Warm now", action: { actionId: ACTION_IDS.warmNow } },
    { kind: "stat", label: "Schedule", value: describeSchedule(state, extras) },
    { kind: "stat", label: "Last error", value: state.lastError ?? "—" },
    { kind: "stat", label: "Model", value: describeModel(state) },
    { kind: "stat", label: "Warming cost", value: describeLedger(state) },
    {
      kind: "stat",
      label: "Last refusal",
      value: refusal === null ? "—" : `${refusal.action}: ${refusal.message}`,
    },
  ];
  return { ...SURFACE_FRAME, fields };
}

/** What the surface's timer field says, as machine-readable fields. */
export function timerPayloadOf(
  state: CacheWarmingState,
  serverNow: number,
  extras: SpecExtras = {},
): TimerPayload {
  const status = statusWith(state, extras);
  return {
    nextWarmAt: state.nextWarmAt,
    lastWarmAt: state.lastWarmAt,
    serverNow,
    state: status.state,
    reason: status.reason,
    intervalMs: effectiveIntervalMs(state),
    lastFailure:
      state.lastError === null || state.lastErrorAt === null
        ? null
        : { message: state.lastError, at: state.lastErrorAt },
    model: state.context.modelName ?? null,
    policy: state.policy,
    maxIntervalMs: state.economics.maxIntervalMs,
    cacheTtlMs: state.economics.ttlKnown ? state.economics.cacheTtlMs : null,
    ledger: ledgerView(state),
    lastRefusal: extras.lastRefusal ?? null,
    history: state.history,
    switchedFrom: state.switchedFrom,
  };
}

function statusWith(state: CacheWarmingState, extras: SpecExtras): ScheduleStatus {
  return extras.loading === true ? { state: "loading", reason: null } : scheduleStatus(state);
}

/** One conversation's state as `GET /cache-warming/:id` answers it: what the surface shows. */
export function conversationView(conversationId: string, state: CacheWarmingState, now: number) {
  return {
    conversationId,
    enabled: state.enabled,
    intervalMs: state.intervalMs,
    lastPct: state.lastPct,
    lastExpectedPct: state.lastExpectedPct,
    ...timerPayloadOf(state, now),
    spendLimits: spendLimitsOf(state),
    schedule: describeSchedule(state),
    pricesKnown: state.economics.pricing !== null,
  };
}
