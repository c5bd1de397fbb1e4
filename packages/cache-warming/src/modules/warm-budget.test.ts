// The global warm budgets, in calls and in dollars, and what a restart does with them.
import { createMemoryStorage } from "@dispatch/kv-storage";
import { describe, expect, it } from "vitest";
import { createHarness, START } from "../testing/harness.js";
import { SIM_PRICING } from "./economics.js";
import { BUDGET_KEY } from "./global-budget.js";

describe("the warm budget across a restart", () => {
  it("picks up where it was after a clean stop: no fresh minute", async () => {
    const storage = createMemoryStorage();
    const before = createHarness({
      storage,
      manualWarmMinGapMs: 0,
      extra: { maxWarmsPerMinute: 3 },
    });
    for (const id of ["a", "b", "c"]) expect((await before.warmer.warmNow(id)).ok).toBe(true);
    before.warmer.dispose();
    await before.warmer.drainWrites();
    expect(JSON.parse((await storage.get(BUDGET_KEY))!)).toMatchObject({ calls: { tokens: 0 } });

    const after = createHarness({
      storage,
      manualWarmMinGapMs: 0,
      start: START + 1_000,
      extra: { maxWarmsPerMinute: 3 },
    });
    await after.warmer.resumeSchedules();
    expect(await after.warmer.warmNow("d")).toMatchObject({ ok: false, reason: "budget" });
    // A third of a minute later the bucket holds one warm again (3 a minute).
    await after.clock.tickAsync(19_000);
    expect((await after.warmer.warmNow("d")).ok).toBe(true);
    expect(await after.warmer.warmNow("e")).toMatchObject({ ok: false, reason: "budget" });
  });

  it("stores it at most once a second while warms spend it, so a crash forgets at most that", async () => {
    const storage = createMemoryStorage();
    const h = createHarness({ storage, manualWarmMinGapMs: 0, extra: { maxWarmsPerMinute: 10 } });
    const writes: string[] = [];
    h.deps.storage = {
      ...storage,
      set: async (key, value) => {
        if (key === BUDGET_KEY) writes.push(value);
        await storage.set(key, value);
      },
    };
    for (let i = 0; i < 4; i++) await h.warmer.warmNow(`c${i}`);
    await h.clock.tickAsync(1_000);
    await h.warmer.warmNow("c9");
    await h.warmer.drainWrites();
    expect(writes.map((w) => JSON.parse(w).calls.tokens)).toEqual([9, 10 - 5 + 1 / 6]);
  });
});

describe("the dollar budget", () => {
  it("refuses warms once the minute's dollars are spent, and lets them again as it refills", async () => {
    const h = createHarness({
      manualWarmMinGapMs: 0,
      prices: { p: SIM_PRICING },
      // 1 000 input tokens at $3/MTok with 870 read ($0.3) and 130 written ($3.75): ~$0.00076.
      extra: { maxUsdPerMinute: 0.001 },
    });
    expect((await h.warmer.warmNow("a", { modelName: "p" })).ok).toBe(true);
    expect((await h.warmer.warmNow("b", { modelName: "p" })).ok).toBe(true);
    // Post-paid: two warms took it below zero; the third waits until it is above again.
    const refused = await h.warmer.warmNow("c", { modelName: "p" });
    expect(refused).toMatchObject({
      ok: false,
      reason: "budget",
      error: expect.stringMatching(/^the server's warm budget \(\$0\.001 a minute\) is spent/),
    });
    const wait = refused.ok ? 0 : (refused.retryAfterMs ?? 0);
    expect(wait).toBeGreaterThan(0);
    await h.clock.tickAsync(wait);
    expect((await h.warmer.warmNow("c", { modelName: "p" })).ok).toBe(true);
  });

  it("does not count warms whose model has no price (the call budget still does)", async () => {
    const h = createHarness({ manualWarmMinGapMs: 0, extra: { maxUsdPerMinute: 0.000_001 } });
    for (const id of ["a", "b", "c"]) expect((await h.warmer.warmNow(id)).ok).toBe(true);
  });
});

describe("what the warm budget stores", () => {
  function storing(extra: Record<string, unknown>, stored?: string) {
    const storage = createMemoryStorage();
    const writes: string[] = [];
    const counting = {
      ...storage,
      set: async (key: string, value: string) => {
        if (key === BUDGET_KEY) writes.push(value);
        await storage.set(key, value);
      },
    };
    if (stored !== undefined) void storage.set(BUDGET_KEY, stored);
    const h = createHarness({ storage: counting, manualWarmMinGapMs: 0, extra });
    return { h, writes, storage };
  }

  it("stores nothing without a limit, or when schedules are not kept", async () => {
    for (const extra of [{}, { maxWarmsPerMinute: 5, persistSchedules: false }]) {
      const { h, writes } = storing(extra);
      await h.warmer.warmNow("a");
      h.warmer.dispose();
      await h.warmer.drainWrites();
      expect(writes).toEqual([]);
    }
  });

  it("leaves what a previous run stored alone when it neither read nor spent (a failed start)", async () => {
    const old = JSON.stringify({ calls: { tokens: 0, at: START }, usd: { tokens: 0, at: START } });
    const { h, writes } = storing({ maxWarmsPerMinute: 5 }, old);
    h.warmer.dispose();
    await h.warmer.drainWrites();
    expect(writes).toEqual([]);
  });

  it("stores at dispose what it spent, and after a restart what it read", async () => {
    const spent = storing({ maxWarmsPerMinute: 5 });
    await spent.h.warmer.warmNow("a");
    spent.h.warmer.dispose();
    await spent.h.warmer.drainWrites();
    expect(spent.writes.map((w) => JSON.parse(w).calls.tokens)).toEqual([4, 4]);
    const read = storing({ maxWarmsPerMinute: 5 });
    await read.h.warmer.resumeSchedules();
    read.h.warmer.dispose();
    await read.h.warmer.drainWrites();
    expect(read.writes).toHaveLength(1);
  });

  it("logs a store that fails, with the error", async () => {
    const errors: unknown[] = [];
    const storage = createMemoryStorage();
    const h = createHarness({
      storage: {
        ...storage,
        set: async (key, value) => {
          if (key === BUDGET_KEY) throw new Error("disk full");
          await storage.set(key, value);
        },
      },
      logger: {
        debug() {},
        info() {},
        warn() {},
        error: (msg, attrs) => errors.push([msg, attrs]),
      },
      extra: { maxWarmsPerMinute: 5 },
    });
    await h.warmer.warmNow("a");
    await h.warmer.drainWrites();
    expect(errors).toEqual([
      ["cache-warming: could not store the warm budget", { err: new Error("disk full") }],
    ]);
  });
});
