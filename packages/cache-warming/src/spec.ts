// The cache-warming surface this package serves: upstream's five fields, then its additions, and
// the machine-readable status of the schedule.
import type { SurfaceField, SurfaceSpec } from "@dispatch/ui-contract";
import { ACTION_IDS, baseFields, SURFACE_FRAME } from "./pure.js";
import {
  type CacheWarmingState,
  effectiveIntervalMs,
  type NotResumedReason,
  type PauseReason,
  selfCaching,
  spendLimitsOf,
  type WarmHistoryEntry,
  type WarmPolicy,
} from "./state.js";

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
