// Opt-in module: the per-conversation spend guard (idle cap, dead-cache limit) and the choice of
// warm policy. Stored beside upstream's settings as `spend-limits:<id>`.
import * as z from "zod";
import { computeExpectedCacheRate, DEFAULT_INTERVAL_MS, serializeSettings } from "../pure.js";
import type { WarmRules } from "../rules.js";
import {
  type CacheWarmingState,
  DEFAULT_DEAD_WARM_LIMIT,
  DEFAULT_IDLE_WARM_CAP,
  DEFAULT_SPEND_LIMITS,
  type SpendLimits,
  spendLimitsOf,
  type WarmPolicy,
} from "../state.js";
import { countSchema, parseStored } from "../stored.js";
import { spendLimitsActions, warmPolicySchema } from "./spend-limits.js";

export function spendLimitsKey(conversationId: string): string {
  return `spend-limits:${conversationId}`;
}

/**
 * The policy of a conversation whose limits say none (no record, or one stored before
 * policies existed). The core alone warms every interval (`fixed`); with the guard, `adaptive`
 * (compose `adaptiveRules` too, as `STANDARD_RULES` does, or it warms as `fixed` does).
 */
export const DEFAULT_POLICY: WarmPolicy = "adaptive";

/** The limits of a conversation that never set any, once the guard has read its record. */
export const GUARDED_DEFAULTS: SpendLimits = Object.freeze({
  ...DEFAULT_SPEND_LIMITS,
  policy: DEFAULT_POLICY,
});

// Each field falls back on its own, so one bad value does not throw the other away.
const storedSpendLimitsSchema = z.object({
  idleWarmCap: countSchema.catch(DEFAULT_IDLE_WARM_CAP),
  deadWarmLimit: countSchema.catch(DEFAULT_DEAD_WARM_LIMIT),
  policy: warmPolicySchema.catch(DEFAULT_POLICY),
});

export function parseSpendLimits(raw: string | null): SpendLimits {
  return parseStored(raw, storedSpendLimitsSchema, GUARDED_DEFAULTS);
}

export function serializeSpendLimits(limits: SpendLimits): string {
  return JSON.stringify({
    idleWarmCap: limits.idleWarmCap,
    deadWarmLimit: limits.deadWarmLimit,
    policy: limits.policy,
  });
}

const DEFAULT_SETTINGS_RECORD = serializeSettings({
  enabled: false,
  intervalMs: DEFAULT_INTERVAL_MS,
});

const DEFAULT_SPEND_LIMITS_RECORD = serializeSpendLimits(GUARDED_DEFAULTS);

/** Whether a stored value says no more than its absence would (a store may drop it). */
export function isDefaultRecord(key: string, value: string): boolean {
  if (key.startsWith("settings:")) return value === DEFAULT_SETTINGS_RECORD;
  if (key.startsWith("spend-limits:")) return value === DEFAULT_SPEND_LIMITS_RECORD;
  return false;
}

/**
 * The spend guard's counters against its limits: paused once a limit is reached, and a pause
 * it set lifted only when the limits no longer hold it. A limits change is judged by the same
 * rule, so it never grants warms past the new limit (cap 1 after 3 warms pauses at once).
 */
export function applySpendGuard(state: CacheWarmingState): CacheWarmingState {
  if (state.idleWarmCap > 0 && state.autoWarmsSinceTurn >= state.idleWarmCap) {
    return { ...state, pausedBy: "idle-cap" };
  }
  if (state.deadWarmLimit > 0 && state.deadWarmStreak >= state.deadWarmLimit) {
    return { ...state, pausedBy: "dead-cache" };
  }
  const guardPause = state.pausedBy === "idle-cap" || state.pausedBy === "dead-cache";
  // A policy's own pause lasts only while that policy (break-even, adaptive) is in force.
  const policyPause = state.pausedBy === "not-worth-it" && state.policy === "fixed";
  return guardPause || policyPause ? { ...state, pausedBy: null } : state;
}

/** A settled turn, a manual warm or re-enabling starts a fresh idle stretch. */
export function resetIdleStretch(state: CacheWarmingState): CacheWarmingState {
  return { ...state, autoWarmsSinceTurn: 0, deadWarmStreak: 0, pausedBy: null };
}

/**
 * The spend guard as warming rules: automatic warms since the last turn and cold ones in a
 * row are counted and pause the schedule at their limits; a turn, a manual warm or
 * re-enabling starts over; new limits are judged against the warms made so far.
 */
/** "1 warm", "3 warms". */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The Schedule stat's words for the guard's own pauses. */
export function describeGuardPause(state: CacheWarmingState): string | undefined {
  if (state.pausedBy === "idle-cap") {
    return `Paused: ${plural(state.autoWarmsSinceTurn, "automatic warm")} since the last turn (idle cap ${state.idleWarmCap})`;
  }
  if (state.pausedBy === "dead-cache") {
    return `Paused: the cache was not retained (${plural(state.deadWarmStreak, "warm")} in a row read nothing)`;
  }
  return undefined;
}

export const spendGuardRules: WarmRules = {
  records: [
    {
      // Stryker disable next-line StringLiteral: only records written after changes are logged by name; the setters write this one
      name: "spend limits",
      key: spendLimitsKey,
      restore: (state, raw) => ({ ...state, ...parseSpendLimits(raw) }),
      recordOf: (state) => serializeSpendLimits(spendLimitsOf(state)),
      setting: true,
    },
  ],
  warmRecorded(state, attempt, trigger) {
    if (trigger === "manual") return resetIdleStretch(state);
    let deadWarmStreak = state.deadWarmStreak;
    if (attempt.kind === "ok") {
      const { cacheReadTokens, cacheWriteTokens } = attempt.usage;
      const cold = computeExpectedCacheRate(cacheReadTokens, cacheWriteTokens) === 0;
      deadWarmStreak = cold ? deadWarmStreak + 1 : 0;
    }
    return applySpendGuard({
      ...state,
      autoWarmsSinceTurn: state.autoWarmsSinceTurn + 1,
      deadWarmStreak,
    });
  },
  turnSettled: resetIdleStretch,
  settingsChanged(state, { enabling, limitsChanged }) {
    if (enabling) return resetIdleStretch(state);
    return limitsChanged ? applySpendGuard(state) : state;
  },
  describePause: describeGuardPause,
  actions: spendLimitsActions,
};
