// Opt-in module, with the spend guard: the user's limits. The surface's `set-spend-limits`
// action and `setSpendLimits(warmer, …)` for hosts; stored as `spend-limits:<id>` (the guard's
// kept setting) before they apply, and judged against the warms already made.
import * as z from "zod";
import { ActionRejectedError } from "../payloads.js";
import type { RuleAction } from "../rules.js";
import {
  type SpendLimits,
  type SpendLimitsChange,
  spendLimitsOf,
  WARM_POLICIES,
  type WarmPolicy,
} from "../state.js";
import { countSchema } from "../stored.js";
import type { CacheWarmer } from "../warmer.js";

export const SET_SPEND_LIMITS = "cache-warming/set-spend-limits";

export const warmPolicySchema = z.enum(WARM_POLICIES);

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

/**
 * `set-spend-limits` takes `{ idleWarmCap?, deadWarmLimit?, policy? }`: whole numbers ≥ 0
 * (0 = off) and one of WARM_POLICIES (`"fixed"`, `"break-even"`, `"adaptive"`).
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

/** Per-conversation spend limits (persisted), judged against the warms made so far. */
export async function setSpendLimits(
  warmer: Pick<CacheWarmer, "changeSettings">,
  conversationId: string,
  limits: SpendLimitsChange,
): Promise<SpendLimits> {
  const parsed = spendLimitsSchema.safeParse(limits);
  if (!parsed.success) {
    throw new RangeError(
      `spend limits must be whole numbers from 0 (off); policy ${WARM_POLICIES.map((p) => `"${p}"`).join(", ")}`,
    );
  }
  return spendLimitsOf(await warmer.changeSettings(conversationId, () => definedOnly(parsed.data)));
}

// The payload is checked once, here; setSpendLimits would only check the same limits again.
const setFromPayload: RuleAction = async (warmer, conversationId, payload) => {
  const limits = parseSpendLimitsPayload(payload);
  await warmer.changeSettings(conversationId, () => limits);
};

/** The surface action this module adds. */
export const spendLimitsActions: Readonly<Record<string, RuleAction>> = {
  [SET_SPEND_LIMITS]: setFromPayload,
};
