// The surface vocabulary shared by the backend and the web frontend (frontend contract 0.2.0).
// Types only, as upstream's `@dispatch/ui-contract` is: the same names and readonly shapes, no
// runtime and no dependency, so the frontend and upstream's packages compile against it
// unchanged. The zod schemas that check these shapes at a boundary are in
// `@dispatch/ui-contract-schemas`, which a merge can take or leave.

// ---- surface spec ------------------------------------------------------------------------

/** A coarse placement hint ("side"); clients map unknown regions to their default. */
export type Region = string;

export interface ActionRef {
  readonly actionId: string;
}

export interface SurfaceOption {
  readonly value: string;
  readonly label: string;
}

export interface ToggleField {
  readonly kind: "toggle";
  readonly label: string;
  readonly value: boolean;
  readonly action: ActionRef;
}

/** A ratio in [0, 1], read-only. */
export interface ProgressField {
  readonly kind: "progress";
  readonly label: string;
  readonly value: number;
}

export interface SelectorField {
  readonly kind: "selector";
  readonly label: string;
  readonly value: string;
  readonly options: readonly SurfaceOption[];
  readonly action: ActionRef;
}

export interface StatField {
  readonly kind: "stat";
  readonly label: string;
  readonly value: string;
}

export interface NumberField {
  readonly kind: "number";
  readonly label: string;
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  readonly unit?: string;
  readonly action: ActionRef;
}

export interface ButtonField {
  readonly kind: "button";
  readonly label: string;
  readonly action: ActionRef;
}

/** The escape hatch: a client without a renderer for `rendererId` skips the field. */
export interface CustomField {
  readonly kind: "custom";
  readonly rendererId: string;
  readonly payload: unknown;
}

export type SurfaceField =
  | ToggleField
  | ProgressField
  | SelectorField
  | StatField
  | NumberField
  | ButtonField
  | CustomField;

export interface SurfaceSpec {
  readonly id: string;
  readonly region: Region;
  readonly title: string;
  readonly fields: readonly SurfaceField[];
}

export interface SurfaceCatalogEntry {
  readonly id: string;
  readonly region: Region;
  readonly title: string;
  /** Absent means conversation-scoped (the conservative reading). */
  readonly scope?: "global" | "conversation";
}

export type SurfaceCatalog = readonly SurfaceCatalogEntry[];

/** A pushed change: the full new spec; `conversationId` only for conversation-scoped surfaces. */
export interface SurfaceUpdate {
  readonly surfaceId: string;
  readonly spec: SurfaceSpec;
  readonly conversationId?: string;
}

// ---- surface WebSocket messages ------------------------------------------------------------

export interface SubscribeMessage {
  readonly type: "subscribe";
  readonly surfaceId: string;
  readonly conversationId?: string;
}

export interface UnsubscribeMessage {
  readonly type: "unsubscribe";
  readonly surfaceId: string;
  readonly conversationId?: string;
}

export interface InvokeMessage {
  readonly type: "invoke";
  readonly surfaceId: string;
  readonly actionId: string;
  readonly payload?: unknown;
  readonly conversationId?: string;
}

export type SurfaceClientMessage = SubscribeMessage | UnsubscribeMessage | InvokeMessage;

export interface CatalogMessage {
  readonly type: "catalog";
  readonly catalog: SurfaceCatalog;
}

export interface SurfaceMessage {
  readonly type: "surface";
  readonly spec: SurfaceSpec;
  readonly conversationId?: string;
}

export interface SurfaceUpdateMessage {
  readonly type: "update";
  readonly update: SurfaceUpdate;
}

export interface SurfaceErrorMessage {
  readonly type: "error";
  readonly surfaceId?: string;
  readonly message: string;
}

export type SurfaceServerMessage =
  | CatalogMessage
  | SurfaceMessage
  | SurfaceUpdateMessage
  | SurfaceErrorMessage;

// ---- the cache-warming surface's timer field -------------------------------------------------

/**
 * The payload of the `cache-warming` surface's `custom` field with `rendererId`
 * `"cache-warming-timer"`. Upstream's backend sends the first two keys; this repo's server adds
 * the rest, each optional, so a client written for either reads both (an older backend sends
 * no `state`: derive one from `nextWarmAt`). Times are epoch-ms from the server's clock.
 */
export interface CacheWarmingTimerPayload {
  /** When the next automatic warm is due; null when none is. */
  readonly nextWarmAt: number | null;
  /** When the last warm was recorded; null before any. */
  readonly lastWarmAt: number | null;
  /** The server's clock when it built the spec: count down from `nextWarmAt - serverNow`. */
  readonly serverNow?: number;
  readonly state?: CacheWarmingScheduleState;
  /** Why it is `paused` or `idle` (machine words; `pause` says it for people). */
  readonly reason?: CacheWarmingReason | null;
  /** Which rule paused it, why, and what resumes it; null unless `state` is `paused`. */
  readonly pause?: CacheWarmingPause | null;
  /** The interval the schedule really waits (the user's, shortened to the model's cache). */
  readonly intervalMs?: number;
  /** The model automatic warms keep warm; null for the provider's default. */
  readonly model?: string | null;
  /** The longest interval the model's cache allows; null when its cache lifetime is unknown. */
  readonly maxIntervalMs?: number | null;
  /** The model's cache lifetime; null when unknown. */
  readonly cacheTtlMs?: number | null;
  /** Whether the model's prices are known (else the ledger's dollars are null). */
  readonly pricesKnown?: boolean;
  /** The last failed warm, until a warm succeeds. */
  readonly lastFailure?: { readonly message: string; readonly at: number } | null;
  /** The last warms, oldest first (at most 20), kept across restarts. */
  readonly history?: readonly CacheWarmingHistoryEntry[];
  /** What warming cost and saved here, in USD; null dollars when prices are unknown. */
  readonly ledger?: {
    readonly spentUsd: number | null;
    readonly savedUsd: number | null;
    readonly netUsd: number | null;
    readonly warms: number;
    readonly turnsSaved: number;
  };
  /** When to stop warming: `fixed` (every interval until the idle cap), `break-even`, `adaptive`. */
  readonly policy?: "fixed" | "break-even" | "adaptive";
  /** Automatic warms allowed without a turn (0: no cap), and those made since the last one. */
  readonly idleWarmCap?: number;
  readonly autoWarmsSinceTurn?: number;
  /** The last action the surface refused and why, until the next accepted one. */
  readonly lastRefusal?: {
    readonly action: string;
    readonly message: string;
    readonly at: number;
  } | null;
}

/**
 * `loading` (stored settings being read), `off`, `generating` (a turn runs), `warming` (an
 * automatic warm waits for the provider), `paused`, `scheduled` (`nextWarmAt` says when),
 * `idle` (on, but waiting for a turn: see `reason`).
 */
export type CacheWarmingScheduleState =
  | "loading"
  | "off"
  | "generating"
  | "warming"
  | "paused"
  | "scheduled"
  | "idle";

/**
 * `paused`: `idle-cap`, `dead-cache`, `not-worth-it` (a policy), `budget` (the server's), or
 * `self-caching` (the model); `idle`: `awaiting-turn` or `cache-expired`. A newer server may
 * send others: show `pause.why`, or a neutral word.
 */
export type CacheWarmingReason =
  | "idle-cap"
  | "dead-cache"
  | "not-worth-it"
  | "budget"
  | "self-caching"
  | "awaiting-turn"
  | "cache-expired"
  | (string & {});

export interface CacheWarmingPause {
  /** The rule, in words ("the idle cap"). */
  readonly rule: string;
  /** Why, in a sentence. */
  readonly why: string;
  /** What starts warming again, in words. */
  readonly resumes: string;
}

export interface CacheWarmingHistoryEntry {
  /** When it finished (or was sent, for one whose answer a restart lost). */
  readonly at: number;
  readonly trigger: "auto" | "manual";
  readonly model: string | null;
  /** Share of the input read from the cache; null for a failed warm. */
  readonly cachePct: number | null;
  /** What it cost in USD; null when the model's prices are unknown, or it failed. */
  readonly costUsd: number | null;
  /** Why it failed; null for a good warm. */
  readonly error: string | null;
}
