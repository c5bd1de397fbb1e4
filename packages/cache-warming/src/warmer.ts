// The shell around the pure core: it owns timers, in-flight warms and settings I/O.
// Every warm, manual or automatic, goes through `runWarm` → `finishWarm`, the one place
// that records the result, re-arms the timer and notifies.
import type { KeyValueStorage } from "@dispatch/kv-storage";
import type { WarmOptions, WarmResult, WarmService, WarmUsage } from "@dispatch/warm-service";
import { z } from "zod";
import {
  type CacheWarmingSettings,
  type CacheWarmingState,
  cachePct,
  expectedCacheRate,
  initialState,
  intervalMsSchema,
  MAX_INTERVAL_MS,
  MIN_INTERVAL_MS,
  parseSettings,
  recordWarm,
  refuseManualWarm,
  resetIdleStretch,
  type SpendLimits,
  serializeSettings,
  settingsKey,
  settingsOf,
  shouldSchedule,
  spendLimitsSchema,
  type WarmAttempt,
  type WarmFailureReason,
  type WarmTrigger,
} from "./pure.js";

export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface Timers {
  /** `label` says what the timer is for (`warm:<id>`, `warm-timeout:<id>`); for diagnostics. */
  setTimer(fn: () => void, ms: number, label?: string): unknown;
  clearTimer(id: unknown): void;
}

export interface CacheWarmerDeps {
  warm: WarmService;
  storage: KeyValueStorage;
  logger: Logger;
  timers: Timers;
  /** Epoch-ms. */
  now(): number;
  /** Called once after every visible change, with the conversation that changed. */
  onSurfaceChange(conversationId?: string): void;
  /** A warm the provider has not answered by then counts as failed. Default 30 s. */
  warmTimeoutMs?: number;
  /** Least time between two manual warms of one conversation. Default 1 s; 0 = no limit. */
  manualWarmMinGapMs?: number;
}

export const DEFAULT_WARM_TIMEOUT_MS = 30_000;
export const DEFAULT_MANUAL_WARM_MIN_GAP_MS = 1_000;

export type WarmNowResult =
  | {
      ok: true;
      usage: WarmUsage;
      cachePct: number;
      expectedCacheRate: number;
      lastWarmAt: number;
      nextWarmAt: number | null;
    }
  | {
      ok: false;
      reason: "generating" | "rate-limited" | "closed" | WarmFailureReason;
      error: string;
      retryAfterMs?: number;
    };

export interface CacheWarmer {
  onTurnStarted(conversationId: string): void;
  onTurnSettled(conversationId: string, opts?: WarmOptions): Promise<void>;
  setEnabled(conversationId: string, enabled: boolean): Promise<void>;
  toggleEnabled(conversationId: string): Promise<void>;
  setIntervalMs(conversationId: string, intervalMs: number): Promise<void>;
  /** Per-conversation spend guard (persisted); changing it starts a fresh idle stretch. */
  setSpendLimits(conversationId: string, limits: SpendLimits): Promise<void>;
  warmNow(conversationId: string, opts?: WarmOptions): Promise<WarmNowResult>;
  onConversationClosed(conversationId: string): Promise<void>;
  /** Loads persisted settings so `getState` reflects them; safe to call repeatedly. */
  ensureLoaded(conversationId: string): Promise<void>;
  getState(conversationId: string): CacheWarmingState;
  dispose(): void;
}

interface TimerHandle {
  id: unknown;
}

interface Conversation {
  readonly id: string;
  state: CacheWarmingState;
  /** cwd/model of the last settled turn, reused by automatic warms. */
  context: WarmOptions;
  timer: TimerHandle | null;
  inFlight: Promise<WarmNowResult> | null;
  /** Ends the in-flight provider call early (close, dispose). */
  abandonFlight: (() => void) | null;
  settingsLoad: Promise<void> | null;
  settingsLoaded: boolean;
  lastManualWarmAt: number | null;
}

const nonNegative = z.number().finite().min(0);
const warmResultSchema = z.union([
  z.object({ error: z.string() }),
  z.object({
    inputTokens: nonNegative,
    outputTokens: nonNegative,
    cacheReadTokens: nonNegative,
    cacheWriteTokens: nonNegative,
  }),
]);

function toAttempt(result: WarmResult): WarmAttempt {
  const parsed = warmResultSchema.safeParse(result);
  if (!parsed.success) {
    return { kind: "failure", reason: "failed", error: "warm service returned an invalid result" };
  }
  if ("error" in parsed.data)
    return { kind: "failure", reason: "refused", error: parsed.data.error };
  const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = parsed.data;
  return { kind: "ok", usage: { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createCacheWarmer(deps: CacheWarmerDeps): CacheWarmer {
  const conversations = new Map<string, Conversation>();
  // Settings writes per conversation id, in call order; outlives a close so a reopened
  // conversation reads what the close wrote.
  const settingsQueues = new Map<string, Promise<void>>();
  let disposed = false;

  const isCurrent = (c: Conversation) => conversations.get(c.id) === c;

  function conversation(id: string): Conversation {
    let c = conversations.get(id);
    if (!c) {
      c = {
        id,
        state: initialState(),
        context: {},
        timer: null,
        inFlight: null,
        abandonFlight: null,
        settingsLoad: null,
        settingsLoaded: false,
        lastManualWarmAt: null,
      };
      if (!disposed) conversations.set(id, c);
    }
    return c;
  }

  function notify(id: string): void {
    try {
      deps.onSurfaceChange(id);
    } catch (error) {
      deps.logger.error("surface change listener threw", { conversationId: id, error });
    }
  }

  // ---- timers --------------------------------------------------------------------------

  function cancelTimer(c: Conversation): void {
    if (c.timer) deps.timers.clearTimer(c.timer.id);
    c.timer = null;
    c.state = { ...c.state, nextWarmAt: null };
  }

  function armTimer(c: Conversation): void {
    cancelTimer(c);
    const handle: TimerHandle = { id: undefined };
    const { intervalMs } = c.state;
    handle.id = deps.timers.setTimer(() => onTimerFired(c, handle), intervalMs, `warm:${c.id}`);
    c.timer = handle;
    c.state = { ...c.state, nextWarmAt: deps.now() + intervalMs };
  }

  /** Restarts the countdown from now, or stops it when nothing should be scheduled. */
  function rearm(c: Conversation): void {
    if (shouldSchedule(c.state)) armTimer(c);
    else cancelTimer(c);
  }

  /** Keeps a running countdown as it is; starts or stops one only when that must change. */
  function reconcile(c: Conversation): void {
    if (!shouldSchedule(c.state)) cancelTimer(c);
    else if (!c.timer) armTimer(c);
  }

  function onTimerFired(c: Conversation, handle: TimerHandle): void {
    // A cancelled or replaced timer must never warm, whatever the timer backend does.
    if (c.timer !== handle || !isCurrent(c)) return;
    c.timer = null;
    c.state = { ...c.state, nextWarmAt: null };
    // The countdown reached zero: subscribers see no pending warm until this one finishes.
    notify(c.id);
    if (!shouldSchedule(c.state)) return;
    // A manual warm in flight already refreshes the cache; its finish re-arms and notifies.
    void runWarm(c, c.context, "auto");
  }

  // ---- the one warm path ---------------------------------------------------------------

  function runWarm(
    c: Conversation,
    opts: WarmOptions,
    trigger: WarmTrigger,
  ): Promise<WarmNowResult> {
    if (c.inFlight) return c.inFlight;
    const flight = callWarmService(c, opts).then((attempt) => finishWarm(c, attempt, trigger));
    c.inFlight = flight;
    return flight;
  }

  /** Resolves with the provider's answer, a timeout, or an abandonment; never rejects. */
  function callWarmService(c: Conversation, opts: WarmOptions): Promise<WarmAttempt | null> {
    const timeoutMs = deps.warmTimeoutMs ?? DEFAULT_WARM_TIMEOUT_MS;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (attempt: WarmAttempt | null) => {
        if (settled) return;
        settled = true;
        deps.timers.clearTimer(timeoutId);
        c.abandonFlight = null;
        resolve(attempt);
      };
      const timeoutId = deps.timers.setTimer(
        () =>
          settle({
            kind: "failure",
            reason: "timeout",
            error: `warm service did not answer within ${timeoutMs} ms`,
          }),
        timeoutMs,
        `warm-timeout:${c.id}`,
      );
      c.abandonFlight = () => settle(null);
      new Promise<WarmResult>((resolveCall) => resolveCall(deps.warm(c.id, opts))).then(
        (result) => settle(toAttempt(result)),
        (error: unknown) =>
          settle({ kind: "failure", reason: "failed", error: errorMessage(error) }),
      );
    });
  }

  function finishWarm(
    c: Conversation,
    attempt: WarmAttempt | null,
    trigger: WarmTrigger,
  ): WarmNowResult {
    c.inFlight = null;
    if (attempt === null || !isCurrent(c)) {
      return { ok: false, reason: "closed", error: "the conversation was closed while warming" };
    }
    const now = deps.now();
    c.state = recordWarm(c.state, attempt, trigger, now);
    rearm(c);
    notify(c.id);
    if (attempt.kind === "failure") {
      if (attempt.reason !== "refused") {
        deps.logger.warn("warm failed", { conversationId: c.id, error: attempt.error });
      }
      return { ok: false, reason: attempt.reason, error: attempt.error };
    }
    return {
      ok: true,
      usage: attempt.usage,
      cachePct: cachePct(attempt.usage),
      expectedCacheRate: expectedCacheRate(attempt.usage),
      lastWarmAt: now,
      nextWarmAt: c.state.nextWarmAt,
    };
  }

  // ---- settings ------------------------------------------------------------------------

  function enqueueSettingsWrite(id: string, write: () => Promise<void>): Promise<void> {
    const previous = settingsQueues.get(id) ?? Promise.resolve();
    const run = previous.then(write);
    const tail = run.catch(() => {});
    settingsQueues.set(id, tail);
    void tail.then(() => {
      if (settingsQueues.get(id) === tail) settingsQueues.delete(id);
    });
    return run;
  }

  function loadSettings(c: Conversation): Promise<void> {
    if (!c.settingsLoad) {
      const key = settingsKey(c.id);
      const pendingWrites = settingsQueues.get(c.id) ?? Promise.resolve();
      c.settingsLoad = pendingWrites
        .then(() => deps.storage.get(key))
        .then(
          (raw) => {
            c.state = { ...c.state, ...parseSettings(raw) };
            c.settingsLoaded = true;
          },
          (error: unknown) => {
            c.settingsLoad = null; // the next caller tries again
            throw error;
          },
        );
    }
    return c.settingsLoad;
  }

  async function loadOrLog(c: Conversation): Promise<void> {
    try {
      await loadSettings(c);
    } catch (error) {
      deps.logger.error("could not load cache-warming settings", { conversationId: c.id, error });
    }
  }

  /**
   * Persists `change(current settings)` and only then applies it, so a failed write
   * leaves the conversation exactly as it was.
   */
  async function updateSettings(
    id: string,
    change: (settings: CacheWarmingSettings) => CacheWarmingSettings,
  ): Promise<void> {
    if (disposed) return;
    const c = conversation(id);
    await loadSettings(c);
    await enqueueSettingsWrite(id, async () => {
      const before = settingsOf(c.state);
      const after = change(before);
      await deps.storage.set(settingsKey(id), serializeSettings(after));
      if (!isCurrent(c)) return;
      c.state = { ...c.state, ...after };
      // Re-enabling or new spend limits start a fresh idle stretch (and lift a pause).
      const limitsChanged =
        after.idleWarmCap !== before.idleWarmCap || after.deadWarmLimit !== before.deadWarmLimit;
      if ((after.enabled && !before.enabled) || limitsChanged) c.state = resetIdleStretch(c.state);
      if (after.intervalMs !== before.intervalMs) rearm(c);
      else reconcile(c);
      notify(id);
    });
  }

  // ---- public API ----------------------------------------------------------------------

  return {
    onTurnStarted(id) {
      if (disposed) return;
      const c = conversation(id);
      c.state = { ...c.state, active: true };
      cancelTimer(c);
      notify(id);
    },

    async onTurnSettled(id, opts = {}) {
      if (disposed) return;
      const c = conversation(id);
      c.state = resetIdleStretch({ ...c.state, active: false });
      c.context = { ...opts };
      await loadOrLog(c);
      if (!isCurrent(c)) return;
      // A turn just read the whole prefix, so the full interval starts now.
      rearm(c);
      notify(id);
    },

    setEnabled(id, enabled) {
      return updateSettings(id, (settings) => ({ ...settings, enabled }));
    },

    toggleEnabled(id) {
      return updateSettings(id, (settings) => ({ ...settings, enabled: !settings.enabled }));
    },

    setIntervalMs(id, intervalMs) {
      const parsed = intervalMsSchema.safeParse(intervalMs);
      if (!parsed.success) {
        return Promise.reject(
          new RangeError(
            `intervalMs must be a whole number from ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS}, got ${intervalMs}`,
          ),
        );
      }
      return updateSettings(id, (settings) => ({ ...settings, intervalMs: parsed.data }));
    },

    setSpendLimits(id, limits) {
      const parsed = spendLimitsSchema.safeParse(limits);
      if (!parsed.success) {
        return Promise.reject(new RangeError("spend limits must be whole numbers from 0 (off)"));
      }
      return updateSettings(id, (settings) => ({ ...settings, ...parsed.data }));
    },

    async warmNow(id, opts = {}) {
      if (disposed) return { ok: false, reason: "closed", error: "the warmer is shut down" };
      const c = conversation(id);
      await loadOrLog(c);
      if (!isCurrent(c)) {
        return { ok: false, reason: "closed", error: "the conversation was closed" };
      }
      const now = deps.now();
      const refusal = refuseManualWarm(c.state, {
        now,
        inFlight: c.inFlight !== null,
        lastManualWarmAt: c.lastManualWarmAt,
        minGapMs: deps.manualWarmMinGapMs ?? DEFAULT_MANUAL_WARM_MIN_GAP_MS,
      });
      if (refusal) return { ok: false, ...refusal };
      // Joining a warm in flight is free, so it does not count toward the rate limit.
      if (!c.inFlight) c.lastManualWarmAt = now;
      return runWarm(c, { ...c.context, ...opts }, "manual");
    },

    async onConversationClosed(id) {
      const c = conversations.get(id);
      if (c) {
        cancelTimer(c);
        conversations.delete(id);
        c.abandonFlight?.();
        // Runtime state goes; known settings stay visible, with warming off.
        if (c.settingsLoaded && !disposed) {
          const reopened = conversation(id);
          reopened.state = initialState({ ...settingsOf(c.state), enabled: false });
          reopened.settingsLoaded = true;
          reopened.settingsLoad = Promise.resolve();
        }
      }
      if (disposed) return;
      notify(id);
      await enqueueSettingsWrite(id, async () => {
        const key = settingsKey(id);
        const stored = parseSettings(await deps.storage.get(key));
        if (stored.enabled)
          await deps.storage.set(key, serializeSettings({ ...stored, enabled: false }));
      });
    },

    async ensureLoaded(id) {
      if (disposed) return;
      await loadSettings(conversation(id));
    },

    getState(id) {
      return { ...(conversations.get(id)?.state ?? initialState()) };
    },

    dispose() {
      disposed = true;
      for (const c of conversations.values()) {
        cancelTimer(c);
        c.abandonFlight?.();
      }
      conversations.clear();
    },
  };
}
