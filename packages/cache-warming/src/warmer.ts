// The warmer: upstream's `createCacheWarmer` (the lifecycle handlers, getters and setters over a
// per-conversation state map) plus `warmNow`, composed from one file per concern: memory
// (`conversations.ts`), the countdown (`countdown.ts`), the one warm path (`warm-path.ts`),
// settings changes (`settings-update.ts`), storage (`settings-io.ts`) and restart resume
// (`resume.ts`). A global budget plugs in as a `WarmGate` (`modules/warm-budget.ts`).
import { type Conversations, createConversations } from "./conversations.js";
import { createCountdown } from "./countdown.js";
import type { ModelPricing, PriceSource } from "./model-cache.js";
import type { ConversationContext, ConversationSettings } from "./pure.js";
import { resumeSchedules } from "./resume.js";
import type { WarmRules } from "./rules.js";
import { createSettingsIo, type SettingsIo } from "./settings-io.js";
import { createSettingsSetters } from "./settings-update.js";
import type { CacheWarmingState, NotResumedReason, WarmFailureReason } from "./state.js";
import { copyContext } from "./warm-call.js";
import { createWarmPath } from "./warm-path.js";
import type { WarmOptions, WarmOutcome, WarmResult } from "./warm-service.js";
import { createWriteQueue } from "./write-queue.js";

/** Flat log attributes, as upstream's kernel logger takes them. */
export type LogAttributes = Readonly<Record<string, string | number | boolean | null>>;

/** The part of upstream's kernel `Logger` the warmer uses. */
export interface Logger {
  readonly debug: (msg: string, attrs?: LogAttributes) => void;
  readonly info: (msg: string, attrs?: LogAttributes) => void;
  readonly warn: (msg: string, attrs?: LogAttributes) => void;
  readonly error: (
    msg: string,
    attrs?: { readonly err?: unknown; readonly [key: string]: unknown },
  ) => void;
}

/**
 * Upstream's timer abstraction; `label` (ours, optional) says which warm a timer is for:
 * `warm:<id>` or `warm-timeout:<id>` (the property test checks each kind's delay).
 */
export interface TimerDeps {
  readonly setTimer: (fn: () => void, ms: number, label?: string) => number;
  readonly clearTimer: (id: number) => void;
}

/** The part of upstream's kernel `StorageNamespace` the warmer uses. */
export interface SettingsStorage {
  readonly get: (key: string) => Promise<string | null>;
  readonly set: (key: string, value: string) => Promise<void>;
  /** Used to forget a schedule record once warming is off. */
  readonly delete?: (key: string) => Promise<void>;
  /** Used by `resumeSchedules` to find the schedules to resume after a restart. */
  readonly keys?: (prefix?: string) => Promise<readonly string[]>;
}

export interface CacheWarmerDeps {
  /** Upstream's `WarmService["warm"]`. */
  readonly warm: (conversationId: string, opts?: WarmOptions) => Promise<WarmOutcome>;
  readonly storage: SettingsStorage;
  readonly logger: Logger;
  readonly timers: TimerDeps;
  /** Epoch-ms. */
  readonly now: () => number;
  /** Called once after every visible change; this package passes the conversation that changed. */
  readonly onSurfaceChange: (conversationId?: string) => void;
  /** A warm the provider has not answered by then counts as failed. Default 30 s. */
  readonly warmTimeoutMs?: number;
  /** Least time between two manual warms of one conversation. Default 1 s; 0 = no limit. */
  readonly manualWarmMinGapMs?: number;
  /**
   * How long the provider keeps an untouched prefix when the model's price table does not
   * say: decides what resumes after a restart and the longest interval. Default 5 minutes.
   */
  readonly cacheTtlMs?: number;
  /**
   * Cache lifetimes (and prices) per model: a table such as `DEFAULT_PRICES`, or a catalog's
   * lookup; a model it does not know lives `cacheTtlMs` and warms unpriced. Default: none.
   */
  readonly prices?: PriceSource;
  /** The price-table entry for warms that name no model (the provider's default model). */
  readonly defaultModel?: string;
  /** Decides whether a warm call may start: the seam for a global budget (`createWarmBudget`). */
  readonly warmGate?: WarmGate;
  /**
   * What the warmer counts, charges and pauses for beyond upstream's behaviour (the spend
   * guard, break-even, the ledger: `STANDARD_RULES` has all three). Default: none.
   */
  readonly rules?: WarmRules;
  /** Conversations with warming enabled at once; 0 = no limit. */
  readonly maxEnabledConversations?: number;
  /**
   * Keep `schedule:<id>` records so schedules resume after a restart (default true). Pointless
   * with storage that does not outlive the process, which then saves their memory.
   */
  readonly persistSchedules?: boolean;
  /**
   * Whether a conversation with nothing running may leave memory (its last percentages go
   * with it): the seam for memory release (`forgetUnwatched`). Without it, conversations
   * stay, as upstream's do.
   */
  readonly mayForget?: (conversationId: string, state: CacheWarmingState) => boolean;
}

/** What the warmer has done and refused since it started. */
export interface WarmerStats {
  readonly warmCalls: number;
  readonly budgetRefusals: number;
  readonly enabledRefusals: number;
  readonly conversationsInMemory: number;
  /** Conversations with a settings write queued or running. */
  readonly pendingWrites: number;
  readonly enabledConversations: number;
}

/**
 * May a warm call start? Asked before every new call to the warm service, manual or automatic
 * (joining a warm in flight is not a call); a refusal says when to retry and why, for the user.
 */
export interface WarmGate {
  take(
    conversationId: string,
  ):
    | { readonly ok: true }
    | { readonly ok: false; readonly retryAfterMs: number; readonly error: string };
  /** A warm answered: what it used, and its model's prices when known. */
  charge?(usage: WarmResult, pricing: ModelPricing | null): void;
  /** Reads what the last run left (before schedules resume). */
  restore?(): Promise<void>;
  /** Stores what it holds now (at dispose). */
  flush?(): void;
  /** Resolves once its writes are done. */
  drain?(): Promise<void>;
  /** Refusals so far (for `stats`). */
  refusals?(): number;
}

/** Upstream's warm-completed event payload. */
export interface WarmCompletedPayload {
  readonly conversationId: string;
  readonly usage: WarmResult;
}

export const DEFAULT_WARM_TIMEOUT_MS = 30_000;
export const DEFAULT_MANUAL_WARM_MIN_GAP_MS = 1_000;

/** What `resumeSchedules` did with each enabled schedule it found. */
export interface ResumeReport {
  readonly resumed: readonly { readonly conversationId: string; readonly at: number }[];
  readonly notResumed: readonly {
    readonly conversationId: string;
    readonly reason: NotResumedReason;
  }[];
}

export interface ResumeOptions {
  /** Ids the host would accept from a client; a stored one it would not is left alone. */
  readonly accepts?: (conversationId: string) => boolean;
}

export type WarmNowResult =
  | {
      readonly ok: true;
      readonly usage: WarmResult;
      readonly cachePct: number;
      readonly expectedCacheRate: number;
      readonly lastWarmAt: number;
      readonly nextWarmAt: number | null;
    }
  | {
      readonly ok: false;
      readonly reason: "generating" | "rate-limited" | "budget" | "closed" | WarmFailureReason;
      readonly error: string;
      readonly retryAfterMs?: number;
    };

export interface CacheWarmer {
  // ---- upstream's API ----
  onTurnStarted(conversationId: string): void;
  /**
   * Arms (when enabled) and notifies synchronously, as upstream does. The promise resolves
   * once persisted settings are loaded (a conversation seen for the first time since start).
   */
  onTurnSettled(conversationId: string, ctx?: ConversationContext): Promise<void>;
  /** A warm finished somewhere (upstream's `warmCompleted` event): record, re-arm, notify. */
  onWarmCompleted(payload: WarmCompletedPayload): void;
  onConversationClosed(conversationId: string): Promise<void>;
  getState(conversationId: string): CacheWarmingState;
  getContext(conversationId: string): ConversationContext;
  setEnabled(conversationId: string, enabled: boolean): Promise<ConversationSettings>;
  /**
   * Rounds and clamps into [MIN_INTERVAL_MS, the model's longest interval]; NaN or ≤ 0 becomes
   * the minimum. (Over HTTP and on the surface a too-long interval is refused instead.)
   */
  setIntervalMs(conversationId: string, intervalMs: number): Promise<ConversationSettings>;
  dispose(): void;
  // ---- this package's additions ----
  warmNow(conversationId: string, opts?: ConversationContext): Promise<WarmNowResult>;
  toggleEnabled(conversationId: string): Promise<ConversationSettings>;
  /**
   * Changes a setting an opt-in module keeps (its record with `setting: true`, such as the
   * spend limits: `setSpendLimits`): stored before it applies, in call order with the other
   * setters. Resolves to the state after.
   */
  changeSettings(
    conversationId: string,
    change: (state: CacheWarmingState) => Partial<CacheWarmingState>,
  ): Promise<CacheWarmingState>;
  /** Loads persisted settings so `getState` reflects them; safe to call repeatedly. */
  ensureLoaded(conversationId: string): Promise<void>;
  /** True once this conversation's persisted settings are in memory. */
  isLoaded(conversationId: string): boolean;
  /**
   * After a restart: every enabled schedule whose cache can still be alive resumes at its old
   * time (at once if that passed); the others say why not. Needs a storage with `keys`.
   */
  resumeSchedules(options?: ResumeOptions): Promise<ResumeReport>;
  /** Resolves once every storage write queued so far has finished (for a clean shutdown). */
  drainWrites(): Promise<void>;
  /** Drops the conversation from memory if nothing runs and `mayForget` lets it go. */
  release(conversationId: string): void;
  stats(): WarmerStats;
}

/** After every visible change: keep counts and records in step, then tell the surface. */
function notifyChange(
  deps: CacheWarmerDeps,
  conversations: Conversations,
  io: SettingsIo,
  id: string,
): void {
  const c = conversations.get(id);
  if (c) {
    conversations.trackEnabled(c);
    io.persist(c);
  }
  try {
    deps.onSurfaceChange(id);
  } catch (err) {
    deps.logger.error("cache-warming: surface change listener threw", {
      conversationId: id,
      err,
    });
  }
  if (c) conversations.releaseIfIdle(c);
}

export function createCacheWarmer(deps: CacheWarmerDeps): CacheWarmer {
  let disposed = false;
  const isShutDown = () => disposed;
  const gate = deps.warmGate;
  const conversations = createConversations(deps, isShutDown);
  // Per conversation id, in call order; outlives a close so a reopened conversation reads
  // what the close wrote.
  const writes = createWriteQueue();
  const io = createSettingsIo(deps, conversations, writes);
  const notify = (id: string) => notifyChange(deps, conversations, io, id);
  const countdown = createCountdown({ deps, conversations, gate, path: () => path, notify });
  const path = createWarmPath({
    deps,
    conversations,
    gate,
    io,
    isShutDown,
    rearm: countdown.rearm,
    notify,
  });
  const setters = createSettingsSetters({
    deps,
    conversations,
    io,
    writes,
    countdown,
    isShutDown,
    notify,
  });

  return {
    onTurnStarted(id) {
      if (disposed) return;
      deps.logger.debug("cache-warming: turn started", { conversationId: id });
      const c = conversations.open(id);
      const started: CacheWarmingState = { ...c.state, active: true };
      c.state = deps.rules?.turnStarted?.(started, deps.now()) ?? started;
      countdown.cancel(c);
      notify(id);
    },

    onTurnSettled(id, ctx = {}) {
      if (disposed) return Promise.resolve();
      deps.logger.debug("cache-warming: turn settled", { conversationId: id });
      const c = conversations.open(id);
      const now = deps.now();
      c.state = { ...c.state, active: false, lastTouchedAt: now, lastTurnSettledAt: now };
      conversations.setContext(c, copyContext(ctx));
      c.state = { ...c.state, switchedFrom: null };
      c.state = deps.rules?.turnSettled?.(c.state) ?? c.state;
      // A turn just read the whole prefix, so the full interval starts now.
      countdown.rearm(c);
      notify(id);
      if (c.settingsLoaded) return Promise.resolve();
      // First sight since start: persisted settings may enable warming after all.
      return io.loadOrLog(c).then(() => {
        if (!conversations.isCurrent(c) || c.state.active) return;
        const wasArmed = c.timerId !== null;
        countdown.reconcile(c);
        if (wasArmed !== (c.timerId !== null)) notify(id);
      });
    },

    onWarmCompleted({ conversationId: id, usage }) {
      if (disposed) return;
      const c = conversations.open(id);
      if (c.flight) {
        c.flight.heldCompletions.push(usage);
        return;
      }
      if (c.unechoedResult !== null && c.unechoedResult === usage) {
        c.unechoedResult = null;
        return;
      }
      path.recordCompletion(c, usage);
    },

    async onConversationClosed(id) {
      const c = conversations.get(id);
      if (c) countdown.cancel(c);
      conversations.close(id);
      if (disposed) return;
      notify(id);
      await io.storeClosed(id);
    },

    getState: (id) => ({ ...conversations.stateOf(id) }),

    getContext: (id) => ({ ...conversations.get(id)?.state.context }),
    setEnabled: setters.setEnabled,
    setIntervalMs: setters.setIntervalMs,

    dispose() {
      gate?.flush?.();
      disposed = true;
      for (const c of conversations.all()) {
        countdown.cancel(c);
        if (c.releaseTimerId !== null) deps.timers.clearTimer(c.releaseTimerId);
        c.flight?.abandon?.();
      }
      conversations.clear();
    },

    warmNow: path.warmNow,
    toggleEnabled: setters.toggleEnabled,
    changeSettings: setters.changeSettings,

    async ensureLoaded(id) {
      if (disposed) return;
      await io.load(conversations.open(id));
    },

    isLoaded: (id) => conversations.get(id)?.settingsLoaded ?? false,

    release(id) {
      const c = conversations.get(id);
      if (c) conversations.releaseIfIdle(c);
    },

    stats: () => ({
      warmCalls: path.calls(),
      budgetRefusals: gate?.refusals?.() ?? 0,
      enabledRefusals: setters.enabledRefusals(),
      conversationsInMemory: conversations.size,
      pendingWrites: writes.size,
      enabledConversations: conversations.enabledCount,
    }),

    async drainWrites() {
      await Promise.all([writes.drain(), gate?.drain?.()]);
    },

    resumeSchedules: (options) =>
      resumeSchedules(
        { deps, conversations, gate, loadSettings: io.load, armTimer: countdown.arm, notify },
        options,
      ),
  };
}
