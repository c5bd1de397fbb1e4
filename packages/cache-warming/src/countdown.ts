// The countdown to each conversation's next automatic warm: one timer per conversation, a
// new token per arm, and the fire that hands the warm to the warm path.
import type { Conversation, Conversations } from "./conversations.js";
import { isTokenCurrent } from "./pure.js";
import { effectiveIntervalMs, shouldSchedule } from "./state.js";
import type { WarmPath } from "./warm-path.js";
import type { CacheWarmerDeps, WarmGate } from "./warmer.js";

export interface CountdownHost {
  readonly deps: CacheWarmerDeps;
  readonly conversations: Conversations;
  readonly gate: WarmGate | undefined;
  readonly path: () => WarmPath;
  notify(id: string): void;
}

export interface Countdown {
  cancel(c: Conversation): void;
  /** Starts the countdown over: `delayMs` (default: the interval) from now. */
  arm(c: Conversation, delayMs?: number): void;
  /** Restarts the countdown from now, or stops it when nothing should be scheduled. */
  rearm(c: Conversation): void;
  /** Keeps a running countdown as it is; starts or stops one only when that must change. */
  reconcile(c: Conversation): void;
}

export function createCountdown(host: CountdownHost): Countdown {
  const { deps, conversations, gate } = host;
  let nextToken = 1;

  function cancel(c: Conversation): void {
    if (c.timerId !== null) deps.timers.clearTimer(c.timerId);
    c.timerId = null;
    c.state = { ...c.state, nextWarmAt: null, budgetRetryAt: null };
  }

  function arm(c: Conversation, delayMs = effectiveIntervalMs(c.state)): void {
    cancel(c);
    // Stryker disable next-line UpdateOperator: counting down gives unique tokens as well
    const token = nextToken++;
    c.state = {
      ...c.state,
      token,
      nextWarmAt: deps.now() + delayMs,
      notResumedBecause: null,
      budgetRetryAt: null,
    };
    c.timerId = deps.timers.setTimer(() => fired(c, token), delayMs, `warm:${c.id}`);
  }

  function fired(c: Conversation, token: number): void {
    // A cancelled or replaced timer must never warm, whatever the timer backend does.
    if (!conversations.isCurrent(c) || c.timerId === null || !isTokenCurrent(c.state.token, token))
      return;
    c.timerId = null;
    const fires = shouldSchedule(c.state);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: a current timer only fires while the state schedules (every change that stops scheduling cancels it), so `fires` is true here; only a flight decides
    if (fires && !c.flight) {
      const taken = gate?.take(c.id) ?? { ok: true };
      if (!taken.ok) {
        // Over the global budget: try again when it allows one more, and say why meanwhile.
        arm(c, Math.max(1_000, taken.retryAfterMs));
        c.state = { ...c.state, budgetRetryAt: c.state.nextWarmAt };
        host.notify(c.id);
        return;
      }
    }
    // The countdown reached zero: subscribers see the automatic warm in flight (a manual one
    // already in flight is joined; its finish re-arms and notifies) until it finishes.
    c.state = { ...c.state, nextWarmAt: null, warmStartedAt: fires ? deps.now() : null };
    host.notify(c.id);
    // Stryker disable next-line ConditionalExpression: unreachable for a current timer, as above
    if (!fires) return;
    deps.logger.debug("cache-warming: firing warm", { conversationId: c.id });
    void host.path().runWarm(c, c.state.context, "auto");
  }

  return {
    cancel,
    arm,
    rearm(c) {
      if (shouldSchedule(c.state)) arm(c);
      else cancel(c);
    },
    reconcile(c) {
      if (!shouldSchedule(c.state)) cancel(c);
      else if (c.timerId === null) arm(c);
    },
  };
}
