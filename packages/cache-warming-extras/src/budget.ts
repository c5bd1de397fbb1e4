// Extra: the server's global warm budgets, calls and dollars a minute over all conversations.
// A cap is a reservation: before a warm is sent it takes one call and its worst-case price
// (writing its whole prefix again, at its model's price or, unpriced, at the dearest price the
// server knows), and the budget as it stands then is stored (`warm-budget`) before the warm
// goes, so no crash or restart hands out the same minute twice. When the warm answers, the
// reservation is settled to its real price (a provider's refusal is refunded; a failure or a
// timeout keeps it, as it may have been paid).
import * as z from "zod";
import { type Extra, type ExtraDeps, type Pause, perConversation } from "./extra.js";
import type { Ledger } from "./ledger.js";
import { type ModelPricing, warmCostUsd } from "./prices.js";
import { parseStored } from "./records.js";

/** A token bucket: `tokens` left at `at`, refilled `perMinute` a minute up to `perMinute`. */
export interface Bucket {
  readonly tokens: number;
  readonly at: number;
}

/** What the bucket holds at `now`. */
export function refill(bucket: Bucket, now: number, perMinute: number): number {
  return Math.min(perMinute, bucket.tokens + (Math.max(0, now - bucket.at) * perMinute) / 60_000);
}

/** Takes `amount` when the bucket holds it; else how long until it will. 0 per minute: no limit. */
export function take(
  bucket: Bucket,
  now: number,
  perMinute: number,
  amount: number,
): { readonly ok: true; readonly bucket: Bucket } | { readonly ok: false; readonly retryAfterMs: number } {
  if (perMinute <= 0) return { ok: true, bucket };
  const held = refill(bucket, now, perMinute);
  // A single warm dearer than a whole minute's budget waits for a full bucket, then goes alone.
  const needed = Math.min(amount, perMinute);
  if (held >= needed) return { ok: true, bucket: { tokens: held - amount, at: now } };
  return { ok: false, retryAfterMs: Math.max(1, Math.ceil(((needed - held) * 60_000) / perMinute)) };
}

/** `amount` put back (a refund) or taken (a dearer answer than reserved; may go below zero). */
export function adjust(bucket: Bucket, now: number, perMinute: number, amount: number): Bucket {
  if (perMinute <= 0) return bucket;
  return { tokens: refill(bucket, now, perMinute) + amount, at: now };
}

/** Prefix size reserved for a conversation no warm has measured yet. */
export const DEFAULT_RESERVED_PREFIX_TOKENS = 32_000;

const bucketSchema = z.object({ tokens: z.number().finite(), at: z.number().int().min(0) });
const budgetSchema = z.object({ calls: bucketSchema, usd: bucketSchema });

export interface BudgetOptions {
  /** Read on every warm, so an operator may change them while running. 0 = no limit. */
  readonly maxWarmsPerMinute: () => number;
  readonly maxUsdPerMinute: () => number;
  /** The price unpriced models are reserved and charged at: the dearest the server knows. */
  readonly dearest: ModelPricing;
}

interface Reservation {
  readonly usd: number;
  readonly pricing: ModelPricing;
}

export function createBudget(deps: ExtraDeps & BudgetOptions & { readonly ledger: Ledger }) {
  const { now, economicsOf, logger, ledger } = deps;
  let calls: Bucket = { tokens: deps.maxWarmsPerMinute(), at: now() };
  let usd: Bucket = { tokens: deps.maxUsdPerMinute(), at: now() };
  const KEY = "warm-budget";
  // What each warm in flight reserved, by conversation (a conversation has one at a time).
  const reserved = new Map<string, Reservation>();
  // When a refused automatic warm is tried again, by conversation.
  const retries = perConversation<{ at: number | null }>(() => ({ at: null }));
  let refused = 0;
  let lastWarningAt = Number.NEGATIVE_INFINITY;
  let restored = false;

  const limited = () => deps.maxWarmsPerMinute() > 0 || deps.maxUsdPerMinute() > 0;
  const store = () =>
    deps.persist
      ? deps.queue.enqueue(KEY, () => deps.storage.set(KEY, JSON.stringify({ calls, usd })))
      : Promise.resolve();

  /** The most this warm can cost: its prefix written again, and one output token. */
  function reservationFor(id: string, model: string | undefined): Reservation {
    const pricing = economicsOf(model).pricing ?? deps.dearest;
    const prefix = Math.max(ledger.entry(id).prefixTokens, DEFAULT_RESERVED_PREFIX_TOKENS);
    const worst = { inputTokens: prefix, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: prefix };
    return { usd: warmCostUsd(worst, pricing), pricing };
  }

  function refuse(id: string, retryAfterMs: number, what: string) {
    refused += 1;
    logger.debug("cache-warming: warm refused by the budget", { conversationId: id });
    // At most one warning a minute: under attack the refusals would flood the log.
    if (now() - lastWarningAt >= 60_000) {
      lastWarningAt = now();
      logger.warn("cache-warming: warm budget spent, refusing warms", {
        conversationId: id,
        budget: what,
        refusedSoFar: refused,
      });
    }
    const seconds = Math.ceil(retryAfterMs / 1000);
    return {
      reason: "budget",
      error: `the server's warm budget (${what}) is spent; retry in ${seconds} s`,
      retryAfterMs,
    };
  }

  function settle(id: string, actualUsd: number): void {
    const reservation = reserved.get(id);
    if (reservation === undefined) return;
    reserved.delete(id);
    usd = adjust(usd, now(), deps.maxUsdPerMinute(), reservation.usd - actualUsd);
    if (limited()) {
      store().catch((err: unknown) => logger.error("cache-warming: could not store the warm budget", { err }));
    }
  }

  const extra = {
    refusals: () => refused,
    /** Reads what the last run left (before any warm). */
    async restore(): Promise<void> {
      const stored = parseStored(await deps.storage.get(KEY), budgetSchema, null);
      restored = true;
      if (stored !== null) ({ calls, usd } = stored);
    },
    pause(id): Pause | null {
      const at = retries.peek(id)?.at ?? null;
      if (at === null) return null;
      return {
        reason: "budget",
        rule: "the server's warm budget",
        why: "the calls or dollars it allows a minute are spent",
        resumes: `the next warm it allows, at ${new Date(at).toISOString().slice(11, 19)}`,
      };
    },
    /** When this conversation's refused automatic warm is tried again. */
    retryAt: (id: string) => retries.peek(id)?.at ?? null,
    forget: (id: string) => void retries.forget(id),
    holds: (id: string) => reserved.has(id) || (retries.peek(id)?.at ?? null) !== null,
    hooks: {
      async beforeWarm(id, trigger, context) {
        if (!limited()) return undefined;
        // A budget read from storage before it is spent; a start that failed stores nothing.
        if (!restored) await extra.restore();
        const at = now();
        const reservation = reservationFor(id, context.modelName);
        const dollars = take(usd, at, deps.maxUsdPerMinute(), reservation.usd);
        if (!dollars.ok) return refuseFor(id, trigger, dollars.retryAfterMs, `$${deps.maxUsdPerMinute()} a minute`);
        const call = take(calls, at, deps.maxWarmsPerMinute(), 1);
        if (!call.ok) return refuseFor(id, trigger, call.retryAfterMs, `${deps.maxWarmsPerMinute()} a minute`);
        calls = call.bucket;
        usd = dollars.bucket;
        reserved.set(id, reservation);
        retries.get(id).at = null;
        // Stored before the warm goes: a crash now cannot hand this minute out again.
        try {
          await store();
        } catch {
          settle(id, 0);
          return { reason: "unavailable", error: "the warm budget could not be stored; no warm was sent" };
        }
        return undefined;
      },
      warmRecorded(id, usage) {
        const reservation = reserved.get(id);
        if (reservation !== undefined) settle(id, warmCostUsd(usage, reservation.pricing));
      },
      warmFailed(id, refusal) {
        // Refused by the provider: not paid. A failure or a timeout may have been.
        const reservation = reserved.get(id);
        if (reservation !== undefined) settle(id, refusal.reason === "refused" ? 0 : reservation.usd);
      },
      turnStarted(id) {
        retries.get(id).at = null;
      },
    },
  } satisfies Extra & Record<string, unknown>;

  function refuseFor(id: string, trigger: string, retryAfterMs: number, what: string) {
    if (trigger === "auto") retries.get(id).at = now() + Math.max(1_000, retryAfterMs);
    return refuse(id, Math.max(1_000, retryAfterMs), what);
  }

  return extra;
}

export type Budget = ReturnType<typeof createBudget>;
