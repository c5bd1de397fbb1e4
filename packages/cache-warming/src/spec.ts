// The cache-warming surface this package serves: upstream's five fields, then its additions, and
// the machine-readable status of the schedule.
import type { SurfaceField, SurfaceSpec } from "@dispatch/ui-contract";
import { ACTION_IDS, baseFields, SURFACE_FRAME } from "./pure.js";
import type { WarmRules } from "./rules.js";
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
  /** The opt-in rules the warmer runs: they add their fields, keys and pause words. */
  readonly rules?: WarmRules;
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
      return extras.rules?.describePause?.(state) ?? `Paused (${reason})`;
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
    ...(extras.rules?.statFields?.(state) ?? []),
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
    ...extras.rules?.timerKeys?.(state),
    lastRefusal: extras.lastRefusal ?? null,
    history: state.history,
    switchedFrom: state.switchedFrom,
  };
}

function statusWith(state: CacheWarmingState, extras: SpecExtras): ScheduleStatus {
  return extras.loading === true ? { state: "loading", reason: null } : scheduleStatus(state);
}

/** One conversation's state as `GET /cache-warming/:id` answers it: what the surface shows. */
export function conversationView(
  conversationId: string,
  state: CacheWarmingState,
  now: number,
  rules?: WarmRules,
) {
  const extras = rules === undefined ? {} : { rules };
  return {
    conversationId,
    enabled: state.enabled,
    intervalMs: state.intervalMs,
    lastPct: state.lastPct,
    lastExpectedPct: state.lastExpectedPct,
    ...timerPayloadOf(state, now, extras),
    spendLimits: spendLimitsOf(state),
    schedule: describeSchedule(state, extras),
    pricesKnown: state.economics.pricing !== null,
  };
}
