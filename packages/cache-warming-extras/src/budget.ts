// Extra: the server's global warm budgets, calls and dollars a minute over all conversations.
// A cap is a reservation: before a warm is sent it takes one call and its worst-case price
// (writing its whole prefix again, at its model's price or, unpriced, at the dearest price the
// server knows); when it answers, the reservation is settled to its real price (a provider's
// refusal is refunded; a failure or a timeout keeps it, as it may have been paid).
// What allows a warm is durable before the warm is sent, without a disk write per warm: the
// budget stores a lease (a slice of the budget counted as spent ahead of use) and warms draw on
// it; a crash forgets at most the unused lease, counted as spent, so no crash, restart or crash
// loop hands out the same minute twice. The lease is renewed before it runs out.
import * as z from "zod";
import { type Extra, type ExtraDeps, type Pause, perConversation, seam } from "./extra.js";
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
):
  | { readonly ok: true; readonly bucket: Bucket }
  | { readonly ok: false; readonly retryAfterMs: number } {
  if (perMinute <= 0) return { ok: true, bucket };
  const held = refill(bucket, now, perMinute);
  // A single warm dearer than a whole minute's budget waits for a full bucket, then goes alone.
  const needed = Math.min(amount, perMinute);
  if (held >= needed) return { ok: true, bucket: { tokens: held - amount, at: now } };
  return {
    ok: false,
    retryAfterMs: Math.max(1, Math.ceil(((needed - held) * 60_000) / perMinute)),
  };
}

/** `amount` put back (a refund) or taken (a dearer answer than reserved; may go below zero). */
export function adjust(bucket: Bucket, now: number, perMinute: number, amount: number): Bucket {
  if (perMinute <= 0) return bucket;
  return { tokens: refill(bucket, now, perMinute) + amount, at: now };
}

/** Prefix size reserved for a conversation no warm has measured yet. */
export const DEFAULT_RESERVED_PREFIX_TOKENS = 32_000;

const bucketSchema = z.object({ tokens: z.number().finite(), at: z.number().int().min(0) });
const budgetSchema = z.object({
  calls: bucketSchema,
  usd: bucketSchema,
  // Leased and perhaps spent when it was written: counted as spent when it is read back.
  lease: z
    .object({ calls: z.number().finite().min(0), usd: z.number().finite().min(0) })
    .catch({ calls: 0, usd: 0 }),
});

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

/** A budget state: calls and dollars. */
interface Amounts {
  calls: number;
  usd: number;
}

export function createBudget(deps: ExtraDeps & BudgetOptions & { readonly ledger: Ledger }) {
  const { now, economicsOf, logger, ledger } = deps;
  const KEY = "warm-budget";
  let calls: Bucket = { tokens: deps.maxWarmsPerMinute(), at: now() };
  let usd: Bucket = { tokens: deps.maxUsdPerMinute(), at: now() };
  // What the stored budget counts as spent beyond these buckets, and warms may still use.
  const lease: Amounts = { calls: 0, usd: 0 };
  let renewing: Promise<void> | null = null;
  // What each warm in flight reserved, by conversation (a conversation has one at a time).
  const reserved = new Map<string, Reservation>();
  // When a refused automatic warm is tried again, by conversation.
  const retries = perConversation<{ at: number | null }>(() => ({ at: null }));
  let refused = 0;
  let lastWarningAt = Number.NEGATIVE_INFINITY;
  let restored: Promise<void> | null = null;

  const limited = () => deps.maxWarmsPerMinute() > 0 || deps.maxUsdPerMinute() > 0;
  /** A tenth of a minute's budget at a time (a crash forgets at most that much, as spent). */
  const slice = (): Amounts => ({
    calls: Math.max(1, Math.ceil(deps.maxWarmsPerMinute() / 10)),
    usd: deps.maxUsdPerMinute() / 10,
  });

  /** Stores the buckets and `extra` more of lease than now; the lease grows once it is stored. */
  function renew(extra: Amounts): Promise<void> {
    const stored = {
      calls,
      usd,
      lease: { calls: lease.calls + extra.calls, usd: lease.usd + extra.usd },
    };
    const write = deps.persist
      ? deps.queue.enqueue(KEY, () => deps.storage.set(KEY, JSON.stringify(stored)))
      : Promise.resolve();
    return write.then(() => {
      lease.calls += extra.calls;
      lease.usd += extra.usd;
    });
  }

  /** A lease covering `need`: renewed (and waited for) when the one held does not. */
  async function leaseFor(need: Amounts): Promise<void> {
    while (lease.calls < need.calls || lease.usd < need.usd) {
      if (renewing === null) {
        const { calls: c, usd: u } = slice();
        renewing = renew({ calls: Math.max(c, need.calls), usd: Math.max(u, need.usd) }).finally(
          () => {
            renewing = null;
          },
        );
      }
      await renewing;
    }
  }

  /** The most this warm can cost: its prefix written again, and one output token. */
  function reservationFor(id: string, model: string | undefined): Reservation {
    const pricing = economicsOf(model).pricing ?? deps.dearest;
    const prefix = Math.max(ledger.entry(id).prefixTokens, DEFAULT_RESERVED_PREFIX_TOKENS);
    const worst = {
      inputTokens: prefix,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: prefix,
    };
    return { usd: warmCostUsd(worst, pricing), pricing };
  }

  function refuse(id: string, trigger: string, retryAfterMs: number, what: string) {
    const wait = Math.max(1_000, retryAfterMs);
    if (trigger === "auto") retries.get(id).at = now() + wait;
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
    return {
      reason: "budget",
      error: `the server's warm budget (${what}) is spent; retry in ${Math.ceil(wait / 1000)} s`,
      retryAfterMs: wait,
    };
  }

  /** Which budget is spent for this warm, if one is: nothing is taken. */
  function check(id: string, trigger: string, reservation: Reservation) {
    const at = now();
    const dollars = take(usd, at, deps.maxUsdPerMinute(), reservation.usd);
    if (!dollars.ok)
      return refuse(id, trigger, dollars.retryAfterMs, `$${deps.maxUsdPerMinute()} a minute`);
    const call = take(calls, at, deps.maxWarmsPerMinute(), 1);
    if (!call.ok)
      return refuse(id, trigger, call.retryAfterMs, `${deps.maxWarmsPerMinute()} a minute`);
    return { calls: call.bucket, usd: dollars.bucket };
  }

  /** Takes the warm from both buckets and the lease, or says which budget is spent. */
  function tryTake(id: string, trigger: string, reservation: Reservation) {
    const taken = check(id, trigger, reservation);
    if ("reason" in taken) return taken;
    calls = taken.calls;
    usd = taken.usd;
    const need = needOf(reservation);
    lease.calls -= need.calls;
    lease.usd -= need.usd;
    reserved.set(id, reservation);
    retries.get(id).at = null;
    return undefined;
  }

  function settle(id: string, actualUsd: number): void {
    const reservation = reserved.get(id);
    if (reservation === undefined) return;
    reserved.delete(id);
    usd = adjust(usd, now(), deps.maxUsdPerMinute(), reservation.usd - actualUsd);
    // A refund need not be stored: the stored budget counts more as spent, the safe side. A
    // warm dearer than reserved takes the rest from the lease, stored already, or stores it.
    const excess = actualUsd - reservation.usd;
    if (excess <= 0 || deps.maxUsdPerMinute() <= 0) return;
    if (lease.usd >= excess) lease.usd -= excess;
    else
      renew({ calls: 0, usd: 0 }).catch((err: unknown) =>
        logger.error("cache-warming: could not store the warm budget", { err }),
      );
  }

  /** Reads what the last run left and stores a first lease (before any warm). */
  function restore(): Promise<void> {
    restored ??= (async () => {
      const stored = parseStored(await deps.storage.get(KEY), budgetSchema, null);
      if (stored !== null) {
        // The lease it held may all have been spent, as late as now: counted so.
        const at = now();
        calls = {
          tokens: refill(stored.calls, at, deps.maxWarmsPerMinute()) - stored.lease.calls,
          at,
        };
        usd = { tokens: refill(stored.usd, at, deps.maxUsdPerMinute()) - stored.lease.usd, at };
      }
      if (limited()) await leaseFor(slice());
    })();
    return restored;
  }

  /** What one warm takes from the lease: nothing of a budget that has no limit. */
  const needOf = (reservation: Reservation): Amounts => ({
    calls: deps.maxWarmsPerMinute() > 0 ? 1 : 0,
    usd: deps.maxUsdPerMinute() > 0 ? reservation.usd : 0,
  });

  const extra = {
    refusals: () => refused,
    restore,
    /** Stores the budget as it is, its lease given back (a clean stop forgets nothing). */
    flush(): Promise<void> {
      if (restored === null || !limited()) return Promise.resolve();
      lease.calls = 0;
      lease.usd = 0;
      return renew({ calls: 0, usd: 0 }).catch((err: unknown) => {
        logger.error("cache-warming: could not store the warm budget", { err });
      });
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
    hooks: seam({
      beforeWarm(id, trigger, context) {
        if (!limited()) return undefined;
        const reservation = reservationFor(id, context.modelName);
        const need = needOf(reservation);
        const covered = restored !== null && lease.calls >= need.calls && lease.usd >= need.usd;
        // A spent budget refuses at once, whatever the lease.
        const spent = check(id, trigger, reservation);
        if ("reason" in spent) return spent;
        if (covered) {
          const refusal = tryTake(id, trigger, reservation);
          // Renewed ahead of need, so a steady stream of warms never waits for the disk.
          const low = lease.calls < slice().calls / 2 || lease.usd < slice().usd / 2;
          if (refusal === undefined && low) void leaseFor(slice()).catch(() => {});
          return refusal;
        }
        // The lease does not cover it: stored first, then taken (a burst waits here once).
        return restore()
          .then(() => leaseFor(need))
          .then(
            () => tryTake(id, trigger, reservation),
            () => ({
              reason: "unavailable",
              error: "the warm budget could not be stored; no warm was sent",
            }),
          );
      },
      warmRecorded(id, usage) {
        const reservation = reserved.get(id);
        if (reservation !== undefined) settle(id, warmCostUsd(usage, reservation.pricing));
      },
      warmFailed(id, refusal) {
        // Refused by the provider: not paid. A failure or a timeout may have been.
        const reservation = reserved.get(id);
        if (reservation !== undefined)
          settle(id, refusal.reason === "refused" ? 0 : reservation.usd);
      },
      turnStarted(id) {
        retries.get(id).at = null;
      },
    }),
  } satisfies Extra & Record<string, unknown>;
  return extra;
}

export type Budget = ReturnType<typeof createBudget>;
