// Opt-in module, pure half: the global warm budgets (calls and dollars a minute, over all
// conversations) as token buckets, and their stored record (`warm-budget`).
import * as z from "zod";
import { parseStored } from "../stored.js";

/** A token bucket over all conversations: `perMinute` warms a minute, bursts up to that. */
export interface WarmBudget {
  readonly tokens: number;
  readonly at: number;
}

export type BudgetDecision =
  | { readonly ok: true; readonly budget: WarmBudget }
  | { readonly ok: false; readonly budget: WarmBudget; readonly retryAfterMs: number };

/** Takes one warm from the budget, refilled for the time since `budget.at`; 0 = no limit. */
export function takeFromBudget(budget: WarmBudget, now: number, perMinute: number): BudgetDecision {
  if (perMinute <= 0) return { ok: true, budget };
  const refilled = refill(budget, now, perMinute);
  if (refilled >= 1) return { ok: true, budget: { tokens: refilled - 1, at: now } };
  const retryAfterMs = Math.ceil(((1 - refilled) * 60_000) / perMinute);
  return { ok: false, budget: { tokens: refilled, at: now }, retryAfterMs };
}

/**
 * The dollar budget, post-paid: a warm may start while the bucket is above zero, and its cost
 * (known only from its usage) is taken after it. The bucket refills `perMinute` dollars a
 * minute up to that; 0 = no limit.
 */
export function mayStartUsd(budget: WarmBudget, now: number, perMinute: number): BudgetDecision {
  if (perMinute <= 0) return { ok: true, budget };
  const refilled = refill(budget, now, perMinute);
  const next = { tokens: refilled, at: now };
  if (refilled > 0) return { ok: true, budget: next };
  return {
    ok: false,
    budget: next,
    retryAfterMs: Math.max(1, Math.ceil((-refilled * 60_000) / perMinute)),
  };
}

/** What a finished warm cost, taken from the dollar budget (which may go below zero). */
export function chargeUsd(budget: WarmBudget, now: number, perMinute: number, usd: number) {
  if (perMinute <= 0) return budget;
  return { tokens: refill(budget, now, perMinute) - usd, at: now };
}

/** What the bucket holds at `now`: refilled `perMinute` a minute since `budget.at`, up to that. */
function refill(budget: WarmBudget, now: number, perMinute: number): number {
  return Math.min(perMinute, budget.tokens + ((now - budget.at) * perMinute) / 60_000);
}

/** `warm-budget`: both global budgets, so a restart does not hand out a fresh minute. */
export const BUDGET_KEY = "warm-budget";

export interface BudgetRecord {
  readonly calls: WarmBudget;
  readonly usd: WarmBudget;
}

const storedBudgetSchema = z.object({
  calls: z.object({ tokens: z.number().finite(), at: z.number().int().min(0) }),
  usd: z.object({ tokens: z.number().finite(), at: z.number().int().min(0) }),
});

export function parseBudgetRecord(raw: string | null): BudgetRecord | null {
  return parseStored(raw, storedBudgetSchema, null);
}
