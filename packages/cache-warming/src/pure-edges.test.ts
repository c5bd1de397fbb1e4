// Edges of the pure core, case by case: stored records, the budget's arithmetic, the ledger's
// credit rule, payload bounds and the words the surface shows for each status.
import { describe, expect, it } from "vitest";
import { economicsFor } from "./model-cache.js";
import { worthGoingOn } from "./modules/break-even.js";
import { DEFAULT_PRICES, SIM_PRICING } from "./modules/economics.js";
import { takeFromBudget } from "./modules/global-budget.js";
import { mergeLedger, parseLedgerRecord, recordTurnStart } from "./modules/ledger.js";
import { isDefaultRecord, serializeSpendLimits } from "./modules/spend-guard.js";
import { STANDARD_RULES } from "./modules/standard.js";
import {
  ActionRejectedError,
  intervalMsFromPayload,
  parseSpendLimitsPayload,
  parseTogglePayload,
} from "./payloads.js";
import { parseIntervalPayload, parseSettings, serializeSettings } from "./pure.js";
import { parseScheduleRecord } from "./restart.js";
import { buildCacheWarmingSpec, conversationView, describeSchedule, ledgerView } from "./spec.js";
import { type CacheWarmingState, DEFAULT_CACHE_TTL_MS } from "./state.js";
import { initialState, recordWarm as recordWarmAlone, refuseManualWarm } from "./transitions.js";

// The standalone server's rules: the spend guard counts, the ledger charges, break-even judges.
const recordWarm: typeof recordWarmAlone = (state, attempt, trigger, now) =>
  recordWarmAlone(state, attempt, trigger, now, STANDARD_RULES);

const TTL = DEFAULT_CACHE_TTL_MS;
const sim = economicsFor(DEFAULT_PRICES, "sim", TTL);
const unknownModel = economicsFor(DEFAULT_PRICES, "mystery-model", TTL);

function state(over: Partial<CacheWarmingState> = {}): CacheWarmingState {
  return { ...initialState(undefined, undefined, sim), ...over };
}

describe("stored records", () => {
  it.each([
    ["not JSON", "{"],
    ["a number", "42"],
    ["null", "null"],
    ["a string", '"on"'],
  ])("reads settings stored as %s as the defaults", (_name, raw) => {
    expect(parseSettings(raw)).toEqual({ enabled: false, intervalMs: 240_000 });
  });

  it("tells records that say no more than their absence from those that do", () => {
    const defaults = serializeSettings({ enabled: false, intervalMs: 240_000 });
    const limits = serializeSpendLimits({ idleWarmCap: 15, deadWarmLimit: 2, policy: "fixed" });
    expect(isDefaultRecord("settings:c1", defaults)).toBe(true);
    expect(
      isDefaultRecord("settings:c1", serializeSettings({ enabled: true, intervalMs: 240_000 })),
    ).toBe(false);
    expect(isDefaultRecord("spend-limits:c1", limits)).toBe(true);
    expect(isDefaultRecord("spend-limits:c1", defaults)).toBe(false);
    expect(
      isDefaultRecord(
        "spend-limits:c1",
        serializeSpendLimits({ idleWarmCap: 3, deadWarmLimit: 2, policy: "fixed" }),
      ),
    ).toBe(false);
    expect(isDefaultRecord("schedule:c1", defaults)).toBe(false);
    expect(isDefaultRecord("ledger:c1", limits)).toBe(false);
  });

  it("drops a stored percentage outside 0–100 and a negative gap", () => {
    const schedule = (pct: number) =>
      parseScheduleRecord(
        JSON.stringify({
          context: {},
          lastTouchedAt: 1,
          lastWarmAt: 1,
          nextWarmAt: 2,
          lastPct: pct,
          lastExpectedPct: pct,
        }),
      );
    expect(schedule(100)?.lastPct).toBe(100);
    expect(schedule(101)?.lastPct).toBeNull();
    const ledger = (gap: number) =>
      parseLedgerRecord(
        JSON.stringify({
          ledger: { spentUsd: 0, savedUsd: 0, warms: 0, turnsSaved: 0, unpricedWarms: 0 },
          gapsMs: [gap],
        }),
      );
    expect(ledger(5)?.gapsMs).toEqual([5]);
    expect(ledger(-5)).toBeNull();
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
});

describe("the warm budget", () => {
  it("refills in proportion to time and per-minute rate, and says how long until the next", () => {
    // 30 a minute: one every 2 s.
    const empty = { tokens: 0, at: 0 };
    expect(takeFromBudget(empty, 1_000, 30)).toEqual({
      ok: false,
      budget: { tokens: 0.5, at: 1_000 },
      retryAfterMs: 1_000,
    });
    expect(takeFromBudget(empty, 2_000, 30)).toEqual({
      ok: true,
      budget: { tokens: 0, at: 2_000 },
    });
    expect(takeFromBudget({ tokens: 0.25, at: 0 }, 0, 60)).toMatchObject({ retryAfterMs: 750 });
  });
});

describe("manual warms and the ledger", () => {
  it("says the manual-warm gap in the refusal", () => {
    expect(
      refuseManualWarm(state(), {
        now: 500,
        inFlight: false,
        lastManualWarmAt: 0,
        minGapMs: 1_000,
      }),
    ).toEqual({
      reason: "rate-limited",
      error: "manual warms are limited to one per 1000 ms per conversation",
      retryAfterMs: 500,
    });
  });

  it("learns the prefix size from what a warm read and wrote", () => {
    const usage = {
      inputTokens: 1_000,
      outputTokens: 1,
      cacheReadTokens: 600,
      cacheWriteTokens: 300,
    };
    expect(recordWarm(state(), { kind: "ok", usage }, "auto", 1).lastPrefixTokens).toBe(900);
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

describe("break-even's horizon", () => {
  // A conversation whose gaps all end 20–40 minutes in: only a long run of warms pays.
  const gapsMs = Array.from({ length: 50 }, (_, i) => 20 * 60_000 + i * 24_000);
  const breakEven = (over: Partial<CacheWarmingState>) =>
    worthGoingOn(state({ policy: "break-even", lastPrefixTokens: 100_000, gapsMs, ...over }), 0);

  it("looks as far as the idle cap leaves, or 24 warms without one", () => {
    expect(breakEven({ idleWarmCap: 0 })).toBe(true);
    expect(breakEven({ idleWarmCap: 15, autoWarmsSinceTurn: 0 })).toBe(true);
    // Two warms left under the cap cannot reach a return 20 minutes away.
    expect(breakEven({ idleWarmCap: 15, autoWarmsSinceTurn: 13 })).toBe(false);
    expect(breakEven({ idleWarmCap: 15, autoWarmsSinceTurn: 15 })).toBe(true);
  });

  it("prices a warm as reading the prefix, so a tiny prefix is not worth warming far", () => {
    expect(breakEven({ lastPrefixTokens: 100_000, idleWarmCap: 0 })).toBe(true);
    expect(breakEven({ lastPrefixTokens: 1, idleWarmCap: 0 })).toBe(false);
  });
});

describe("payloads", () => {
  it("takes an interval from 1 s to 86 400 s, bounds included", () => {
    expect(intervalMsFromPayload(1)).toBe(1_000);
    expect(intervalMsFromPayload(86_400)).toBe(86_400_000);
    expect(() => intervalMsFromPayload(0.5)).toThrow("interval must be at least 1 s");
    expect(() => intervalMsFromPayload(86_401)).toThrow("interval must be at most 86400 s");
    expect(parseIntervalPayload(0)).toBeNull();
    expect(parseIntervalPayload({ value: 1 })).toBe(1);
  });

  it("names the field a bad spend-limits payload got wrong", () => {
    expect(() => parseSpendLimitsPayload({ idleWarmCap: -1 })).toThrow(/: idleWarmCap: /);
    // Not an object at all: no field to name.
    expect(() => parseSpendLimitsPayload("x")).toThrow(
      "set-spend-limits expects { idleWarmCap?, deadWarmLimit?, policy? }: Invalid input: expected object, received string",
    );
    const error = (() => {
      try {
        parseSpendLimitsPayload("x");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ActionRejectedError);
    expect((error as Error).name).toBe("ActionRejectedError");
  });

  it("accepts a toggle as nothing, a boolean or { value: boolean }, and nothing else", () => {
    expect(parseTogglePayload(undefined)).toBeNull();
    expect(parseTogglePayload(true)).toBe(true);
    expect(parseTogglePayload({ value: false })).toBe(false);
    expect(() => parseTogglePayload({ value: "yes" })).toThrow("toggle expects");
    expect(() => parseTogglePayload("true")).toThrow("toggle expects");
  });
});

describe("what the surface says", () => {
  it.each([
    ["off", state(), "Off"],
    ["generating", state({ enabled: true, active: true }), "Waiting for the turn to finish"],
    ["warming", state({ enabled: true, warmStartedAt: 1 }), "Warming"],
    [
      "budget",
      state({ enabled: true, budgetRetryAt: 5, nextWarmAt: 5 }),
      "Paused: the server's warm budget is spent; retrying",
    ],
    ["scheduled", state({ enabled: true, nextWarmAt: 5 }), "Scheduled"],
    [
      "not resumed",
      state({ enabled: true, notResumedBecause: "cache-expired" }),
      "Not resumed: the cache expired while the server was down",
    ],
    ["awaiting a turn", state({ enabled: true }), "Not scheduled: waiting for a turn"],
  ])("%s", (_name, s, text) => {
    expect(describeSchedule(s)).toBe(text);
  });

  it("names the provider's default model when none is known", () => {
    const model = buildCacheWarmingSpec(state(), 0).fields.find(
      (field) => field.kind === "stat" && field.label === "Model",
    );
    expect(model).toMatchObject({ value: "default" });
  });
});
