// The pure core of cache warming: state, numbers, settings, decisions and the surface spec.
// Nothing here reads a clock, touches a timer or does I/O; the warmer shell passes `now` in.
import type { SurfaceField, SurfaceSpec } from "@dispatch/ui-contract";
import type { WarmUsage } from "@dispatch/warm-service";
import { z } from "zod";

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

export const DEFAULT_INTERVAL_MS = 240_000;
export const MIN_INTERVAL_MS = 1_000;
/** A day: any longer and every provider cache has long expired between warms. */
export const MAX_INTERVAL_MS = 86_400_000;
/** One hour of warming at the default interval, then the schedule pauses until a turn. */
export const DEFAULT_IDLE_WARM_CAP = 15;
/** Two automatic warms in a row that read nothing from the cache pause the schedule. */
export const DEFAULT_DEAD_WARM_LIMIT = 2;

export interface CacheWarmingSettings {
  enabled: boolean;
  intervalMs: number;
  /** Automatic warms allowed since the last settled turn; 0 = unlimited. */
  idleWarmCap: number;
  /** Consecutive automatic warms with a 0 % expected cache rate before pausing; 0 = never. */
  deadWarmLimit: number;
}

export const DEFAULT_SETTINGS: Readonly<CacheWarmingSettings> = Object.freeze({
  enabled: false,
  intervalMs: DEFAULT_INTERVAL_MS,
  idleWarmCap: DEFAULT_IDLE_WARM_CAP,
  deadWarmLimit: DEFAULT_DEAD_WARM_LIMIT,
});

export type PauseReason = "idle-cap" | "dead-cache";

export interface CacheWarmingState extends CacheWarmingSettings {
  /** A turn is generating: never warm, never schedule. */
  active: boolean;
  lastPct: number | null;
  lastExpectedPct: number | null;
  /** Epoch-ms of the last successful warm, manual or automatic. */
  lastWarmAt: number | null;
  /** Epoch-ms the pending automatic warm fires; null exactly when none is pending. */
  nextWarmAt: number | null;
  lastError: string | null;
  autoWarmsSinceTurn: number;
  deadWarmStreak: number;
  pausedBy: PauseReason | null;
}

export function initialState(settings: CacheWarmingSettings = DEFAULT_SETTINGS): CacheWarmingState {
  return {
    ...settings,
    active: false,
    lastPct: null,
    lastExpectedPct: null,
    lastWarmAt: null,
    nextWarmAt: null,
    lastError: null,
    autoWarmsSinceTurn: 0,
    deadWarmStreak: 0,
    pausedBy: null,
  };
}

// ---- numbers ---------------------------------------------------------------------------

/** Share of the request's input that was read from the cache, in whole percent. */
export function cachePct(usage: WarmUsage): number {
  if (usage.inputTokens <= 0) return 0;
  const ratio = Math.min(1, Math.max(0, usage.cacheReadTokens / usage.inputTokens));
  return Math.round(100 * ratio);
}

/** Share of the cacheable prefix that was still cached (read rather than re-written). */
export function expectedCacheRate(usage: WarmUsage): number {
  const cacheable = usage.cacheReadTokens + usage.cacheWriteTokens;
  if (cacheable <= 0) return 0;
  return Math.round((100 * usage.cacheReadTokens) / cacheable);
}

// ---- settings --------------------------------------------------------------------------

export function settingsKey(conversationId: string): string {
  return `settings:${conversationId}`;
}

export const intervalMsSchema = z.number().int().min(MIN_INTERVAL_MS).max(MAX_INTERVAL_MS);
const countSchema = z.number().int().min(0).max(1_000_000);

// Each field falls back on its own, so one bad or missing value (an older backend wrote
// only `enabled` and `intervalMs`) does not throw the others away.
const storedSettingsSchema = z.object({
  enabled: z.boolean().catch(DEFAULT_SETTINGS.enabled),
  intervalMs: intervalMsSchema.catch(DEFAULT_SETTINGS.intervalMs),
  idleWarmCap: countSchema.catch(DEFAULT_SETTINGS.idleWarmCap),
  deadWarmLimit: countSchema.catch(DEFAULT_SETTINGS.deadWarmLimit),
});

export function parseSettings(raw: string | null): CacheWarmingSettings {
  if (raw === null) return { ...DEFAULT_SETTINGS };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  const parsed = storedSettingsSchema.safeParse(json);
  return parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
}

export function serializeSettings(settings: CacheWarmingSettings): string {
  const { enabled, intervalMs, idleWarmCap, deadWarmLimit } = settings;
  return JSON.stringify({ enabled, intervalMs, idleWarmCap, deadWarmLimit });
}

export function settingsOf(state: CacheWarmingState): CacheWarmingSettings {
  const { enabled, intervalMs, idleWarmCap, deadWarmLimit } = state;
  return { enabled, intervalMs, idleWarmCap, deadWarmLimit };
}

// ---- decisions -------------------------------------------------------------------------

/** Whether an automatic warm should be pending for this state. */
export function shouldSchedule(state: CacheWarmingState): boolean {
  return state.enabled && !state.active && state.pausedBy === null;
}

export type WarmTrigger = "manual" | "auto";

export type WarmFailureReason = "refused" | "failed" | "timeout";

/** What one call to the warm service came to. */
export type WarmAttempt =
  | { kind: "ok"; usage: WarmUsage }
  | { kind: "failure"; reason: WarmFailureReason; error: string };

export type ManualWarmRefusal =
  | { reason: "generating"; error: string }
  | { reason: "rate-limited"; error: string; retryAfterMs: number };

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
  let next: CacheWarmingState =
    attempt.kind === "ok"
      ? {
          ...state,
          lastPct: cachePct(attempt.usage),
          lastExpectedPct: expectedCacheRate(attempt.usage),
          lastWarmAt: now,
          lastError: null,
        }
      : { ...state, lastError: attempt.error };
  if (trigger === "manual") return resetIdleStretch(next);

  const autoWarmsSinceTurn = next.autoWarmsSinceTurn + 1;
  let deadWarmStreak = next.deadWarmStreak;
  if (attempt.kind === "ok") {
    deadWarmStreak = expectedCacheRate(attempt.usage) === 0 ? deadWarmStreak + 1 : 0;
  }
  next = { ...next, autoWarmsSinceTurn, deadWarmStreak };
  if (next.idleWarmCap > 0 && autoWarmsSinceTurn >= next.idleWarmCap) {
    return { ...next, pausedBy: "idle-cap" };
  }
  if (next.deadWarmLimit > 0 && deadWarmStreak >= next.deadWarmLimit) {
    return { ...next, pausedBy: "dead-cache" };
  }
  return next;
}

// ---- action payloads -------------------------------------------------------------------

const intervalSecondsSchema = z
  .number()
  .int("interval must be a whole number of seconds")
  .min(MIN_INTERVAL_MS / 1000, `interval must be at least ${MIN_INTERVAL_MS / 1000} s`)
  .max(MAX_INTERVAL_MS / 1000, `interval must be at most ${MAX_INTERVAL_MS / 1000} s`);
const intervalPayloadSchema = z.union([z.number(), z.object({ value: z.number() })]);

/** `set-interval` takes seconds, as a number or `{ value }`; returns milliseconds. */
export function parseIntervalPayload(payload: unknown): number {
  const shape = intervalPayloadSchema.safeParse(payload);
  if (!shape.success) {
    throw new Error("set-interval expects seconds as a number or { value: number }");
  }
  const seconds = typeof shape.data === "number" ? shape.data : shape.data.value;
  const parsed = intervalSecondsSchema.safeParse(seconds);
  if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? "invalid interval");
  return parsed.data * 1000;
}

export interface SpendLimits {
  idleWarmCap?: number;
  deadWarmLimit?: number;
}

export const spendLimitsSchema = z
  .object({ idleWarmCap: countSchema.optional(), deadWarmLimit: countSchema.optional() })
  .refine((limits) => limits.idleWarmCap !== undefined || limits.deadWarmLimit !== undefined, {
    message: "give idleWarmCap and/or deadWarmLimit",
  });

/** `set-spend-limits` takes `{ idleWarmCap?, deadWarmLimit? }`, whole numbers ≥ 0 (0 = off). */
export function parseSpendLimitsPayload(payload: unknown): SpendLimits {
  const parsed = spendLimitsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new Error(
      `set-spend-limits expects { idleWarmCap?, deadWarmLimit? }: ${where}${issue?.message}`,
    );
  }
  return parsed.data;
}

const togglePayloadSchema = z.union([
  z.undefined(),
  z.null(),
  z.boolean(),
  z.object({ value: z.boolean() }).transform((payload) => payload.value),
]);

/** `toggle` flips without a payload; a boolean (or `{ value }`) sets it, so retries are safe. */
export function parseTogglePayload(payload: unknown): boolean | null {
  const parsed = togglePayloadSchema.safeParse(payload);
  if (!parsed.success)
    throw new Error("toggle expects no payload, a boolean or { value: boolean }");
  return parsed.data ?? null;
}

// ---- the surface -----------------------------------------------------------------------

export interface TimerPayload {
  nextWarmAt: number | null;
  lastWarmAt: number | null;
  /** Epoch-ms when the spec was built, so a client with a skewed clock can count down. */
  serverNow: number;
}

function percentText(pct: number | null): string {
  return pct === null ? "—" : `${pct}%`;
}

export function describeSchedule(state: CacheWarmingState): string {
  if (!state.enabled) return "Off";
  if (state.active) return "Waiting for the turn to finish";
  if (state.pausedBy === "idle-cap") {
    return `Paused: ${state.autoWarmsSinceTurn} warms since last turn`;
  }
  if (state.pausedBy === "dead-cache") return "Paused: cache not retained";
  return state.nextWarmAt === null ? "Not scheduled" : "Scheduled";
}

/**
 * The cache-warming surface. The frontend reads fields by kind, so the first four keep
 * their kinds, labels and order; everything added since goes after them.
 */
export function buildCacheWarmingSpec(
  state: CacheWarmingState | null,
  serverNow: number,
): SurfaceSpec {
  const frame = { id: SURFACE_ID, region: SURFACE_REGION, title: SURFACE_TITLE };
  if (state === null) {
    return {
      ...frame,
      fields: [{ kind: "stat", label: "Status", value: "No conversation focused" }],
    };
  }
  const timer: TimerPayload = {
    nextWarmAt: state.nextWarmAt,
    lastWarmAt: state.lastWarmAt,
    serverNow,
  };
  const fields: SurfaceField[] = [
    {
      kind: "toggle",
      label: "Enabled",
      value: state.enabled,
      action: { actionId: ACTION_IDS.toggle },
    },
    {
      kind: "number",
      label: "Refresh Interval",
      value: state.intervalMs / 1000,
      min: MIN_INTERVAL_MS / 1000,
      step: 1,
      unit: "s",
      action: { actionId: ACTION_IDS.setInterval },
    },
    { kind: "stat", label: "Last Cache %", value: percentText(state.lastPct) },
    { kind: "stat", label: "Cache retention", value: percentText(state.lastExpectedPct) },
    { kind: "custom", rendererId: TIMER_RENDERER_ID, payload: timer },
    { kind: "button", label: "Warm now", action: { actionId: ACTION_IDS.warmNow } },
    { kind: "stat", label: "Schedule", value: describeSchedule(state) },
    { kind: "stat", label: "Last error", value: state.lastError ?? "—" },
  ];
  return { ...frame, fields };
}
