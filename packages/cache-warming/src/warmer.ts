// The shell around the pure core: it owns timers, in-flight warms and settings I/O.
// Every warm, manual or automatic, goes through `runWarm` → `finishWarm`, the one place that
// records the result, re-arms the timer and notifies. Warms that somebody else started reach
// the warmer as completion events (`onWarmCompleted`, upstream's wiring) and are recorded by
// the same record → re-arm → notify step; the echo of a warm the warmer started itself is
// recognised and dropped, so every warm is recorded exactly once.

import * as z from "zod";
import {
  DEFAULT_PRICES,
  EMPTY_LEDGER,
  economicsFor,
  type PriceTable,
  warmCostUsd,
} from "./modules/economics.js";
import {
  BUDGET_KEY,
  type BudgetRecord,
  chargeUsd,
  mayStartUsd,
  parseBudgetRecord,
  takeFromBudget,
  type WarmBudget,
} from "./modules/global-budget.js";
import {
  ledgerKey,
  ledgerRecordOf,
  mergeLedger,
  parseLedgerRecord,
  recordTurnStart,
} from "./modules/ledger.js";
import {
  applySpendGuard,
  DEFAULT_SPEND_LIMITS,
  definedOnly,
  parseSpendLimits,
  type SpendLimits,
  type SpendLimitsChange,
  serializeSpendLimits,
  spendLimitsKey,
  spendLimitsOf,
  spendLimitsSchema,
  worthGoingOn,
} from "./modules/spend-guard.js";
import { ActionRejectedError } from "./payloads.js";
import {
  type ConversationContext,
  type ConversationSettings,
  clampIntervalMs,
  computeCachePct,
  computeExpectedCacheRate,
  DEFAULT_INTERVAL_MS,
  isTokenCurrent,
  MIN_INTERVAL_MS,
  parseSettings,
  serializeSettings,
  settingsKey,
} from "./pure.js";
import {
  decideResume,
  parseScheduleRecord,
  restoreSchedule,
  scheduleKey,
  scheduleRecordOf,
} from "./restart.js";
import {
  type CacheWarmingState,
  DEFAULT_CACHE_TTL_MS,
  effectiveIntervalMs,
  type NotResumedReason,
  type PauseReason,
  settingsOf,
  shouldSchedule,
  type WarmAttempt,
  type WarmFailureReason,
  type WarmTrigger,
} from "./state.js";
import { initialState, recordWarm, refuseManualWarm, resetIdleStretch } from "./transitions.js";
import type { WarmOptions, WarmOutcome, WarmResult } from "./warm-service.js";

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
  /** Prices and cache lifetimes per model (see `DEFAULT_PRICES`); unknown models warm unpriced. */
  readonly prices?: PriceTable;
  /** The price-table entry for warms that name no model (the provider's default model). */
  readonly defaultModel?: string;
  /** Warm calls a minute across all conversations (manual and automatic); 0 = no limit. */
  readonly maxWarmsPerMinute?: number;
  /**
   * Dollars a minute of priced warms across all conversations (post-paid: a warm starts while
   * the minute's dollars are not spent, its cost is taken when it answers); 0 = no limit.
   */
  readonly maxUsdPerMinute?: number;
  /** Conversations with warming enabled at once; 0 = no limit. */
  readonly maxEnabledConversations?: number;
  /**
   * Keep `schedule:<id>` records so schedules resume after a restart (default true). Pointless
   * with storage that does not outlive the process, which then saves their memory.
   */
  readonly persistSchedules?: boolean;
  /**
   * Whether somebody watches this conversation's surface. When given, a conversation with
   * nothing running, nobody watching and default settings is dropped from memory (its last
   * percentages go with it); without it, conversations stay, as upstream's do.
   */
  readonly isObserved?: (conversationId: string) => boolean;
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

/** Upstream's warm-completed event payload. */
export interface WarmCompletedPayload {
  readonly conversationId: string;
  readonly usage: WarmResult;
}

export const DEFAULT_WARM_TIMEOUT_MS = 30_000;
/** The write queue of the global budget: a key no conversation id can be. */
const BUDGET_QUEUE = "\u0000warm-budget";
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
  /** Per-conversation spend guard (persisted); changing it starts a fresh idle stretch. */
  setSpendLimits(conversationId: string, limits: SpendLimitsChange): Promise<SpendLimits>;
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
  /** Drops the conversation from memory if nothing runs and nobody watches (see `isObserved`). */
  release(conversationId: string): void;
  stats(): WarmerStats;
}

/** A warm the warmer started, from the call until its answer is recorded. */
interface Flight {
  readonly done: Promise<WarmNowResult>;
  /** What this warm replays; a good manual warm makes it the context of later ones. */
  readonly context: ConversationContext;
  /** Completion events that arrived while it was in flight (its own echo among them?). */
  readonly heldCompletions: WarmResult[];
  /** Ends the provider call early (close, dispose). */
  abandon: (() => void) | null;
}

interface Conversation {
  readonly id: string;
  state: CacheWarmingState;
  timerId: number | null;
  flight: Flight | null;
  /** The answer of the warmer's last own warm, until its completion event is seen. */
  unechoedResult: WarmResult | null;
  settingsLoad: Promise<void> | null;
  settingsLoaded: boolean;
  lastManualWarmAt: number | null;
  /** The schedule record last written (or being written), to skip writes that change nothing. */
  persistedSchedule: string | null;
  /** Retries dropping an idle conversation once its manual-warm gap has passed. */
  releaseTimerId: number | null;
  /** The ledger record last written, to skip writes that change nothing. */
  persistedLedger: string | null;
  /** When the stored schedule said the next warm was due (read with the settings). */
  storedNextWarmAt: number | null;
}

const nonNegative = z.number().finite().min(0);
const warmOutcomeSchema = z.union([
  z.object({ error: z.string() }),
  z.object({
    inputTokens: nonNegative,
    outputTokens: nonNegative,
    cacheReadTokens: nonNegative,
    cacheWriteTokens: nonNegative,
  }),
]);

function toAttempt(outcome: WarmOutcome): WarmAttempt {
  const parsed = warmOutcomeSchema.safeParse(outcome);
  if (!parsed.success) {
    return { kind: "failure", reason: "failed", error: "warm service returned an invalid result" };
  }
  if ("error" in parsed.data) {
    return { kind: "failure", reason: "refused", error: parsed.data.error };
  }
  const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = parsed.data;
  return { kind: "ok", usage: { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } };
}

function sameUsage(a: WarmResult, b: WarmResult): boolean {
  return (
    a.inputTokens === b.inputTokens &&
    a.outputTokens === b.outputTokens &&
    a.cacheReadTokens === b.cacheReadTokens &&
    a.cacheWriteTokens === b.cacheWriteTokens
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function copyContext(ctx: ConversationContext): ConversationContext {
  return {
    ...(ctx.cwd === undefined ? {} : { cwd: ctx.cwd }),
    ...(ctx.modelName === undefined ? {} : { modelName: ctx.modelName }),
  };
}

export function createCacheWarmer(deps: CacheWarmerDeps): CacheWarmer {
  const conversations = new Map<string, Conversation>();
  // Settings writes per conversation id, in call order; outlives a close so a reopened
  // conversation reads what the close wrote.
  const settingsQueues = new Map<string, Promise<void>>();
  let nextToken = 1;
  let disposed = false;
  let budget: WarmBudget = { tokens: deps.maxWarmsPerMinute ?? 0, at: deps.now() };
  let usdBudget: WarmBudget = { tokens: deps.maxUsdPerMinute ?? 0, at: deps.now() };
  // The budgets are stored at most once a second (and at dispose), so a crash forgets at most
  // a second of spending; a restart otherwise picks them up where they were.
  let budgetWrittenAt = Number.NEGATIVE_INFINITY;
  let budgetRead = false;
  const enabledIds = new Set<string>();
  const counts = { warmCalls: 0, budgetRefusals: 0, enabledRefusals: 0 };
  let lastBudgetLogAt = Number.NEGATIVE_INFINITY;

  const isCurrent = (c: Conversation) => conversations.get(c.id) === c;
  const prices = deps.prices ?? DEFAULT_PRICES;
  const defaultCacheTtlMs = deps.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const noModel = economicsFor(prices, deps.defaultModel, defaultCacheTtlMs);

  function economicsOf(ctx: ConversationContext) {
    return ctx.modelName === undefined
      ? noModel
      : economicsFor(prices, ctx.modelName, defaultCacheTtlMs);
  }

  /** The context automatic warms replay, and what its model costs. */
  function setContext(c: Conversation, context: ConversationContext): void {
    c.state = { ...c.state, context, economics: economicsOf(context) };
  }

  function conversation(id: string): Conversation {
    let c = conversations.get(id);
    if (!c) {
      c = {
        id,
        state: initialState(undefined, undefined, economicsOf({})),
        timerId: null,
        flight: null,
        unechoedResult: null,
        settingsLoad: null,
        settingsLoaded: false,
        lastManualWarmAt: null,
        persistedSchedule: null,
        releaseTimerId: null,
        persistedLedger: null,
        storedNextWarmAt: null,
      };
      if (!disposed) conversations.set(id, c);
    }
    return c;
  }

  /** Keeps the count of enabled conversations in step with every state change. */
  function trackEnabled(c: Conversation): void {
    if (c.state.enabled && isCurrent(c)) enabledIds.add(c.id);
    else enabledIds.delete(c.id);
  }

  function releaseIfIdle(c: Conversation): void {
    const { state } = c;
    if (!deps.isObserved || deps.isObserved(c.id) || !isCurrent(c) || !c.settingsLoaded) return;
    if (c.timerId !== null || c.flight !== null || state.active || state.enabled) return;
    if (state.intervalMs !== DEFAULT_INTERVAL_MS || state.budgetRetryAt !== null) return;
    if (state.idleWarmCap !== DEFAULT_SPEND_LIMITS.idleWarmCap) return;
    if (state.deadWarmLimit !== DEFAULT_SPEND_LIMITS.deadWarmLimit) return;
    // Its manual-warm rate limit must outlive it, or forgetting would lift the limit: try
    // again once the gap has passed.
    const gap = deps.manualWarmMinGapMs ?? DEFAULT_MANUAL_WARM_MIN_GAP_MS;
    const wait = c.lastManualWarmAt === null ? 0 : c.lastManualWarmAt + gap - deps.now();
    if (wait > 0) {
      if (c.releaseTimerId === null) {
        c.releaseTimerId = deps.timers.setTimer(() => {
          c.releaseTimerId = null;
          releaseIfIdle(c);
        }, wait);
      }
      return;
    }
    conversations.delete(c.id);
  }

  /** One warm from the global budget; counts and logs (at most once a minute) a refusal. */
  function spendBudget(
    id: string,
  ): { ok: true } | { ok: false; retryAfterMs: number; what: "calls" | "dollars" } {
    const now = deps.now();
    const usd = mayStartUsd(usdBudget, now, deps.maxUsdPerMinute ?? 0);
    usdBudget = usd.budget;
    const decision = usd.ok
      ? takeFromBudget(budget, now, deps.maxWarmsPerMinute ?? 0)
      : { ...usd, budget };
    budget = decision.budget;
    if (decision.ok) {
      counts.warmCalls += 1;
      storeBudget(false);
      return { ok: true };
    }
    counts.budgetRefusals += 1;
    deps.logger.debug("cache-warming: warm refused by the budget", { conversationId: id });
    // At most one warning a minute: under attack the refusals would flood the log.
    if (now - lastBudgetLogAt >= 60_000) {
      lastBudgetLogAt = now;
      deps.logger.warn("cache-warming: warm budget spent, refusing warms", {
        conversationId: id,
        maxWarmsPerMinute: deps.maxWarmsPerMinute ?? 0,
        refusedSoFar: counts.budgetRefusals,
      });
    }
    return { ok: false, retryAfterMs: decision.retryAfterMs, what: usd.ok ? "calls" : "dollars" };
  }

  /** Takes a finished warm's cost from the dollar budget. */
  function chargeBudget(c: Conversation, usage: WarmResult): void {
    const { pricing } = c.state.economics;
    if (pricing === null) return;
    usdBudget = chargeUsd(
      usdBudget,
      deps.now(),
      deps.maxUsdPerMinute ?? 0,
      warmCostUsd(usage, pricing),
    );
  }

  function storeBudget(force: boolean): void {
    const now = deps.now();
    const limited = (deps.maxWarmsPerMinute ?? 0) > 0 || (deps.maxUsdPerMinute ?? 0) > 0;
    if (!limited || deps.persistSchedules === false) return;
    // A warmer that neither read the stored budget nor spent any has nothing to say about it
    // (a start that failed must not overwrite it with a fresh minute).
    if (!budgetRead && counts.warmCalls === 0) return;
    if (!force && now - budgetWrittenAt < 1_000) return;
    budgetWrittenAt = now;
    const record: BudgetRecord = { calls: budget, usd: usdBudget };
    void enqueueSettingsWrite(BUDGET_QUEUE, () =>
      deps.storage.set(BUDGET_KEY, JSON.stringify(record)),
    ).catch((err: unknown) => {
      deps.logger.error("cache-warming: could not store the warm budget", { err });
    });
  }

  function notify(id: string): void {
    const c = conversations.get(id);
    if (c) {
      trackEnabled(c);
      persistSchedule(c);
      persistLedger(c);
    }
    try {
      deps.onSurfaceChange(id);
    } catch (err) {
      deps.logger.error("cache-warming: surface change listener threw", {
        conversationId: id,
        err,
      });
    }
    if (c) releaseIfIdle(c);
  }

  /** Keeps `schedule:<id>` in step with what a restart would need; never blocks a change. */
  function persistSchedule(c: Conversation): void {
    if (!c.settingsLoaded || deps.persistSchedules === false) return;
    const record = scheduleRecordOf(c.state);
    if (record === c.persistedSchedule) return;
    c.persistedSchedule = record;
    const key = scheduleKey(c.id);
    void enqueueSettingsWrite(c.id, async () => {
      if (record !== null) await deps.storage.set(key, record);
      else await deps.storage.delete?.(key);
    }).catch((err: unknown) => {
      c.persistedSchedule = null; // written again with the next change
      deps.logger.error("cache-warming: could not store the schedule", {
        conversationId: c.id,
        err,
      });
    });
  }

  /** Keeps `ledger:<id>` in step with the ledger and the idle gaps; never blocks a change. */
  function persistLedger(c: Conversation): void {
    if (!c.settingsLoaded || deps.persistSchedules === false) return;
    const { state } = c;
    if (c.persistedLedger === null && state.ledger === EMPTY_LEDGER && state.gapsMs.length === 0) {
      return;
    }
    const record = ledgerRecordOf(state);
    if (record === c.persistedLedger) return;
    c.persistedLedger = record;
    void enqueueSettingsWrite(c.id, () => deps.storage.set(ledgerKey(c.id), record)).catch(
      (err: unknown) => {
        c.persistedLedger = null;
        deps.logger.error("cache-warming: could not store the ledger", {
          conversationId: c.id,
          err,
        });
      },
    );
  }

  // ---- timers ----------------------------------------------------------------------------

  function cancelTimer(c: Conversation): void {
    if (c.timerId !== null) deps.timers.clearTimer(c.timerId);
    c.timerId = null;
    c.state = { ...c.state, nextWarmAt: null, budgetRetryAt: null };
  }

  function armTimer(c: Conversation, delayMs = effectiveIntervalMs(c.state)): void {
    cancelTimer(c);
    // Stryker disable next-line UpdateOperator: counting down gives unique tokens as well
    const token = nextToken++;
    c.state = {
      ...c.state,
      token,
      nextWarmAt: deps.now() + delayMs,
      notResumedBecause: null,
      budgetRetryAt: null,
    };
    c.timerId = deps.timers.setTimer(() => onTimerFired(c, token), delayMs, `warm:${c.id}`);
  }

  /** Restarts the countdown from now, or stops it when nothing should be scheduled. */
  function rearm(c: Conversation): void {
    if (shouldSchedule(c.state)) armTimer(c);
    else cancelTimer(c);
  }

  /** Keeps a running countdown as it is; starts or stops one only when that must change. */
  function reconcile(c: Conversation): void {
    if (!shouldSchedule(c.state)) cancelTimer(c);
    else if (c.timerId === null) armTimer(c);
  }

  function onTimerFired(c: Conversation, token: number): void {
    // A cancelled or replaced timer must never warm, whatever the timer backend does.
    if (!isCurrent(c) || c.timerId === null || !isTokenCurrent(c.state.token, token)) return;
    c.timerId = null;
    const fires = shouldSchedule(c.state);
    if (fires && !c.flight) {
      const spent = spendBudget(c.id);
      if (!spent.ok) {
        // Over the global budget: try again when it allows one more, and say why meanwhile.
        armTimer(c, Math.max(1_000, spent.retryAfterMs));
        c.state = { ...c.state, budgetRetryAt: c.state.nextWarmAt };
        notify(c.id);
        return;
      }
    }
    // The countdown reached zero: subscribers see the automatic warm in flight (a manual one
    // already in flight is joined; its finish re-arms and notifies) until it finishes.
    c.state = { ...c.state, nextWarmAt: null, warmStartedAt: fires ? deps.now() : null };
    notify(c.id);
    if (!fires) return;
    deps.logger.debug("cache-warming: firing warm", { conversationId: c.id });
    void runWarm(c, c.state.context, "auto");
  }

  // ---- the one warm path -----------------------------------------------------------------

  function runWarm(
    c: Conversation,
    opts: ConversationContext,
    trigger: WarmTrigger,
  ): Promise<WarmNowResult> {
    if (c.flight) return c.flight.done;
    let answer!: (outcome: { attempt: WarmAttempt; raw: WarmResult | null } | null) => void;
    const answered = new Promise<{ attempt: WarmAttempt; raw: WarmResult | null } | null>(
      (resolve) => {
        answer = resolve;
      },
    );
    const flight: Flight = {
      done: answered.then((outcome) => finishWarm(c, flight, outcome, trigger)),
      context: copyContext(opts),
      heldCompletions: [],
      abandon: null,
    };
    // In flight before the provider is called: a service that reports its completion while it
    // is still running (upstream's emits synchronously) finds this warm and holds the event.
    c.flight = flight;
    callWarmService(c, flight, opts, answer);
    return flight.done;
  }

  /** Answers with the provider's result, a timeout, or null when abandoned; never throws. */
  function callWarmService(
    c: Conversation,
    flight: Flight,
    opts: ConversationContext,
    answer: (outcome: { attempt: WarmAttempt; raw: WarmResult | null } | null) => void,
  ): void {
    const timeoutMs = deps.warmTimeoutMs ?? DEFAULT_WARM_TIMEOUT_MS;
    // Whichever comes first (answer, timeout, abandon) decides; the promise ignores the rest.
    const settle = (outcome: { attempt: WarmAttempt; raw: WarmResult | null } | null) => {
      deps.timers.clearTimer(timeoutId);
      flight.abandon = null;
      answer(outcome);
    };
    const timeoutId = deps.timers.setTimer(
      () =>
        settle({
          attempt: {
            kind: "failure",
            reason: "timeout",
            error: `warm service did not answer within ${timeoutMs} ms`,
          },
          raw: null,
        }),
      timeoutMs,
      `warm-timeout:${c.id}`,
    );
    flight.abandon = () => settle(null);
    new Promise<WarmOutcome>((resolveCall) => resolveCall(deps.warm(c.id, copyContext(opts)))).then(
      (outcome) => {
        const attempt = toAttempt(outcome);
        // Stryker disable next-line ConditionalExpression: a refusal object never equals a usage, so as raw it matches no echo
        settle({ attempt, raw: attempt.kind === "ok" ? (outcome as WarmResult) : null });
      },
      (error: unknown) =>
        settle({
          attempt: { kind: "failure", reason: "failed", error: errorMessage(error) },
          raw: null,
        }),
    );
  }

  function finishWarm(
    c: Conversation,
    flight: Flight,
    outcome: { attempt: WarmAttempt; raw: WarmResult | null } | null,
    trigger: WarmTrigger,
  ): WarmNowResult {
    // runWarm joins a flight rather than start a second, so this is still c's flight.
    c.flight = null;
    c.state = { ...c.state, warmStartedAt: null };
    if (outcome === null || !isCurrent(c)) {
      return { ok: false, reason: "closed", error: "the conversation was closed while warming" };
    }
    const { attempt, raw } = outcome;
    const now = deps.now();
    const pausedBefore = c.state.pausedBy;
    // A manual warm's explicit model/cwd is what the user wants warm: automatic warms follow
    // it until the next settled turn says otherwise (and its prices charge this warm). The
    // status says when that switched the model, which explains a cold (0 %) warm.
    if (trigger === "manual" && attempt.kind === "ok") {
      const before = c.state.context.modelName ?? null;
      const after = flight.context.modelName ?? null;
      if (after !== before) c.state = { ...c.state, switchedFrom: { model: before, at: now } };
      setContext(c, flight.context);
    }
    c.state = recordWarm(c.state, attempt, trigger, now);
    if (attempt.kind === "ok") chargeBudget(c, attempt.usage);
    rearm(c);
    notify(c.id);
    logWarm(c, trigger, attempt, pausedBefore);
    const external = settleEchoes(c, flight, raw);
    if (attempt.kind === "failure") {
      for (const usage of external) recordCompletion(c, usage);
      return { ok: false, reason: attempt.reason, error: attempt.error };
    }
    const result: WarmNowResult = {
      ok: true,
      usage: attempt.usage,
      cachePct: computeCachePct(attempt.usage.inputTokens, attempt.usage.cacheReadTokens),
      expectedCacheRate: computeExpectedCacheRate(
        attempt.usage.cacheReadTokens,
        attempt.usage.cacheWriteTokens,
      ),
      lastWarmAt: now,
      nextWarmAt: c.state.nextWarmAt,
    };
    for (const usage of external) recordCompletion(c, usage);
    return result;
  }

  /** One line per finished warm, and one when it paused the schedule. */
  function logWarm(
    c: Conversation,
    trigger: WarmTrigger,
    attempt: WarmAttempt,
    pausedBefore: PauseReason | null,
  ): void {
    const conversationId = c.id;
    if (attempt.kind === "ok") {
      deps.logger.info("cache-warming: warmed", {
        conversationId,
        trigger,
        cachePct: c.state.lastPct,
        expectedCacheRate: c.state.lastExpectedPct,
        model: c.state.context.modelName ?? null,
        nextWarmAt: c.state.nextWarmAt,
      });
    } else if (attempt.reason === "refused") {
      deps.logger.info("cache-warming: the provider refused a warm", {
        conversationId,
        trigger,
        error: attempt.error,
      });
    } else {
      deps.logger.warn("cache-warming: warm failed", {
        conversationId,
        trigger,
        reason: attempt.reason,
        error: attempt.error,
      });
    }
    if (c.state.pausedBy !== null && c.state.pausedBy !== pausedBefore) {
      deps.logger.info("cache-warming: paused", { conversationId, reason: c.state.pausedBy });
    }
  }

  /**
   * Sorts the completion events held during a flight: the one that is this warm's own echo
   * (the very result object, or an equal copy) is dropped; the rest were other warms. When the
   * echo has not come yet, the result is remembered so a late echo is still recognised.
   */
  function settleEchoes(c: Conversation, flight: Flight, raw: WarmResult | null): WarmResult[] {
    const held = flight.heldCompletions;
    if (raw === null) return held;
    const echo = held.findIndex((usage) => usage === raw || sameUsage(usage, raw));
    if (echo < 0) {
      c.unechoedResult = raw;
      return held;
    }
    return held.filter((_, index) => index !== echo);
  }

  /** A warm finished outside the warmer's own path: record it like a manual warm. */
  function recordCompletion(c: Conversation, usage: WarmResult): void {
    if (c.state.active) {
      deps.logger.debug("cache-warming: dropping warm result (conversation active)", {
        conversationId: c.id,
      });
      return;
    }
    c.state = recordWarm(c.state, { kind: "ok", usage }, "manual", deps.now());
    rearm(c);
    notify(c.id);
  }

  // ---- settings --------------------------------------------------------------------------

  function enqueueSettingsWrite<T>(id: string, write: () => Promise<T>): Promise<T> {
    const previous = settingsQueues.get(id) ?? Promise.resolve();
    const run = previous.then(write);
    const tail = run.then(
      () => {},
      () => {},
    );
    settingsQueues.set(id, tail);
    void tail.then(() => {
      if (settingsQueues.get(id) === tail) settingsQueues.delete(id);
    });
    return run;
  }

  function loadSettings(c: Conversation): Promise<void> {
    if (c.settingsLoaded) return Promise.resolve();
    if (!c.settingsLoad) {
      const pendingWrites = settingsQueues.get(c.id) ?? Promise.resolve();
      c.settingsLoad = pendingWrites
        .then(() =>
          Promise.all([
            deps.storage.get(settingsKey(c.id)),
            deps.storage.get(spendLimitsKey(c.id)),
            deps.storage.get(ledgerKey(c.id)),
            deps.storage.get(scheduleKey(c.id)),
          ]),
        )
        .then(
          ([settings, limits, ledger, schedule]) => {
            const record = parseScheduleRecord(schedule);
            const loaded: CacheWarmingState = {
              ...c.state,
              ...parseSettings(settings),
              ...parseSpendLimits(limits),
              ...mergeLedger(parseLedgerRecord(ledger), c.state),
            };
            c.state = restoreSchedule(loaded, record);
            // Restored: the model's prices and cache lifetime go with its context.
            if (c.state !== loaded) setContext(c, c.state.context);
            c.storedNextWarmAt = record?.nextWarmAt ?? null;
            c.persistedLedger = ledger;
            c.persistedSchedule = schedule;
            c.settingsLoaded = true;
            c.settingsLoad = null; // settingsLoaded says it now; no need to keep the promise
            trackEnabled(c);
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
    } catch (err) {
      deps.logger.error("cache-warming: could not load settings", { conversationId: c.id, err });
    }
  }

  /**
   * Persists the changed settings and only then applies them, so a failed write leaves the
   * conversation exactly as it was. Upstream's `{ enabled, intervalMs }` and this package's
   * spend limits live under separate keys; only the one that changes is written.
   */
  async function updateSettings(
    id: string,
    change: (state: CacheWarmingState) => Partial<ConversationSettings & SpendLimits>,
  ): Promise<CacheWarmingState> {
    const c = conversation(id);
    if (disposed) return c.state;
    await loadSettings(c);
    return enqueueSettingsWrite(id, async () => {
      const before = c.state;
      const after: CacheWarmingState = { ...before, ...change(before) };
      const limitsChanged =
        after.idleWarmCap !== before.idleWarmCap ||
        after.deadWarmLimit !== before.deadWarmLimit ||
        after.policy !== before.policy;
      const enabling = after.enabled && !before.enabled;
      const max = deps.maxEnabledConversations ?? 0;
      if (enabling && max > 0 && enabledIds.size >= max) {
        counts.enabledRefusals += 1;
        deps.logger.warn("cache-warming: refused to enable warming", {
          conversationId: id,
          maxEnabledConversations: max,
        });
        releaseIfIdle(c);
        throw new ActionRejectedError(
          `at most ${max} conversations may have warming enabled at once; disable one first`,
        );
      }
      // Counted from now, so enables racing each other cannot pass the cap together.
      if (enabling) enabledIds.add(id);
      try {
        if (limitsChanged) {
          await deps.storage.set(spendLimitsKey(id), serializeSpendLimits(spendLimitsOf(after)));
        } else {
          await deps.storage.set(settingsKey(id), serializeSettings(settingsOf(after)));
        }
      } catch (error) {
        trackEnabled(c);
        throw error;
      }
      if (!isCurrent(c)) return after;
      c.state = { ...c.state, ...settingsOf(after), ...spendLimitsOf(after) };
      // Re-enabling or new spend limits start a fresh idle stretch (and lift a pause).
      // Re-enabling starts a fresh idle stretch (and lifts a pause); new limits are judged
      // against the warms made so far, so they never grant warms past themselves.
      if (after.enabled && !before.enabled) c.state = resetIdleStretch(c.state);
      else if (limitsChanged) c.state = applySpendGuard(c.state);
      if (after.intervalMs !== before.intervalMs) rearm(c);
      else reconcile(c);
      notify(id);
      return c.state;
    });
  }

  /** Why a manual warm is turned away before the provider is called, or null to go ahead. */
  function refuseWarmNow(
    c: Conversation,
    context: ConversationContext,
  ): Exclude<WarmNowResult, { ok: true }> | null {
    const now = deps.now();
    const refusal = refuseManualWarm(c.state, {
      now,
      inFlight: c.flight !== null,
      lastManualWarmAt: c.lastManualWarmAt,
      minGapMs: deps.manualWarmMinGapMs ?? DEFAULT_MANUAL_WARM_MIN_GAP_MS,
    });
    if (refusal) return { ok: false, ...refusal };
    if (economicsOf(context).pricing?.selfCaching === true) {
      return {
        ok: false,
        reason: "refused",
        error: `${context.modelName}'s provider caches prompts by itself; warming would only cost`,
      };
    }
    // Joining a warm in flight is free: it counts toward neither limit.
    if (c.flight) return null;
    const spent = spendBudget(c.id);
    if (!spent.ok) {
      const seconds = Math.ceil(spent.retryAfterMs / 1000);
      return {
        ok: false,
        reason: "budget",
        error:
          spent.what === "dollars"
            ? `the server's warm budget ($${deps.maxUsdPerMinute} a minute) is spent; retry in ${seconds} s`
            : `the server's warm budget (${deps.maxWarmsPerMinute} a minute) is spent; retry in ${seconds} s`,
        retryAfterMs: spent.retryAfterMs,
      };
    }
    c.lastManualWarmAt = now;
    return null;
  }

  // ---- public API --------------------------------------------------------------------------

  return {
    onTurnStarted(id) {
      if (disposed) return;
      deps.logger.debug("cache-warming: turn started", { conversationId: id });
      const c = conversation(id);
      c.state = recordTurnStart({ ...c.state, active: true }, deps.now());
      cancelTimer(c);
      notify(id);
    },

    onTurnSettled(id, ctx = {}) {
      if (disposed) return Promise.resolve();
      deps.logger.debug("cache-warming: turn settled", { conversationId: id });
      const c = conversation(id);
      const now = deps.now();
      c.state = resetIdleStretch({
        ...c.state,
        active: false,
        lastTouchedAt: now,
        lastTurnSettledAt: now,
      });
      setContext(c, copyContext(ctx));
      c.state = { ...c.state, switchedFrom: null };
      // Break-even may judge even the first warm not worth it for this conversation.
      if (!worthGoingOn(c.state, 0)) c.state = { ...c.state, pausedBy: "not-worth-it" };
      // A turn just read the whole prefix, so the full interval starts now.
      rearm(c);
      notify(id);
      if (c.settingsLoaded) return Promise.resolve();
      // First sight since start: persisted settings may enable warming after all.
      return loadOrLog(c).then(() => {
        if (!isCurrent(c) || c.state.active) return;
        const wasArmed = c.timerId !== null;
        reconcile(c);
        if (wasArmed !== (c.timerId !== null)) notify(id);
      });
    },

    onWarmCompleted({ conversationId: id, usage }) {
      if (disposed) return;
      const c = conversation(id);
      if (c.flight) {
        c.flight.heldCompletions.push(usage);
        return;
      }
      if (c.unechoedResult !== null && c.unechoedResult === usage) {
        c.unechoedResult = null;
        return;
      }
      recordCompletion(c, usage);
    },

    async onConversationClosed(id) {
      const c = conversations.get(id);
      if (c) {
        cancelTimer(c);
        conversations.delete(id);
        enabledIds.delete(id);
        c.flight?.abandon?.();
        // Runtime state goes; known settings stay visible, with warming off.
        if (c.settingsLoaded && !disposed) {
          const reopened = conversation(id);
          reopened.state = initialState(
            { ...settingsOf(c.state), enabled: false },
            spendLimitsOf(c.state),
            noModel,
          );
          reopened.settingsLoaded = true;
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

    getState(id) {
      return { ...(conversations.get(id)?.state ?? initialState(undefined, undefined, noModel)) };
    },

    getContext(id) {
      return { ...conversations.get(id)?.state.context };
    },

    async setEnabled(id, enabled) {
      return settingsOf(await updateSettings(id, () => ({ enabled })));
    },

    async setIntervalMs(id, intervalMs) {
      const clamped = Number.isFinite(intervalMs) ? clampIntervalMs(intervalMs) : MIN_INTERVAL_MS;
      return settingsOf(
        await updateSettings(id, (state) => ({
          intervalMs: Math.min(clamped, state.economics.maxIntervalMs ?? clamped),
        })),
      );
    },

    dispose() {
      storeBudget(true);
      disposed = true;
      for (const c of conversations.values()) {
        cancelTimer(c);
        if (c.releaseTimerId !== null) deps.timers.clearTimer(c.releaseTimerId);
        c.flight?.abandon?.();
      }
      conversations.clear();
      enabledIds.clear();
    },

    async toggleEnabled(id) {
      return settingsOf(await updateSettings(id, (state) => ({ enabled: !state.enabled })));
    },

    async setSpendLimits(id, limits) {
      const parsed = spendLimitsSchema.safeParse(limits);
      if (!parsed.success) {
        throw new RangeError(
          'spend limits must be whole numbers from 0 (off); policy "fixed" or "break-even"',
        );
      }
      return spendLimitsOf(await updateSettings(id, () => definedOnly(parsed.data)));
    },

    async warmNow(id, opts = {}) {
      if (disposed) return { ok: false, reason: "closed", error: "the warmer is shut down" };
      const c = conversation(id);
      await loadOrLog(c);
      if (!isCurrent(c)) {
        return { ok: false, reason: "closed", error: "the conversation was closed" };
      }
      const context = { ...c.state.context, ...copyContext(opts) };
      const refused = refuseWarmNow(c, context);
      if (refused === null) return runWarm(c, context, "manual");
      // Budget refusals have their own lines (a debug each, a warning a minute): under attack
      // one line per refusal would flood the log.
      if (refused.reason !== "budget") {
        deps.logger.info("cache-warming: manual warm refused", {
          conversationId: id,
          reason: refused.reason,
        });
      }
      // A refused request leaves nothing behind: an id seen only here leaves memory again.
      releaseIfIdle(c);
      return refused;
    },

    async ensureLoaded(id) {
      if (disposed) return;
      await loadSettings(conversation(id));
    },

    isLoaded(id) {
      return conversations.get(id)?.settingsLoaded ?? false;
    },

    release(id) {
      const c = conversations.get(id);
      if (c) releaseIfIdle(c);
    },

    stats() {
      return {
        ...counts,
        conversationsInMemory: conversations.size,
        pendingWrites: settingsQueues.size,
        enabledConversations: enabledIds.size,
      };
    },

    async drainWrites() {
      await Promise.all([...settingsQueues.values()]);
    },

    async resumeSchedules(options = {}) {
      const resumed: Array<{ conversationId: string; at: number }> = [];
      const notResumed: Array<{ conversationId: string; reason: NotResumedReason }> = [];
      const storedBudget = parseBudgetRecord(await deps.storage.get(BUDGET_KEY));
      budgetRead = true;
      if (storedBudget !== null) {
        budget = storedBudget.calls;
        usdBudget = storedBudget.usd;
      }
      const keys = (await deps.storage.keys?.(scheduleKey(""))) ?? [];
      for (const key of keys) {
        const id = key.slice(scheduleKey("").length);
        if (options.accepts && !options.accepts(id)) {
          deps.logger.warn("cache-warming: stored schedule of an invalid id left alone", {
            conversationId: JSON.stringify(id).slice(0, 80),
          });
          continue;
        }
        const c = conversation(id);
        await loadSettings(c);
        if (!isCurrent(c) || !c.state.enabled || c.timerId !== null || c.state.active) {
          releaseIfIdle(c);
          continue;
        }
        const now = deps.now();
        const decision = decideResume(c.state, c.storedNextWarmAt, now);
        if (decision.kind === "paused") {
          deps.logger.info("cache-warming: schedule stays paused", {
            conversationId: id,
            reason: c.state.pausedBy,
          });
        } else if (decision.kind === "resume") {
          armTimer(c, decision.at - now);
          resumed.push({ conversationId: id, at: decision.at });
          deps.logger.info("cache-warming: schedule resumed", {
            conversationId: id,
            at: decision.at,
          });
        } else {
          c.state = { ...c.state, notResumedBecause: decision.reason };
          notResumed.push({ conversationId: id, reason: decision.reason });
          deps.logger.info("cache-warming: schedule not resumed", {
            conversationId: id,
            reason: decision.reason,
          });
        }
        notify(id);
      }
      return { resumed, notResumed };
    },
  };
}
