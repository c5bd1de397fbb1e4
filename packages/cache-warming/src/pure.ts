// Upstream's pure core (realtradam/dispatch `packages/cache-warming/src/pure.ts`), name for name
// and behaviour for behaviour, then the few constants and the field builder this package adds.
// Nothing here reads a clock, touches a timer or does I/O.
import type {
  CustomField,
  NumberField,
  StatField,
  SurfaceField,
  SurfaceSpec,
  ToggleField,
} from "@dispatch/ui-contract";
import type { TimerPayload } from "./spec.js";

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

// ==== this package's additions to upstream's file ==========================================

export const SURFACE_ID = "cache-warming";

export const SURFACE_REGION = "side";

export const SURFACE_TITLE = "Cache Warming";

export const TIMER_RENDERER_ID = "cache-warming-timer";

export const ACTION_IDS = {
  toggle: "cache-warming/toggle",
  setInterval: "cache-warming/set-interval",
  warmNow: "cache-warming/warm-now",
} as const;

export const SURFACE_FRAME = {
  id: SURFACE_ID,
  region: SURFACE_REGION,
  title: SURFACE_TITLE,
} as const;

/** A day: any longer and every provider cache has long expired between warms. */
export const MAX_INTERVAL_MS = 86_400_000;

export function clampIntervalMs(intervalMs: number): number {
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.round(intervalMs)));
}

function percentText(pct: number | null): string {
  return pct === null ? "—" : `${pct}%`;
}

export function baseFields(
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
