// The ledger: what a restart adds up, unpriced warms, and which turns warms saved.
import { describe, expect, it } from "vitest";
import { economicsFor } from "../model-cache.js";
import { buildCacheWarmingSpec, conversationView } from "../spec.js";
import { DEFAULT_CACHE_TTL_MS } from "../state.js";
import {
  recordWarmAsServer as recordWarm,
  SIM_ECONOMICS,
  simState as state,
} from "../testing/states.js";
import { DEFAULT_PRICES, SIM_PRICING } from "./economics.js";
import { ledgerRules, mergeLedger, recordTurnStart } from "./ledger.js";
import { ledgerView } from "./ledger-view.js";

const TTL = DEFAULT_CACHE_TTL_MS;
const sim = SIM_ECONOMICS;
const unknownModel = economicsFor(DEFAULT_PRICES, "mystery-model", TTL);

describe("the ledger", () => {
  it("shows its Warming cost after the core's stats and before Last refusal, and its payload key", () => {
    const spent = state({
      ledger: { spentUsd: 0.012_34, savedUsd: 0.045_6, warms: 3, turnsSaved: 1, unpricedWarms: 0 },
    });
    const labels = (spec: ReturnType<typeof buildCacheWarmingSpec>) =>
      spec.fields.flatMap((f) => (f.kind === "stat" ? [`${f.label}: ${f.value}`] : []));
    const alone = buildCacheWarmingSpec(spent, 0);
    const withLedger = buildCacheWarmingSpec(spent, 0, { rules: ledgerRules });
    expect(labels(withLedger).slice(-3)).toEqual([
      "Model: default",
      "Warming cost: spent $0.0123, saved $0.0456 (1 turn)",
      "Last refusal: —",
    ]);
    expect(labels(alone).filter((l) => l.startsWith("Warming cost"))).toEqual([]);
    const timer = (spec: ReturnType<typeof buildCacheWarmingSpec>) =>
      spec.fields.find((f) => f.kind === "custom")?.payload as Record<string, unknown>;
    expect(timer(alone)).not.toHaveProperty("ledger");
    expect(timer(withLedger).ledger).toEqual({
      spentUsd: 0.012_34,
      savedUsd: 0.045_6,
      netUsd: 0.033_26,
      warms: 3,
      turnsSaved: 1,
    });
    expect(conversationView("c1", spent, 0, ledgerRules)).toMatchObject({
      ledger: { warms: 3 },
    });
    expect(conversationView("c1", spent, 0)).not.toHaveProperty("ledger");
  });

  it("adds a stored ledger to what happened before it was read, keeping the last 50 gaps", () => {
    const stored = {
      ledger: { spentUsd: 1, savedUsd: 2, warms: 3, turnsSaved: 4, unpricedWarms: 5 },
      gapsMs: Array.from({ length: 45 }, (_, i) => i),
    };
    const now = state({
      ledger: { spentUsd: 0.5, savedUsd: 0.25, warms: 1, turnsSaved: 2, unpricedWarms: 3 },
      gapsMs: [100, 101, 102, 103, 104, 105, 106, 107, 108, 109],
    });
    const merged = mergeLedger(stored, now);
    expect(merged.ledger).toEqual({
      spentUsd: 1.5,
      savedUsd: 2.25,
      warms: 4,
      turnsSaved: 6,
      unpricedWarms: 8,
    });
    expect(merged.gapsMs).toHaveLength(50);
    expect(merged.gapsMs[0]).toBe(5);
    expect(merged.gapsMs.at(-1)).toBe(109);
  });

  it("counts warms of a model without prices as unpriced, and shows no dollars then", () => {
    const usage = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
    let s = state({ economics: unknownModel });
    s = recordWarm(s, { kind: "ok", usage }, "manual", 1);
    s = recordWarm(s, { kind: "ok", usage }, "manual", 2);
    expect(s.ledger).toMatchObject({ warms: 2, unpricedWarms: 2, spentUsd: 0 });
    expect(ledgerView(s)).toMatchObject({ spentUsd: null, savedUsd: null, netUsd: null });
    // A model with prices, but warms counted before its prices were known: still no dollars.
    expect(ledgerView({ ...s, economics: sim }).spentUsd).toBeNull();
    expect(
      ledgerView({ ...s, economics: sim, ledger: { ...s.ledger, unpricedWarms: 0 } }).spentUsd,
    ).toBe(0);
    expect(conversationView("c1", s, 0)).toMatchObject({ pricesKnown: false });
    expect(conversationView("c1", state(), 0)).toMatchObject({ pricesKnown: true });
  });

  it("credits a turn only when warms alone kept the cache alive (exactly at the TTL)", () => {
    const settled = 1_000_000;
    const base = state({ lastTurnSettledAt: settled, lastPrefixTokens: 20_000 });
    const credit = (lastWarmAt: number | null, now: number) =>
      recordTurnStart({ ...base, lastWarmAt }, now).ledger.turnsSaved;
    expect(credit(settled + TTL - 1_000, settled + TTL)).toBe(1); // gap exactly one TTL
    expect(credit(settled + TTL - 1_000, settled + TTL - 1)).toBe(0); // the turn's own cache
    expect(credit(null, settled + TTL)).toBe(0); // nothing warmed
    expect(credit(settled, settled + TTL)).toBe(0); // the warm is the turn's own moment
    expect(credit(settled + 1, settled + TTL + 1)).toBe(0); // that warm's cache just expired
    expect(credit(settled + 2, settled + TTL + 1)).toBe(1);
    const saved = recordTurnStart({ ...base, lastWarmAt: settled + TTL - 1 }, settled + TTL);
    expect(saved.ledger.savedUsd).toBeCloseTo((20_000 * (3.75 - 0.3)) / 1e6, 12);
    expect(saved.gapsMs).toEqual([TTL]);
    expect(SIM_PRICING.cacheWritePerMTok).toBe(3.75);
  });
});
