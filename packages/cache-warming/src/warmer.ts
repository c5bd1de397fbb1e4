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

type Log = (msg: string, attrs?: Readonly<Record<string, unknown>>) => void;

/** The part of upstream's kernel logger the warmer uses. */
export interface Logger {
  readonly debug: Log;
  readonly info: Log;
  readonly warn: Log;
  readonly error: Log;
}

export interface CacheWarmer {
  readonly onTurnStarted: (conversationId: string) => void;
  /** Its context is what warms replay; the full interval starts now. */
  readonly onTurnSettled: (conversationId: string, ctx: ConversationContext) => void;
  /** A warm completed, whoever started it: record, re-arm from now, notify. */
  readonly onWarmCompleted: (payload: WarmCompletedPayload) => void;
  /** The schedule stops and warming is stored off. */
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
   * A warm on the timer's own path: joins one in flight, else calls the service. `opts`: the
   * model or cwd of this warm only; automatic warms keep the last turn's.
   */
  readonly warmNow: (conversationId: string, opts?: ConversationContext) => Promise<WarmNowResult>;
  /**
   * Applies what an extra restored and asks the hooks again: a countdown that may go on is
   * kept, a stopped one that may run is armed, one that may not is stopped. Then notifies.
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
  /** The part of upstream's kernel storage namespace the warmer uses. */
  readonly storage: {
    readonly get: (key: string) => Promise<string | null>;
    readonly set: (key: string, value: string) => Promise<void>;
  };
  readonly logger: Logger;
  readonly timers: TimerDeps;
  /** Epoch-ms. */
  readonly now: () => number;
  /** After every visible change; this warmer names the conversation that changed. */
  readonly onSurfaceChange: (conversationId?: string) => void;
  /** The extras, in the order their hooks run. */
  readonly hooks?: readonly WarmerHooks[];
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

/** A call to the service in progress: who started it, what it replays, its result. */
interface Flight {
  readonly trigger: WarmTrigger;
  readonly context: ConversationContext;
  done: Promise<WarmNowResult>;
}

const SHUT_DOWN: WarmRefusal = { reason: "closed", error: "the warmer is shut down" };
/** A flight's result before its call is set up (the next line). */
const NOT_YET: Promise<WarmNowResult> = Promise.resolve({ ok: false, ...SHUT_DOWN });

/** What one warmer holds: upstream's maps (state, context, timer) and the warms in flight. */
function memory(deps: CacheWarmerDeps) {
  return {
    deps,
    hooks: deps.hooks ?? [],
    states: new Map<string, ConversationState>(),
    contexts: new Map<string, ConversationContext>(),
    timers: new Map<string, number>(),
    flights: new Map<string, Flight>(),
    nextToken: 1,
    disposed: false,
  };
}

type Memory = ReturnType<typeof memory>;

const stateOf = (m: Memory, id: string) => m.states.get(id) ?? DEFAULT_STATE;
const contextOf = (m: Memory, id: string) => m.contexts.get(id) ?? {};

function mergeState(m: Memory, id: string, partial: Partial<ConversationState>) {
  const updated = { ...stateOf(m, id), ...partial };
  m.states.set(id, updated);
  return updated;
}

function notify(m: Memory, id: string): void {
  const state = stateOf(m, id);
  for (const hook of m.hooks) hook.changed?.(id, state);
  m.deps.onSurfaceChange(id);
}

function cancelTimer(m: Memory, id: string): void {
  const existing = m.timers.get(id);
  if (existing !== undefined) {
    m.deps.timers.clearTimer(existing);
    m.timers.delete(id);
  }
  if (stateOf(m, id).nextWarmAt !== null) mergeState(m, id, { nextWarmAt: null });
}

/** The hooks' delay: the shortest one given, `fallback` by default, null when one says none. */
function delayFor(m: Memory, id: string, state: ConversationState, fallback: number) {
  let delay: number | null = fallback;
  for (const hook of m.hooks) {
    const asked = hook.schedule?.(id, state);
    if (asked === null) return null;
    if (asked !== undefined) delay = Math.min(delay, Math.max(0, asked));
  }
  return delay;
}

function armTimer(m: Memory, id: string, fallbackMs?: number): void {
  cancelTimer(m, id);
  const state = stateOf(m, id);
  if (!state.enabled || state.active || m.disposed) return;
  const delay = delayFor(m, id, state, fallbackMs ?? state.intervalMs);
  if (delay === null) return;
  const token = m.nextToken++;
  m.states.set(id, { ...state, token, nextWarmAt: m.deps.now() + delay });
  const timerId = m.deps.timers.setTimer(() => {
    m.timers.delete(id);
    // A cancelled or replaced timer never warms, whatever the timer backend does.
    if (shouldWarm(stateOf(m, id), token)) void warm(m, id, contextOf(m, id), "auto");
  }, delay);
  m.timers.set(id, timerId);
}

/** The one call to the service: a second caller joins the one in flight. */
function warm(m: Memory, id: string, context: ConversationContext, trigger: WarmTrigger) {
  const inFlight = m.flights.get(id);
  if (inFlight !== undefined) return inFlight.done;
  // In flight before the service is called: its completion event finds who started it.
  const flight: Flight = { trigger, context, done: NOT_YET };
  m.flights.set(id, flight);
  flight.done = send(m, id, flight);
  return flight.done;
}

async function send(m: Memory, id: string, flight: Flight): Promise<WarmNowResult> {
  const { trigger, context } = flight;
  try {
    let refusal: WarmRefusal | undefined;
    for (const hook of m.hooks) refusal ??= await hook.beforeWarm?.(id, trigger, context);
    if (refusal !== undefined) {
      m.flights.delete(id);
      // A refused automatic warm is tried again when the refusal says (hooks may say sooner).
      if (trigger === "auto" && !m.disposed) {
        armTimer(m, id, refusal.retryAfterMs);
        notify(m, id);
      }
      return { ok: false, ...refusal };
    }
    const state = stateOf(m, id);
    if (m.disposed) return { ok: false, ...SHUT_DOWN };
    // Something changed while the hooks answered: an automatic warm no longer wanted is dropped.
    if (trigger === "auto" && (!state.enabled || state.active)) {
      return { ok: false, reason: "skipped", error: "warming was turned off or a turn began" };
    }
    for (const hook of m.hooks) hook.warmStarted?.(id, trigger, context);
    let outcome: WarmOutcome | undefined;
    let refused: WarmRefusal | null;
    try {
      outcome = await m.deps.warm(id, context);
      refused = refusalIn(outcome);
    } catch (error) {
      // A thrown error may name its reason (`timeout`, `closed`…); else the service failed.
      const { reason, message } = (error ?? {}) as { reason?: unknown; message?: unknown };
      refused = {
        reason: typeof reason === "string" ? reason : "failed",
        error: typeof message === "string" ? message : String(error),
      };
    }
    m.flights.delete(id);
    if (refused !== null) {
      failed(m, id, refused, trigger);
      return { ok: false, ...refused };
    }
    // Its completion was recorded (record → re-arm → notify) before the service answered.
    const usage = outcome as WarmResult;
    const { lastWarmAt, nextWarmAt } = stateOf(m, id);
    const cachePct = computeCachePct(usage.inputTokens, usage.cacheReadTokens);
    const expectedCacheRate = computeExpectedCacheRate(
      usage.cacheReadTokens,
      usage.cacheWriteTokens,
    );
    return { ok: true, usage, cachePct, expectedCacheRate, lastWarmAt, nextWarmAt };
  } finally {
    if (m.flights.get(id) === flight) m.flights.delete(id);
  }
}

/** A failed call: logged, told to the hooks, and the schedule goes on from now. */
function failed(m: Memory, id: string, refusal: WarmRefusal, trigger: WarmTrigger): void {
  if (m.disposed) return;
  const { reason, error } = refusal;
  m.deps.logger.warn("cache-warming: warm failed", { conversationId: id, trigger, reason, error });
  for (const hook of m.hooks) hook.warmFailed?.(id, refusal, trigger);
  armTimer(m, id);
  notify(m, id);
}

async function loadSettings(m: Memory, id: string): Promise<ConversationSettings> {
  return parseSettings(await m.deps.storage.get(settingsKey(id)));
}

/** Asks the hooks, then stores: a refusal or a failed write leaves everything as it was. */
async function storeSettings(m: Memory, id: string, next: ConversationSettings): Promise<void> {
  for (const hook of m.hooks) await hook.settingsChanging?.(id, next, stateOf(m, id));
  await m.deps.storage.set(settingsKey(id), serializeSettings(next));
}

export function createCacheWarmer(deps: CacheWarmerDeps): CacheWarmer {
  const m = memory(deps);
  const { states, contexts, timers, flights, hooks } = m;
  const getState = (id: string) => stateOf(m, id);
  const getContext = (id: string) => contextOf(m, id);

  return {
    onTurnStarted(id) {
      mergeState(m, id, { active: true });
      cancelTimer(m, id);
      for (const hook of hooks) hook.turnStarted?.(id);
      // Subscribers see that no warm is scheduled while the turn generates.
      notify(m, id);
    },

    onTurnSettled(id, ctx) {
      contexts.set(id, {
        ...(ctx.cwd === undefined ? {} : { cwd: ctx.cwd }),
        ...(ctx.modelName === undefined ? {} : { modelName: ctx.modelName }),
      });
      mergeState(m, id, { active: false });
      for (const hook of hooks) hook.turnSettled?.(id, getContext(id));
      // Armed before the notify, so subscribers get the new, future nextWarmAt.
      armTimer(m, id);
      notify(m, id);
    },

    onWarmCompleted({ conversationId: id, usage }) {
      const state = getState(id);
      // A warm that answers while a turn generates changes nothing: the turn read the cache.
      if (state.active) return;
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
      armTimer(m, id);
      notify(m, id);
    },

    async onConversationClosed(id) {
      // In memory at once, so a turn settling before the store finishes cannot re-arm.
      cancelTimer(m, id);
      const updated = mergeState(m, id, { enabled: false });
      for (const hook of hooks) hook.closed?.(id);
      notify(m, id);
      await deps.storage.set(
        settingsKey(id),
        serializeSettings({ enabled: false, intervalMs: updated.intervalMs }),
      );
    },

    getState,
    getContext,

    async setEnabled(id, enabled) {
      const updated = { ...(await loadSettings(m, id)), enabled };
      await storeSettings(m, id, updated);
      // The stored interval comes back with a re-enable.
      mergeState(m, id, updated);
      if (enabled) armTimer(m, id);
      else cancelTimer(m, id);
      notify(m, id);
      return updated;
    },

    async setIntervalMs(id, intervalMs) {
      const updated = { ...(await loadSettings(m, id)), intervalMs: intervalOf(intervalMs) };
      await storeSettings(m, id, updated);
      mergeState(m, id, { intervalMs: updated.intervalMs });
      if (timers.has(id)) armTimer(m, id);
      notify(m, id);
      return updated;
    },

    dispose() {
      m.disposed = true;
      for (const id of [...timers.keys()]) cancelTimer(m, id);
    },

    warmNow(id, opts) {
      if (m.disposed) return Promise.resolve({ ok: false, ...SHUT_DOWN });
      const context = opts === undefined ? getContext(id) : { ...getContext(id), ...opts };
      return warm(m, id, context, "manual");
    },

    refresh(id, restored) {
      if (restored !== undefined) {
        const { context, ...state } = restored;
        if (context !== undefined) contexts.set(id, context);
        mergeState(m, id, state);
      }
      // A running countdown that may go on is kept; otherwise the hooks decide afresh.
      const state = getState(id);
      const keeps =
        timers.has(id) && state.enabled && !state.active && delayFor(m, id, state, 0) !== null;
      if (!flights.has(id) && !keeps) armTimer(m, id);
      notify(m, id);
    },

    release(id) {
      if (timers.has(id) || flights.has(id)) return false;
      states.delete(id);
      contexts.delete(id);
      return true;
    },
  };
}

/** A count of tokens as a service reports it. */
const isCount = (n: unknown) => typeof n === "number" && n >= 0 && n < Number.POSITIVE_INFINITY;

/** What is wrong with what the service answered: its own refusal, or not four counts ≥ 0. */
function refusalIn(outcome: WarmOutcome): WarmRefusal | null {
  if (typeof outcome !== "object" || outcome === null) {
    return { reason: "failed", error: "the warm service answered no result" };
  }
  if ("error" in outcome) return { reason: "refused", error: String(outcome.error) };
  const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = outcome;
  if (
    isCount(inputTokens) &&
    isCount(outputTokens) &&
    isCount(cacheReadTokens) &&
    isCount(cacheWriteTokens)
  ) {
    return null;
  }
  return { reason: "failed", error: "the warm service answered an invalid usage" };
}
