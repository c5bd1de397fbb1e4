// The warmer: one state map, one timer per conversation, and one call to the warm service that
// the timer's fire and `warmNow` share. Every warm is recorded by one handler,
// `onWarmCompleted` (upstream's warm-completed event, which the service emits before it
// answers): record → re-arm from now → notify. Extras plug in through `hooks`.
import {
  type ConversationContext,
  type ConversationSettings,
  type ConversationState,
  computeCachePct,
  computeExpectedCacheRate,
  DEFAULT_INTERVAL_MS,
  intervalOf,
  parseSettings,
  serializeSettings,
  settingsKey,
  shouldWarm,
  type WarmCompletedPayload,
  type WarmerHooks,
  type WarmNowResult,
  type WarmOutcome,
  type WarmRefusal,
  type WarmResult,
  type WarmTrigger,
} from "./pure.js";

/** Timers as the host gives them (injected, so tests drive time). */
export interface TimerDeps {
  readonly setTimer: (fn: () => void, ms: number) => number;
  readonly clearTimer: (id: number) => void;
}

type LogAttributes = Readonly<Record<string, string | number | boolean | null>>;

/** The part of upstream's kernel logger the warmer uses. */
export interface Logger {
  readonly debug: (msg: string, attrs?: LogAttributes) => void;
  readonly info: (msg: string, attrs?: LogAttributes) => void;
  readonly warn: (msg: string, attrs?: LogAttributes) => void;
  readonly error: (msg: string, attrs?: Readonly<Record<string, unknown>>) => void;
}

/** The part of upstream's kernel storage namespace the warmer uses. */
export interface SettingsStorage {
  readonly get: (key: string) => Promise<string | null>;
  readonly set: (key: string, value: string) => Promise<void>;
}

export interface CacheWarmer {
  /** A turn started: no warm while it generates. */
  readonly onTurnStarted: (conversationId: string) => void;
  /** A turn settled: its context is what warms replay; the full interval starts now. */
  readonly onTurnSettled: (conversationId: string, ctx: ConversationContext) => void;
  /** A warm completed, whoever started it: record, re-arm from now, notify. */
  readonly onWarmCompleted: (payload: WarmCompletedPayload) => void;
  /** The conversation was closed: its schedule stops and warming is stored off. */
  readonly onConversationClosed: (conversationId: string) => Promise<void>;
  readonly getState: (conversationId: string) => ConversationState;
  readonly getContext: (conversationId: string) => ConversationContext;
  /** Stored before it applies; a refused or failed store changes nothing. */
  readonly setEnabled: (conversationId: string, enabled: boolean) => Promise<ConversationSettings>;
  /** Rounded and floored at the minimum (NaN and ≤ 0 become it); re-arms a running schedule. */
  readonly setIntervalMs: (
    conversationId: string,
    intervalMs: number,
  ) => Promise<ConversationSettings>;
  readonly dispose: () => void;
  /**
   * A warm now, on the timer's own path: it joins a warm in flight, else calls the service,
   * whose completion is recorded and re-arms the schedule from now. `opts` names the model or
   * cwd of this warm only; later automatic warms keep the last turn's.
   */
  readonly warmNow: (conversationId: string, opts?: ConversationContext) => Promise<WarmNowResult>;
  /**
   * Applies what an extra restored (stored settings, the last warm) and asks the hooks again
   * whether to warm: a running countdown that may go on is kept, a stopped one that may run is
   * armed from now (or when the hooks say), one that may not is stopped. Then notifies.
   */
  readonly refresh: (conversationId: string, restored?: Restored) => void;
  /** Forgets a conversation with no timer and no warm in flight; false when it cannot. */
  readonly release: (conversationId: string) => boolean;
}

/** What an extra may put back after a restart: stored settings, the last warm, the context. */
export type Restored = Partial<ConversationState> & { readonly context?: ConversationContext };

export interface CacheWarmerDeps {
  /** Upstream's `WarmService["warm"]`; it reports each warm through `onWarmCompleted`. */
  readonly warm: (conversationId: string, opts?: ConversationContext) => Promise<WarmOutcome>;
  readonly storage: SettingsStorage;
  readonly logger: Logger;
  readonly timers: TimerDeps;
  /** Epoch-ms. */
  readonly now: () => number;
  /** After every visible change; this warmer names the conversation that changed. */
  readonly onSurfaceChange: (conversationId?: string) => void;
  /** The extras, in the order their hooks run. */
  readonly hooks?: readonly WarmerHooks[];
  /** A call the service has not answered by then fails as `timeout`. Default 30 s. */
  readonly warmTimeoutMs?: number;
}

// Warming is opt-in: a conversation never seen is off and schedules nothing.
const DEFAULT_STATE: ConversationState = {
  enabled: false,
  intervalMs: DEFAULT_INTERVAL_MS,
  active: false,
  lastPct: null,
  lastExpectedPct: null,
  lastWarmAt: null,
  nextWarmAt: null,
  token: 0,
};

/** A call to the service in progress: who started it, what it replays, how it ends. */
interface Flight {
  readonly trigger: WarmTrigger;
  readonly context: ConversationContext;
  done: Promise<WarmNowResult>;
  /** Answers the call at once (shutdown). */
  abandon: (() => void) | null;
}

const SHUT_DOWN: WarmRefusal = { reason: "closed", error: "the warmer is shut down" };
const NOT_WANTED: WarmRefusal = {
  reason: "skipped",
  error: "warming was turned off or a turn began",
};

export function createCacheWarmer(deps: CacheWarmerDeps): CacheWarmer {
  const hooks = deps.hooks ?? [];
  const states = new Map<string, ConversationState>();
  const contexts = new Map<string, ConversationContext>();
  const timers = new Map<string, number>();
  const flights = new Map<string, Flight>();
  const timeoutMs = deps.warmTimeoutMs ?? 30_000;
  let nextToken = 1;
  let disposed = false;

  const getState = (id: string) => states.get(id) ?? DEFAULT_STATE;
  const getContext = (id: string) => contexts.get(id) ?? {};

  function mergeState(id: string, partial: Partial<ConversationState>): ConversationState {
    const updated = { ...getState(id), ...partial };
    states.set(id, updated);
    return updated;
  }

  function notify(id: string): void {
    const state = getState(id);
    for (const hook of hooks) hook.changed?.(id, state);
    deps.onSurfaceChange(id);
  }

  function cancelTimer(id: string): void {
    const existing = timers.get(id);
    if (existing !== undefined) {
      deps.timers.clearTimer(existing);
      timers.delete(id);
    }
    if (getState(id).nextWarmAt !== null) mergeState(id, { nextWarmAt: null });
  }

  /** The hooks' delay: the shortest one given, the interval by default, null when one says none. */
  function delayFor(id: string, state: ConversationState, fallback: number): number | null {
    let delay = fallback;
    for (const hook of hooks) {
      const asked = hook.schedule?.(id, state);
      if (asked === null) return null;
      if (asked !== undefined) delay = Math.min(delay, Math.max(0, asked));
    }
    return delay;
  }

  function armTimer(id: string, fallbackMs?: number): void {
    cancelTimer(id);
    const state = getState(id);
    if (!state.enabled || state.active || disposed) return;
    const delay = delayFor(id, state, fallbackMs ?? state.intervalMs);
    if (delay === null) return;
    const token = nextToken++;
    states.set(id, { ...state, token, nextWarmAt: deps.now() + delay });
    const timerId = deps.timers.setTimer(() => {
      timers.delete(id);
      void fire(id, token);
    }, delay);
    timers.set(id, timerId);
  }

  async function fire(id: string, token: number): Promise<void> {
    if (!shouldWarm(getState(id), token)) {
      deps.logger.debug("cache-warming: skip warm (superseded or disabled)", {
        conversationId: id,
      });
      return;
    }
    deps.logger.debug("cache-warming: firing warm", { conversationId: id });
    await warm(id, getContext(id), "auto");
  }

  /** The one call to the service: a second caller joins the one in flight. */
  function warm(id: string, context: ConversationContext, trigger: WarmTrigger) {
    const inFlight = flights.get(id);
    if (inFlight !== undefined) return inFlight.done;
    const flight: Flight = { trigger, context, done: NOTHING_YET, abandon: null };
    // In flight before the service is called: its completion event finds who started it.
    flights.set(id, flight);
    flight.done = send(id, flight).finally(() => {
      if (flights.get(id) === flight) flights.delete(id);
    });
    return flight.done;
  }

  async function send(id: string, flight: Flight): Promise<WarmNowResult> {
    const { trigger, context } = flight;
    const refusal = hooks.length === 0 ? undefined : await askHooks(id, trigger, context);
    if (refusal !== undefined) {
      flights.delete(id);
      // A refused automatic warm is tried again when the refusal says (the hooks may say sooner).
      if (trigger === "auto" && !disposed) {
        armTimer(id, refusal.retryAfterMs);
        notify(id);
      }
      return { ok: false, ...refusal };
    }
    const state = getState(id);
    if (disposed) return { ok: false, ...SHUT_DOWN };
    // Something changed while the hooks answered: an automatic warm no longer wanted is dropped.
    if (trigger === "auto" && (!state.enabled || state.active)) return { ok: false, ...NOT_WANTED };
    for (const hook of hooks) hook.warmStarted?.(id, trigger, context);
    const outcome = await call(id, flight);
    flights.delete(id);
    if ("usage" in outcome) {
      const now = getState(id);
      const { usage } = outcome;
      return {
        ok: true,
        usage,
        cachePct: computeCachePct(usage.inputTokens, usage.cacheReadTokens),
        expectedCacheRate: computeExpectedCacheRate(usage.cacheReadTokens, usage.cacheWriteTokens),
        lastWarmAt: now.lastWarmAt,
        nextWarmAt: now.nextWarmAt,
      };
    }
    failed(id, outcome, trigger);
    return { ok: false, ...outcome };
  }

  async function askHooks(id: string, trigger: WarmTrigger, context: ConversationContext) {
    for (const hook of hooks) {
      const refusal = await hook.beforeWarm?.(id, trigger, context);
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }

  /** The service's answer, a refusal of its own, a throw, or no answer in time. */
  function call(id: string, flight: Flight) {
    return new Promise<{ readonly usage: WarmResult } | WarmRefusal>((resolve) => {
      const settle = (answer: { readonly usage: WarmResult } | WarmRefusal) => {
        deps.timers.clearTimer(deadline);
        flight.abandon = null;
        resolve(answer);
      };
      const deadline = deps.timers.setTimer(
        () =>
          settle({
            reason: "timeout",
            error: `the warm service did not answer within ${timeoutMs / 1000} s`,
          }),
        timeoutMs,
      );
      flight.abandon = () => settle(SHUT_DOWN);
      new Promise<WarmOutcome>((answer) => answer(deps.warm(id, flight.context))).then(
        (outcome) => settle(answerOf(outcome)),
        (error: unknown) =>
          settle({
            reason: "failed",
            error: error instanceof Error ? error.message : String(error),
          }),
      );
    });
  }

  /** A failed call: logged, told to the hooks, and the schedule goes on from now. */
  function failed(id: string, refusal: WarmRefusal, trigger: WarmTrigger): void {
    if (disposed) return;
    deps.logger.warn("cache-warming: warm failed", {
      conversationId: id,
      trigger,
      reason: refusal.reason,
      error: refusal.error,
    });
    for (const hook of hooks) hook.warmFailed?.(id, refusal, trigger);
    armTimer(id);
    notify(id);
  }

  async function loadSettings(id: string): Promise<ConversationSettings> {
    return parseSettings(await deps.storage.get(settingsKey(id)));
  }

  /** Asks the hooks, then stores: a refusal or a failed write leaves everything as it was. */
  async function storeSettings(id: string, next: ConversationSettings): Promise<void> {
    for (const hook of hooks) await hook.settingsChanging?.(id, next, getState(id));
    await deps.storage.set(settingsKey(id), serializeSettings(next));
  }

  return {
    onTurnStarted(id) {
      deps.logger.debug("cache-warming: turn started", { conversationId: id });
      mergeState(id, { active: true });
      cancelTimer(id);
      for (const hook of hooks) hook.turnStarted?.(id);
      // Subscribers see that no warm is scheduled while the turn generates.
      notify(id);
    },

    onTurnSettled(id, ctx) {
      deps.logger.debug("cache-warming: turn settled", { conversationId: id });
      contexts.set(id, {
        ...(ctx.cwd === undefined ? {} : { cwd: ctx.cwd }),
        ...(ctx.modelName === undefined ? {} : { modelName: ctx.modelName }),
      });
      mergeState(id, { active: false });
      for (const hook of hooks) hook.turnSettled?.(id, getContext(id));
      // Armed before the notify, so subscribers get the new, future nextWarmAt.
      armTimer(id);
      notify(id);
    },

    onWarmCompleted({ conversationId: id, usage }) {
      const state = getState(id);
      if (state.active) {
        deps.logger.debug("cache-warming: dropping warm result (conversation active)", {
          conversationId: id,
        });
        return;
      }
      const pct = computeCachePct(usage.inputTokens, usage.cacheReadTokens);
      const expectedPct = computeExpectedCacheRate(usage.cacheReadTokens, usage.cacheWriteTokens);
      // The schedule that fired is used up; re-armed below when it should go on.
      states.set(id, {
        ...state,
        lastPct: pct,
        lastExpectedPct: expectedPct,
        lastWarmAt: deps.now(),
        nextWarmAt: null,
      });
      const flight = flights.get(id);
      const context = flight?.context ?? getContext(id);
      for (const hook of hooks) hook.warmRecorded?.(id, usage, flight?.trigger ?? null, context);
      armTimer(id);
      notify(id);
      deps.logger.debug("cache-warming: warm complete", { conversationId: id, pct, expectedPct });
    },

    async onConversationClosed(id) {
      deps.logger.debug("cache-warming: conversation closed", { conversationId: id });
      // In memory at once, so a turn settling before the store finishes cannot re-arm.
      cancelTimer(id);
      const updated = mergeState(id, { enabled: false });
      for (const hook of hooks) hook.closed?.(id);
      notify(id);
      await deps.storage.set(
        settingsKey(id),
        serializeSettings({ enabled: false, intervalMs: updated.intervalMs }),
      );
    },

    getState,
    getContext,

    async setEnabled(id, enabled) {
      const updated = { ...(await loadSettings(id)), enabled };
      await storeSettings(id, updated);
      // The stored interval comes back with a re-enable.
      mergeState(id, updated);
      if (enabled) armTimer(id);
      else cancelTimer(id);
      notify(id);
      return updated;
    },

    async setIntervalMs(id, intervalMs) {
      const updated = { ...(await loadSettings(id)), intervalMs: intervalOf(intervalMs) };
      await storeSettings(id, updated);
      mergeState(id, { intervalMs: updated.intervalMs });
      if (timers.has(id)) armTimer(id);
      notify(id);
      return updated;
    },

    dispose() {
      disposed = true;
      for (const id of [...timers.keys()]) cancelTimer(id);
      for (const flight of flights.values()) flight.abandon?.();
    },

    async warmNow(id, opts) {
      if (disposed) return { ok: false, ...SHUT_DOWN };
      const context = opts === undefined ? getContext(id) : { ...getContext(id), ...opts };
      return warm(id, context, "manual");
    },

    refresh(id, restored) {
      if (restored !== undefined) {
        const { context, ...state } = restored;
        if (context !== undefined) contexts.set(id, context);
        mergeState(id, state);
      }
      // A running countdown that may go on is kept; otherwise the hooks decide afresh.
      const state = getState(id);
      const keeps =
        timers.has(id) && state.enabled && !state.active && delayFor(id, state, 0) !== null;
      if (!flights.has(id) && !keeps) armTimer(id);
      notify(id);
    },

    release(id) {
      if (timers.has(id) || flights.has(id)) return false;
      states.delete(id);
      contexts.delete(id);
      return true;
    },
  };
}

/** A flight's result until its call is set up (a line later). */
const NOTHING_YET: Promise<WarmNowResult> = Promise.resolve({ ok: false, ...SHUT_DOWN });

/** What the service answered, checked: usage of four counts ≥ 0, or its own refusal. */
function answerOf(outcome: WarmOutcome): { readonly usage: WarmResult } | WarmRefusal {
  if (typeof outcome !== "object" || outcome === null) {
    return { reason: "failed", error: "the warm service answered no result" };
  }
  if ("error" in outcome) return { reason: "refused", error: String(outcome.error) };
  const counts = [
    outcome.inputTokens,
    outcome.outputTokens,
    outcome.cacheReadTokens,
    outcome.cacheWriteTokens,
  ];
  if (!counts.every((n) => typeof n === "number" && Number.isFinite(n) && n >= 0)) {
    return { reason: "failed", error: "the warm service answered an invalid usage" };
  }
  return { usage: outcome };
}
