// Opt-in module: the per-conversation spend guard (idle cap, dead-cache limit) and the warm
// policies (`fixed`, `break-even`). Stored beside upstream's settings as `spend-limits:<id>`.
import * as z from "zod";
import { ActionRejectedError } from "../payloads.js";
import { DEFAULT_INTERVAL_MS, serializeSettings } from "../pure.js";
import { type CacheWarmingState, effectiveIntervalMs } from "../state.js";
import { countSchema, parseStored } from "../stored.js";
import { savedByHitUsd, worthWarmingOn } from "./economics.js";

/** One hour of warming at the default interval, then the schedule pauses until a turn. */
export const DEFAULT_IDLE_WARM_CAP = 15;

/** Two automatic warms in a row that read nothing from the cache pause the schedule. */
export const DEFAULT_DEAD_WARM_LIMIT = 2;

/** The spend guard, stored beside upstream's settings (`spend-limits:<id>`), never inside. */
export interface SpendLimits {
  /** Automatic warms allowed since the last settled turn; 0 = unlimited. */
  readonly idleWarmCap: number;
  /** Consecutive automatic warms that read nothing from the cache before pausing; 0 = never. */
  readonly deadWarmLimit: number;
  /** `fixed`: warm every interval; `break-even`: only while the next warm is worth its price. */
  readonly policy: WarmPolicy;
}

export const WARM_POLICIES = ["fixed", "break-even"] as const;

export type WarmPolicy = (typeof WARM_POLICIES)[number];

const warmPolicySchema = z.enum(WARM_POLICIES);

export const DEFAULT_SPEND_LIMITS: SpendLimits = Object.freeze({
  policy: "fixed" as WarmPolicy,
  idleWarmCap: DEFAULT_IDLE_WARM_CAP,
  deadWarmLimit: DEFAULT_DEAD_WARM_LIMIT,
});

export function spendLimitsKey(conversationId: string): string {
  return `spend-limits:${conversationId}`;
}

// Each field falls back on its own, so one bad value does not throw the other away.
const storedSpendLimitsSchema = z.object({
  idleWarmCap: countSchema.catch(DEFAULT_IDLE_WARM_CAP),
  deadWarmLimit: countSchema.catch(DEFAULT_DEAD_WARM_LIMIT),
  policy: warmPolicySchema.catch("fixed"),
});

export function parseSpendLimits(raw: string | null): SpendLimits {
  return parseStored(raw, storedSpendLimitsSchema, DEFAULT_SPEND_LIMITS);
}

export function serializeSpendLimits(limits: SpendLimits): string {
  return JSON.stringify({
    idleWarmCap: limits.idleWarmCap,
    deadWarmLimit: limits.deadWarmLimit,
    policy: limits.policy,
  });
}

export function spendLimitsOf(state: SpendLimits): SpendLimits {
  return {
    idleWarmCap: state.idleWarmCap,
    deadWarmLimit: state.deadWarmLimit,
    policy: state.policy,
  };
}

const DEFAULT_SETTINGS_RECORD = serializeSettings({
  enabled: false,
  intervalMs: DEFAULT_INTERVAL_MS,
});

const DEFAULT_SPEND_LIMITS_RECORD = serializeSpendLimits(DEFAULT_SPEND_LIMITS);

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
  // Break-even's own pause lasts only while break-even is the policy.
  const policyPause = state.pausedBy === "not-worth-it" && state.policy !== "break-even";
  return guardPause || policyPause ? { ...state, pausedBy: null } : state;
}

/**
 * The break-even policy's decision, `idleMs` after the last touch (a warm, or the settled
 * turn at 0): true under `fixed`, without prices, or before a warm has told the prefix size.
 */
export function worthGoingOn(state: CacheWarmingState, idleMs: number): boolean {
  const { pricing, cacheTtlMs } = state.economics;
  if (state.policy !== "break-even" || pricing === null || state.lastPrefixTokens === 0) {
    return true;
  }
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

export const spendLimitsSchema = z
  .object({
    idleWarmCap: countSchema.optional(),
    deadWarmLimit: countSchema.optional(),
    policy: warmPolicySchema.optional(),
  })
  .refine(
    (limits) =>
      limits.idleWarmCap !== undefined ||
      limits.deadWarmLimit !== undefined ||
      limits.policy !== undefined,
    { message: "give idleWarmCap, deadWarmLimit and/or policy" },
  );

export type SpendLimitsChange = Partial<SpendLimits>;

/**
 * `set-spend-limits` takes `{ idleWarmCap?, deadWarmLimit?, policy? }`: whole numbers ≥ 0
 * (0 = off) and `"fixed"` or `"break-even"`.
 */
export function parseSpendLimitsPayload(payload: unknown): SpendLimitsChange {
  const parsed = spendLimitsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new ActionRejectedError(
      `set-spend-limits expects { idleWarmCap?, deadWarmLimit?, policy? }: ${where}${issue?.message}`,
    );
  }
  return definedOnly(parsed.data);
}

/** The limits a change names, without the keys it leaves out. */
export function definedOnly(change: {
  idleWarmCap?: number | undefined;
  deadWarmLimit?: number | undefined;
  policy?: WarmPolicy | undefined;
}): SpendLimitsChange {
  const { idleWarmCap, deadWarmLimit, policy } = change;
  return {
    ...(idleWarmCap === undefined ? {} : { idleWarmCap }),
    ...(deadWarmLimit === undefined ? {} : { deadWarmLimit }),
    ...(policy === undefined ? {} : { policy }),
  };
}
