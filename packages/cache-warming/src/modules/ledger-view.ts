// What the ledger module shows: a `Warming cost` stat and a `ledger` key in the timer payload.
// Dollars only when every warm counted had a price; otherwise the counts alone.
import type { SurfaceField } from "@dispatch/ui-contract";
import type { CacheWarmingState } from "../state.js";

export interface LedgerView {
  readonly spentUsd: number | null;
  readonly savedUsd: number | null;
  readonly netUsd: number | null;
  readonly warms: number;
  readonly turnsSaved: number;
}

/** The timer payload's key this module adds. */
export interface LedgerTimerKeys {
  /** What warming cost and saved here, in USD; null dollars when the model's prices are unknown. */
  readonly ledger?: LedgerView;
}

export function ledgerView(state: CacheWarmingState): LedgerView {
  const { ledger } = state;
  const priced = state.economics.pricing !== null && ledger.unpricedWarms === 0;
  const usd = (value: number) => (priced ? Math.round(value * 1e6) / 1e6 : null);
  return {
    spentUsd: usd(ledger.spentUsd),
    savedUsd: usd(ledger.savedUsd),
    netUsd: usd(ledger.savedUsd - ledger.spentUsd),
    warms: ledger.warms,
    turnsSaved: ledger.turnsSaved,
  };
}

/** The ledger for people: "spent $0.0123, saved $0.0456 (3 turns)" or why dollars are missing. */
export function describeLedger(state: CacheWarmingState): string {
  const view = ledgerView(state);
  const turns = `${view.turnsSaved} turn${view.turnsSaved === 1 ? "" : "s"}`;
  if (view.spentUsd === null || view.savedUsd === null) {
    return `${view.warms} warms, ${turns} saved; prices unknown`;
  }
  return `spent $${view.spentUsd.toFixed(4)}, saved $${view.savedUsd.toFixed(4)} (${turns})`;
}

export function ledgerFields(state: CacheWarmingState): readonly SurfaceField[] {
  return [{ kind: "stat", label: "Warming cost", value: describeLedger(state) }];
}

export function ledgerTimerKeys(state: CacheWarmingState): LedgerTimerKeys {
  return { ledger: ledgerView(state) };
}
