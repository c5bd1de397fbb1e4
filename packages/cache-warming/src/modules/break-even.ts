// Opt-in module: the break-even warm policy. While the policy is `break-even` and the model's
// prices are known, warming goes on only while the next warm is likely to save more than it
// costs, judged from the conversation's own idle gaps and a prior; otherwise it pauses until
// the next turn (`not-worth-it`).
import type { WarmRules } from "../rules.js";
import { type CacheWarmingState, effectiveIntervalMs } from "../state.js";
import { describePolicyPause, savedByHitUsd, worthWarmingOn } from "./economics.js";

/**
 * The break-even policy's decision, `idleMs` after the last touch (a warm, or the settled
 * turn at 0): true under `fixed`, without prices, or before a warm has told the prefix size.
 */
export function worthGoingOn(state: CacheWarmingState, idleMs: number): boolean {
  const { pricing, cacheTtlMs } = state.economics;
  if (state.policy !== "break-even" || pricing === null || state.lastPrefixTokens === 0) {
    return true;
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no cap (0) the difference is ≤ 0, which falls to the horizon just as 0 does
  const remaining = state.idleWarmCap > 0 ? state.idleWarmCap - state.autoWarmsSinceTurn : 0;
  return worthWarmingOn({
    idleMs,
    intervalMs: effectiveIntervalMs(state),
    cacheTtlMs,
    gapsMs: state.gapsMs,
    // A warm reads the prefix and writes about one token.
    warmCostUsd: (state.lastPrefixTokens * pricing.cacheReadPerMTok + pricing.outputPerMTok) / 1e6,
    savedByHitUsd: savedByHitUsd(state.lastPrefixTokens, pricing),
    horizon: remaining > 0 ? remaining : BREAK_EVEN_HORIZON,
  });
}

/** How many warms ahead the break-even policy looks when no idle cap bounds it. */
export const BREAK_EVEN_HORIZON = 24;

/** The policy as warming rules: judged after each automatic warm, and as a turn settles. */
export const breakEvenRules: WarmRules = {
  warmRecorded(state, attempt, trigger, now) {
    if (trigger !== "auto" || attempt.kind !== "ok" || state.pausedBy !== null) return state;
    const idleMs = now - (state.lastTurnSettledAt ?? now);
    return worthGoingOn(state, idleMs) ? state : { ...state, pausedBy: "not-worth-it" };
  },
  // Break-even may judge even the first warm not worth it for this conversation.
  turnSettled: (state) => (worthGoingOn(state, 0) ? state : { ...state, pausedBy: "not-worth-it" }),
  describePause: describePolicyPause,
};
