// Opt-in module: what warming cost and saved per conversation (`ledger:<id>`), and the idle
// gaps the break-even policy learns from.
import * as z from "zod";
import type { ModelPricing } from "../model-cache.js";
import type { WarmRules } from "../rules.js";
import { type CacheWarmingState, EMPTY_LEDGER, type Ledger } from "../state.js";
import { countSchema, parseStored } from "../stored.js";
import type { WarmResult } from "../warm-service.js";
import { MAX_GAPS, savedByHitUsd, warmCostUsd } from "./economics.js";
import { ledgerFields, ledgerTimerKeys } from "./ledger-view.js";

/** `ledger:<id>`: what warming cost and saved, and the idle gaps break-even learns from. */
export function ledgerKey(conversationId: string): string {
  return `ledger:${conversationId}`;
}

export interface LedgerRecord {
  readonly ledger: Ledger;
  readonly gapsMs: readonly number[];
}

export function ledgerRecordOf(state: CacheWarmingState): string {
  const record: LedgerRecord = { ledger: state.ledger, gapsMs: state.gapsMs };
  return JSON.stringify(record);
}

const usdSchema = z.number().finite().min(0);

const storedLedgerSchema = z.object({
  ledger: z.object({
    spentUsd: usdSchema,
    savedUsd: usdSchema,
    warms: countSchema,
    turnsSaved: countSchema,
    unpricedWarms: countSchema,
  }),
  gapsMs: z.array(z.number().int().min(0)).max(MAX_GAPS),
});

export function parseLedgerRecord(raw: string | null): LedgerRecord | null {
  return parseStored(raw, storedLedgerSchema, null);
}

/** A stored ledger plus what happened since start before it was read. */
export function mergeLedger(stored: LedgerRecord | null, state: CacheWarmingState): LedgerRecord {
  if (stored === null) return { ledger: state.ledger, gapsMs: state.gapsMs };
  const a = stored.ledger;
  const b = state.ledger;
  return {
    ledger: {
      spentUsd: a.spentUsd + b.spentUsd,
      savedUsd: a.savedUsd + b.savedUsd,
      warms: a.warms + b.warms,
      turnsSaved: a.turnsSaved + b.turnsSaved,
      unpricedWarms: a.unpricedWarms + b.unpricedWarms,
    },
    gapsMs: [...stored.gapsMs, ...state.gapsMs].slice(-MAX_GAPS),
  };
}

export function chargeWarm(
  ledger: Ledger,
  usage: WarmResult,
  pricing: ModelPricing | null,
): Ledger {
  if (pricing === null) {
    return { ...ledger, warms: ledger.warms + 1, unpricedWarms: ledger.unpricedWarms + 1 };
  }
  return {
    ...ledger,
    warms: ledger.warms + 1,
    spentUsd: ledger.spentUsd + warmCostUsd(usage, pricing),
  };
}

/**
 * A turn starts: its idle gap joins the conversation's history, and when the cache is alive
 * only because warms kept it so (the last turn touched it longer than the TTL ago), the turn
 * saved re-writing the prefix, less reading it.
 */
export function recordTurnStart(state: CacheWarmingState, now: number): CacheWarmingState {
  const settled = state.lastTurnSettledAt;
  if (settled === null) return state;
  const gapsMs = [...state.gapsMs, now - settled].slice(-MAX_GAPS);
  const { pricing, cacheTtlMs: ttl } = state.economics;
  const keptAliveByWarms =
    state.lastWarmAt !== null &&
    state.lastWarmAt > settled &&
    now - state.lastWarmAt < ttl &&
    now - settled >= ttl;
  if (!keptAliveByWarms || pricing === null) return { ...state, gapsMs };
  const ledger = {
    ...state.ledger,
    savedUsd: state.ledger.savedUsd + savedByHitUsd(state.lastPrefixTokens, pricing),
    turnsSaved: state.ledger.turnsSaved + 1,
  };
  return { ...state, gapsMs, ledger };
}

/**
 * The ledger as warming rules: each good warm is charged at its model's prices (and its cost
 * shown in the history); each turn's idle gap is kept, and a turn the warms kept the cache
 * alive for is counted as saved.
 */
export const ledgerRules: WarmRules = {
  records: [
    {
      name: "ledger",
      key: ledgerKey,
      restore: (state, raw) => ({ ...state, ...mergeLedger(parseLedgerRecord(raw), state) }),
      // Nothing is stored for a conversation that has neither spent nor waited yet.
      recordOf: (state) =>
        state.ledger === EMPTY_LEDGER && state.gapsMs.length === 0 ? null : ledgerRecordOf(state),
    },
  ],
  warmRecorded(state, attempt) {
    if (attempt.kind !== "ok") return state;
    const { pricing } = state.economics;
    const last = state.history.at(-1);
    const history =
      last === undefined || pricing === null
        ? state.history
        : [
            ...state.history.slice(0, -1),
            { ...last, costUsd: Math.round(warmCostUsd(attempt.usage, pricing) * 1e6) / 1e6 },
          ];
    return { ...state, history, ledger: chargeWarm(state.ledger, attempt.usage, pricing) };
  },
  turnStarted: recordTurnStart,
  statFields: ledgerFields,
  timerKeys: ledgerTimerKeys,
};
