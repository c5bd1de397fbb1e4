// Upstream's pure core of cache warming, name for name: settings, percentages, the schedule's
// token check and the surface spec. No clock, no timer, no I/O. Below it, the shapes the
// warmer, its hooks and its host share (this is the bottom of the package: it imports nothing
// of the package's own).
import type { StatField, SurfaceField, SurfaceSpec } from "@dispatch/ui-contract";

/** What is stored per conversation, exactly as upstream stores it. */
export interface ConversationSettings {
  readonly enabled: boolean;
  readonly intervalMs: number;
}

/** What the warmer holds per conversation (`getState`). */
export interface ConversationState extends ConversationSettings {
  /** A turn is generating: no warm is sent or scheduled. */
  readonly active: boolean;
  readonly lastPct: number | null;
  readonly lastExpectedPct: number | null;
  /** Epoch-ms of the last recorded warm. */
  readonly lastWarmAt: number | null;
  /** Epoch-ms the pending automatic warm fires; null when none is pending. */
  readonly nextWarmAt: number | null;
  /** Names the pending automatic warm: every arm takes a new one. */
  readonly token: number;
}

/** The cwd and model a warm replays: the last settled turn's. */
export interface ConversationContext {
  readonly cwd?: string;
  readonly modelName?: string;
}

export const DEFAULT_INTERVAL_MS = 240_000;
export const MIN_INTERVAL_MS = 1000;

/** Share of the input read from the cache, whole percent in [0, 100]. */
export function computeCachePct(inputTokens: number, cacheReadTokens: number): number {
  if (inputTokens <= 0) return 0;
  return Math.round(100 * Math.min(1, Math.max(0, cacheReadTokens / inputTokens)));
}

/** Share of the cacheable prefix still cached (read rather than written again), [0, 100]. */
export function computeExpectedCacheRate(
  cacheReadTokens: number,
  cacheWriteTokens: number,
): number {
  const cacheable = cacheReadTokens + cacheWriteTokens;
  if (cacheable <= 0) return 0;
  return Math.round((100 * cacheReadTokens) / cacheable);
}

/** A pending automatic warm may go: enabled, idle, and still the schedule's current one. */
export function shouldWarm(state: ConversationState, currentToken: number): boolean {
  return state.enabled && !state.active && state.token === currentToken;
}

export function isTokenCurrent(current: number, expected: number): boolean {
  return current === expected;
}

/** An interval as stored: rounded, at least the minimum (anything ≤ 0 becomes it). */
function clampInterval(intervalMs: number): number {
  return Math.max(MIN_INTERVAL_MS, Math.round(intervalMs));
}

/** Stored settings; anything unreadable is the default: warming off, the default interval. */
export function parseSettings(raw: string | null): ConversationSettings {
  let json: unknown = null;
  try {
    json = JSON.parse(raw ?? "null");
  } catch {}
  const { enabled, intervalMs } = (typeof json === "object" ? (json ?? {}) : {}) as Record<
    string,
    unknown
  >;
  return {
    enabled: typeof enabled === "boolean" ? enabled : false,
    intervalMs:
      typeof intervalMs === "number" && Number.isFinite(intervalMs)
        ? clampInterval(intervalMs)
        : DEFAULT_INTERVAL_MS,
  };
}

/** Exactly the two stored keys, whatever else the object carries. */
export function serializeSettings(settings: ConversationSettings): string {
  return JSON.stringify({ enabled: settings.enabled, intervalMs: settings.intervalMs });
}

export function settingsKey(conversationId: string): string {
  return `settings:${conversationId}`;
}

export function msToSeconds(intervalMs: number): number {
  return Math.round(intervalMs / 1000);
}

/** Seconds from the UI in ms, at least the minimum; null for NaN, ±∞ or ≤ 0. */
export function secondsToMs(seconds: number): number | null {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return clampInterval(seconds * 1000);
}

/** An interval given to the warmer: NaN, ±∞ and ≤ 0 become the minimum. */
export function intervalOf(intervalMs: number): number {
  return Number.isFinite(intervalMs) && intervalMs > 0
    ? clampInterval(intervalMs)
    : MIN_INTERVAL_MS;
}

export const SURFACE = { id: "cache-warming", region: "side", title: "Cache Warming" } as const;

export const TIMER_RENDERER_ID = "cache-warming-timer";
const TOGGLE = "cache-warming/toggle";
const SET_INTERVAL = "cache-warming/set-interval";

/** Toggle, interval, last cache %, cache retention, and the timer the countdown reads. */
export function buildConversationSpec(
  enabled: boolean,
  intervalMs: number,
  lastPct: number | null,
  lastExpectedPct: number | null,
  nextWarmAt: number | null,
  lastWarmAt: number | null,
): SurfaceSpec {
  const stat = (label: string, pct: number | null): StatField => ({
    kind: "stat",
    label,
    value: pct === null ? "—" : `${pct}%`,
  });
  const fields: SurfaceField[] = [
    { kind: "toggle", label: "Enabled", value: enabled, action: { actionId: TOGGLE } },
    {
      kind: "number",
      label: "Refresh Interval",
      value: msToSeconds(intervalMs),
      ...{ min: 1, step: 1, unit: "s" },
      action: { actionId: SET_INTERVAL },
    },
    stat("Last Cache %", lastPct),
    stat("Cache retention", lastExpectedPct),
    { kind: "custom", rendererId: TIMER_RENDERER_ID, payload: { nextWarmAt, lastWarmAt } },
  ];
  return { ...SURFACE, fields };
}

/** No conversation in focus. */
export function buildDefaultSpec(): SurfaceSpec {
  return {
    ...SURFACE,
    fields: [{ kind: "stat", label: "Status", value: "No conversation focused" }],
  };
}

/** `set-interval`'s seconds, bare or as `{ value }`; null for anything else or ≤ 0. */
export function parseIntervalPayload(payload: unknown): number | null {
  const value =
    typeof payload === "object" && payload !== null && "value" in payload
      ? (payload as { value: unknown }).value
      : payload;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

// ---- shapes the warmer, its hooks and its host share ---------------------------------------

/** One warm's token usage, as upstream's warm service reports it. */
export interface WarmResult {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
}

/** A warm service answers its usage, or `{ error }` when it will not warm (generating…). */
export type WarmOutcome = WarmResult | { readonly error: string };

/** Upstream's warm-completed event: how every warm reaches the warmer's record. */
export interface WarmCompletedPayload {
  readonly conversationId: string;
  readonly usage: WarmResult;
}

export type WarmTrigger = "auto" | "manual";

/** Why no warm was made: the service `refused` or `failed` (threw, answered nonsense), or a hook's own reason. */
export interface WarmRefusal {
  readonly reason: string;
  readonly error: string;
  readonly retryAfterMs?: number;
}

export type WarmNowResult =
  | {
      readonly ok: true;
      readonly usage: WarmResult;
      readonly cachePct: number;
      readonly expectedCacheRate: number;
      readonly lastWarmAt: number | null;
      readonly nextWarmAt: number | null;
    }
  | ({ readonly ok: false } & WarmRefusal);

/**
 * Where an extra plugs in: each hook optional, each extra's called in the order given. The
 * warmer knows nothing of what extras keep. No hooks: upstream's warmer.
 */
export interface WarmerHooks {
  /** May a new call go to the service? The first refusal wins; may answer later. */
  beforeWarm?(
    conversationId: string,
    trigger: WarmTrigger,
    context: ConversationContext,
  ): WarmRefusal | undefined | Promise<WarmRefusal | undefined>;
  /** The call goes to the service now. */
  warmStarted?(conversationId: string, trigger: WarmTrigger, context: ConversationContext): void;
  /** A completion was recorded, before the re-arm; `trigger` null: a warm started elsewhere. */
  warmRecorded?(
    conversationId: string,
    usage: WarmResult,
    trigger: WarmTrigger | null,
    context: ConversationContext,
  ): void;
  /** A call failed: the service refused, threw, or did not answer in time. */
  warmFailed?(conversationId: string, refusal: WarmRefusal, trigger: WarmTrigger): void;
  turnStarted?(conversationId: string): void;
  turnSettled?(conversationId: string, context: ConversationContext): void;
  closed?(conversationId: string): void;
  /** Settings are about to be stored: throw to refuse the change (nothing is stored). */
  settingsChanging?(
    conversationId: string,
    next: ConversationSettings,
    current: ConversationState,
  ): void | Promise<void>;
  /** The next warm's delay: ms, null (none), undefined (the interval). Least wins; null stops. */
  schedule?(conversationId: string, state: ConversationState): number | null | undefined;
  /** After every change, before subscribers hear of it. */
  changed?(conversationId: string, state: ConversationState): void;
  /** The spec a subscriber gets, as this extra shows it (fields, timer keys, bounds). */
  spec?(conversationId: string, spec: SurfaceSpec, state: ConversationState): SurfaceSpec;
  /** Surface actions by id; one named like the core's (toggle, set-interval) replaces it. */
  readonly actions?: Readonly<
    Record<string, (conversationId: string, payload: unknown) => Promise<void>>
  >;
}
