// The one warm path. Every warm, manual or automatic, goes through `runWarm` → `finishWarm`,
// the one place that records the result, re-arms the timer and notifies. Warms somebody else
// started reach the warmer as completion events (upstream's `warmCompleted`) and are recorded
// by the same record → re-arm → notify step; the echo of a warm the warmer started itself is
// recognised and dropped, so every warm is recorded exactly once.
import type { Conversation, Conversations, Flight } from "./conversations.js";
import { type ConversationContext, computeCachePct, computeExpectedCacheRate } from "./pure.js";
import type { SettingsIo } from "./settings-io.js";
import type { PauseReason, WarmAttempt, WarmTrigger } from "./state.js";
import { recordWarm, refuseManualWarm } from "./transitions.js";
import { type CallOutcome, callWarmService, copyContext, sameUsage } from "./warm-call.js";
import type { WarmResult } from "./warm-service.js";
import {
  type CacheWarmerDeps,
  DEFAULT_MANUAL_WARM_MIN_GAP_MS,
  DEFAULT_WARM_TIMEOUT_MS,
  type Logger,
  type WarmGate,
  type WarmNowResult,
} from "./warmer.js";

/** What the warm path needs from the warmer around it. */
export interface WarmPathHost {
  readonly deps: CacheWarmerDeps;
  readonly conversations: Conversations;
  readonly gate: WarmGate | undefined;
  /** Restarts the countdown from now, or stops it when nothing should be scheduled. */
  rearm(c: Conversation): void;
  /** Stores and pushes what changed. */
  notify(id: string): void;
  readonly io: SettingsIo;
  readonly isShutDown: () => boolean;
}

export interface WarmPath {
  /** The manual warm (`warmNow`): refused before any call when it may not run. */
  warmNow(id: string, opts?: ConversationContext): Promise<WarmNowResult>;
  /** New calls made to the warm service (joining one in flight is not a call). */
  readonly calls: () => number;
  /** Starts a warm, or joins the one in flight; resolves once it is recorded. */
  runWarm(c: Conversation, opts: ConversationContext, trigger: WarmTrigger): Promise<WarmNowResult>;
  /** A warm finished outside the warmer's own path: record it like a manual warm. */
  recordCompletion(c: Conversation, usage: WarmResult): void;
}

export function createWarmPath(host: WarmPathHost): WarmPath {
  const { deps, conversations } = host;
  let calls = 0;

  async function warmNow(id: string, opts: ConversationContext = {}): Promise<WarmNowResult> {
    if (host.isShutDown()) return { ok: false, reason: "closed", error: "the warmer is shut down" };
    const c = conversations.open(id);
    await host.io.loadOrLog(c);
    if (!conversations.isCurrent(c)) {
      return { ok: false, reason: "closed", error: "the conversation was closed" };
    }
    const context = { ...c.state.context, ...copyContext(opts) };
    const refused = refuseWarmNow(host, c, context);
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
    conversations.releaseIfIdle(c);
    return refused;
  }

  function runWarm(
    c: Conversation,
    opts: ConversationContext,
    trigger: WarmTrigger,
  ): Promise<WarmNowResult> {
    if (c.flight) return c.flight.done;
    let answer!: (outcome: CallOutcome | null) => void;
    const answered = new Promise<CallOutcome | null>((resolve) => {
      answer = resolve;
    });
    const flight: Flight = {
      done: answered.then((outcome) => finishWarm(c, flight, outcome, trigger)),
      context: copyContext(opts),
      heldCompletions: [],
      abandon: null,
    };
    // In flight before the provider is called: a service that reports its completion while it
    // is still running (upstream's emits synchronously) finds this warm and holds the event.
    c.flight = flight;
    calls += 1;
    const timeoutMs = deps.warmTimeoutMs ?? DEFAULT_WARM_TIMEOUT_MS;
    callWarmService(deps, c.id, opts, timeoutMs, flight, answer);
    return flight.done;
  }

  function finishWarm(
    c: Conversation,
    flight: Flight,
    outcome: CallOutcome | null,
    trigger: WarmTrigger,
  ): WarmNowResult {
    // runWarm joins a flight rather than start a second, so this is still c's flight.
    c.flight = null;
    c.state = { ...c.state, warmStartedAt: null };
    if (outcome === null || !conversations.isCurrent(c)) {
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
      conversations.setContext(c, flight.context);
    }
    c.state = recordWarm(c.state, attempt, trigger, now, deps.rules);
    if (attempt.kind === "ok") host.gate?.charge?.(attempt.usage, c.state.economics.pricing);
    host.rearm(c);
    host.notify(c.id);
    logWarm(deps.logger, c, trigger, attempt, pausedBefore);
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

  function recordCompletion(c: Conversation, usage: WarmResult): void {
    if (c.state.active) {
      deps.logger.debug("cache-warming: dropping warm result (conversation active)", {
        conversationId: c.id,
      });
      return;
    }
    c.state = recordWarm(c.state, { kind: "ok", usage }, "manual", deps.now(), deps.rules);
    host.rearm(c);
    host.notify(c.id);
  }

  return { warmNow, calls: () => calls, runWarm, recordCompletion };
}

/** One line per finished warm, and one when it paused the schedule. */
function logWarm(
  logger: Logger,
  c: Conversation,
  trigger: WarmTrigger,
  attempt: WarmAttempt,
  pausedBefore: PauseReason | null,
): void {
  const conversationId = c.id;
  if (attempt.kind === "ok") {
    logger.info("cache-warming: warmed", {
      conversationId,
      trigger,
      cachePct: c.state.lastPct,
      expectedCacheRate: c.state.lastExpectedPct,
      model: c.state.context.modelName ?? null,
      nextWarmAt: c.state.nextWarmAt,
    });
  } else if (attempt.reason === "refused") {
    logger.info("cache-warming: the provider refused a warm", {
      conversationId,
      trigger,
      error: attempt.error,
    });
  } else {
    logger.warn("cache-warming: warm failed", {
      conversationId,
      trigger,
      reason: attempt.reason,
      error: attempt.error,
    });
  }
  if (c.state.pausedBy !== null && c.state.pausedBy !== pausedBefore) {
    logger.info("cache-warming: paused", { conversationId, reason: c.state.pausedBy });
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
  // Stryker disable next-line ConditionalExpression: the very object also has the same usage; `===` only saves the comparison
  const echo = held.findIndex((usage) => usage === raw || sameUsage(usage, raw));
  if (echo < 0) {
    c.unechoedResult = raw;
    return held;
  }
  return held.filter((_, index) => index !== echo);
}

/** Why a manual warm is turned away before the provider is called, or null to go ahead. */
function refuseWarmNow(
  host: WarmPathHost,
  c: Conversation,
  context: ConversationContext,
): Exclude<WarmNowResult, { ok: true }> | null {
  const { deps, conversations } = host;
  const now = deps.now();
  const refusal = refuseManualWarm(c.state, {
    now,
    inFlight: c.flight !== null,
    lastManualWarmAt: c.lastManualWarmAt,
    minGapMs: deps.manualWarmMinGapMs ?? DEFAULT_MANUAL_WARM_MIN_GAP_MS,
  });
  if (refusal) return { ok: false, ...refusal };
  if (conversations.economicsOf(context).pricing?.selfCaching === true) {
    return {
      ok: false,
      reason: "refused",
      error: `${context.modelName}'s provider caches prompts by itself; warming would only cost`,
    };
  }
  // Joining a warm in flight is free: it counts toward neither limit.
  if (c.flight) return null;
  const taken = host.gate?.take(c.id) ?? { ok: true };
  if (!taken.ok) {
    return {
      ok: false,
      reason: "budget",
      error: taken.error,
      retryAfterMs: taken.retryAfterMs,
    };
  }
  c.lastManualWarmAt = now;
  return null;
}
