// Extra: what warming cost and saved per conversation (`ledger:<id>`), and the facts the
// policies judge by: the idle gaps, the prefix size, when the last turn settled. Shows the
// `Warming cost` stat and the `ledger` key of the timer payload.
import * as z from "zod";
import {
  type Extra,
  type ExtraDeps,
  perConversation,
  seam,
  withFields,
  withTimerKeys,
} from "./extra.js";
import { savedByHitUsd, warmCostUsd } from "./prices.js";
import { countSchema, epochOrNull, keptRecord } from "./records.js";
import { UNRECORDED } from "./store-health.js";

/** Gaps a conversation keeps for its own estimate. */
export const MAX_GAPS = 50;

export interface LedgerEntry {
  spentUsd: number;
  savedUsd: number;
  warms: number;
  /** Turns that found the cache alive only because of warms. */
  turnsSaved: number;
  /** Warms whose model had no price: counted, not costed. */
  unpricedWarms: number;
  /** Idle gaps (turn settled → next turn started), newest last. */
  gapsMs: number[];
  /** Tokens of the cacheable prefix, from the last warm (read + written); 0 before one. */
  prefixTokens: number;
  lastTurnSettledAt: number | null;
  /** A warm was sent and has not answered yet (stored before it is sent). */
  inFlight: number;
  /** Its record was read: what memory holds is what to store (never a write before a read). */
  loaded: boolean;
}

const fresh = (): LedgerEntry => ({
  loaded: false,
  spentUsd: 0,
  savedUsd: 0,
  warms: 0,
  turnsSaved: 0,
  unpricedWarms: 0,
  gapsMs: [],
  prefixTokens: 0,
  lastTurnSettledAt: null,
  inFlight: 0,
});

const usd = z.number().finite().min(0);
const ledgerSchema = z.object({
  spentUsd: usd,
  savedUsd: usd,
  warms: countSchema,
  turnsSaved: countSchema,
  unpricedWarms: countSchema,
  gapsMs: z.array(z.number().int().min(0)).max(MAX_GAPS),
  prefixTokens: countSchema.catch(0),
  lastTurnSettledAt: epochOrNull,
  inFlight: countSchema.max(1).catch(0),
});

/** What the ledger shows: dollars only when every warm counted had a price. */
export interface LedgerView {
  readonly spentUsd: number | null;
  readonly savedUsd: number | null;
  readonly netUsd: number | null;
  readonly warms: number;
  readonly turnsSaved: number;
}

export function ledgerView(entry: LedgerEntry, priced: boolean): LedgerView {
  const known = priced && entry.unpricedWarms === 0;
  const round = (value: number) => (known ? Math.round(value * 1e6) / 1e6 : null);
  return {
    spentUsd: round(entry.spentUsd),
    savedUsd: round(entry.savedUsd),
    netUsd: round(entry.savedUsd - entry.spentUsd),
    warms: entry.warms,
    turnsSaved: entry.turnsSaved,
  };
}

/** "spent $0.0123, saved $0.0456 (3 turns)", or why the dollars are missing. */
export function describeLedger(view: LedgerView): string {
  const turns = `${view.turnsSaved} turn${view.turnsSaved === 1 ? "" : "s"}`;
  if (view.spentUsd === null || view.savedUsd === null) {
    return `${view.warms} warms, ${turns} saved; prices unknown`;
  }
  return `spent $${view.spentUsd.toFixed(4)}, saved $${view.savedUsd.toFixed(4)} (${turns})`;
}

export function createLedger(deps: ExtraDeps) {
  const { warmer, now, economicsOf } = deps;
  const entries = perConversation(fresh);
  const record = keptRecord({
    prefix: "ledger",
    schema: ledgerSchema,
    readOnly: !deps.persist,
    ...deps,
  });
  const store = (id: string): Promise<void> => {
    const { loaded, ...entry } = entries.get(id);
    if (!loaded) return Promise.resolve();
    // A conversation with nothing to count keeps no record.
    const empty =
      entry.warms + entry.turnsSaved + entry.inFlight + entry.prefixTokens === 0 &&
      entry.spentUsd + entry.savedUsd === 0 &&
      entry.gapsMs.length === 0 &&
      entry.lastTurnSettledAt === null;
    return record.write(id, empty ? null : entry);
  };
  const save = (id: string) => void store(id).catch(() => {});
  // Automatic warms marked as sent whose call has not gone yet: the warmer drops one if a turn
  // begins or warming is turned off while its mark is stored, and then the mark is taken back.
  const unconfirmed = new Set<string>();
  const modelOf = (id: string) => economicsOf(warmer.getContext(id).modelName);
  const view = (id: string) => ledgerView(entries.get(id), modelOf(id).pricing !== null);

  const extra = {
    /** The ledger's facts for this conversation (the policies read them). */
    entry: (id: string): Readonly<LedgerEntry> => entries.get(id),
    view,
    async load(id) {
      if (entries.get(id).loaded) return;
      const stored = await record.read(id);
      const since = entries.get(id);
      if (since.loaded) return;
      since.loaded = true;
      if (stored === null) return save(id);
      // What happened since start, before the record was read, is added to it.
      // A warm sent before the server stopped, whose answer never came: paid, so counted
      // (its price unknown: the dollars stay those of the answered warms).
      Object.assign(since, {
        spentUsd: stored.spentUsd + since.spentUsd,
        savedUsd: stored.savedUsd + since.savedUsd,
        warms: stored.warms + stored.inFlight + since.warms,
        turnsSaved: stored.turnsSaved + since.turnsSaved,
        unpricedWarms: stored.unpricedWarms + since.unpricedWarms,
        gapsMs: [...stored.gapsMs, ...since.gapsMs].slice(-MAX_GAPS),
        prefixTokens: since.prefixTokens || stored.prefixTokens,
        lastTurnSettledAt: since.lastTurnSettledAt ?? stored.lastTurnSettledAt,
      });
      save(id);
    },
    forget(id) {
      entries.forget(id);
      unconfirmed.delete(id);
      record.forget(id);
    },
    hooks: seam({
      // The warm is stored as sent before it is sent (the last hook asked: no refusal can
      // follow), so a crash at any moment after the call goes still counts it.
      async beforeWarm(id, trigger) {
        entries.get(id).inFlight = 1;
        if (trigger === "auto") unconfirmed.add(id);
        try {
          await store(id);
          return undefined;
        } catch {
          entries.get(id).inFlight = 0;
          unconfirmed.delete(id);
          return UNRECORDED;
        }
      },
      warmStarted(id) {
        unconfirmed.delete(id);
        const entry = entries.get(id);
        if (entry.inFlight === 1) return;
        // Its mark was taken back by a turn that came and went while it was stored.
        entry.inFlight = 1;
        save(id);
      },
      changed(id, state) {
        if (!unconfirmed.has(id) || (state.enabled && !state.active)) return;
        unconfirmed.delete(id);
        entries.get(id).inFlight = 0;
        save(id);
      },
      warmFailed(id) {
        entries.get(id).inFlight = 0;
        save(id);
      },
      warmRecorded(id, usage, _trigger, context) {
        const entry = entries.get(id);
        const pricing = economicsOf(context.modelName).pricing;
        entry.inFlight = 0;
        entry.warms += 1;
        if (pricing === null) entry.unpricedWarms += 1;
        else entry.spentUsd += warmCostUsd(usage, pricing);
        entry.prefixTokens = usage.cacheReadTokens + usage.cacheWriteTokens;
        save(id);
      },
      // A turn starts: its gap joins the history, and when the cache is alive only because
      // warms kept it so (the last turn touched it a TTL or more ago), the turn saved
      // writing the prefix again, less reading it.
      turnStarted(id) {
        const entry = entries.get(id);
        const settled = entry.lastTurnSettledAt;
        if (settled === null) return;
        const at = now();
        entry.gapsMs = [...entry.gapsMs, at - settled].slice(-MAX_GAPS);
        const { pricing, cacheTtlMs: ttl } = modelOf(id);
        const lastWarmAt = warmer.getState(id).lastWarmAt;
        const keptAliveByWarms =
          lastWarmAt !== null &&
          lastWarmAt > settled &&
          at - lastWarmAt < ttl &&
          at - settled >= ttl;
        if (keptAliveByWarms && pricing !== null) {
          entry.savedUsd += savedByHitUsd(entry.prefixTokens, pricing);
          entry.turnsSaved += 1;
        }
        save(id);
      },
      turnSettled(id) {
        entries.get(id).lastTurnSettledAt = now();
        save(id);
      },
      spec(id, spec) {
        const shown = view(id);
        return withTimerKeys(
          withFields(spec, [{ kind: "stat", label: "Warming cost", value: describeLedger(shown) }]),
          { ledger: shown },
        );
      },
    }),
  } satisfies Extra & Record<string, unknown>;
  return extra;
}

export type Ledger = ReturnType<typeof createLedger>;
