// A warm is counted before it is paid: its ledger record is stored before the call goes, so a
// crash at any instant after the call leaves it counted. Storage here holds the ledger's
// writes until the test lets them go.
import { createMemoryStorage } from "@dispatch/kv-storage";
import FakeTimers from "@sinonjs/fake-timers";
import { expect, it } from "vitest";
import { DEFAULT_PRICES, SIM_PRICING } from "./prices.js";
import { createStandardWarmer } from "./standard.js";

const USAGE = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
const INTERVAL = 240_000;

function setUp(options: { failLedgerWrites?: boolean; providerHangs?: boolean } = {}) {
  const clock = FakeTimers.createClock(Date.UTC(2026, 0, 1));
  const memory = createMemoryStorage();
  const held: Array<() => void> = [];
  let holding = false;
  const storage = {
    ...memory,
    async set(key: string, value: string) {
      if (key.startsWith("ledger:")) {
        if (options.failLedgerWrites === true) throw new Error("disk I/O error");
        if (holding) await new Promise<void>((resolve) => held.push(resolve));
      }
      await memory.set(key, value);
    },
  };
  const calls: string[] = [];
  const warming = createStandardWarmer({
    // As the warm service does: its completion event, then its answer.
    warm: async (id) => {
      calls.push(id);
      if (options.providerHangs === true) return new Promise(() => {});
      warming.warmer.onWarmCompleted({ conversationId: id, usage: USAGE });
      return USAGE;
    },
    storage,
    persist: true,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    timers: {
      setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
      clearTimer: (id) => clock.clearTimeout(id),
    },
    now: () => clock.now,
    prices: DEFAULT_PRICES,
    dearest: SIM_PRICING,
    manualWarmMinGapMs: 0,
    maxWarmsPerMinute: 0,
    maxUsdPerMinute: 0,
    maxEnabledConversations: 100,
  });
  const stored = async (id: string) =>
    JSON.parse((await memory.get(`ledger:${id}`)) ?? "null") as {
      warms: number;
      inFlight: number;
    } | null;
  return {
    clock,
    warming,
    calls,
    stored,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const go of held.splice(0)) go();
    },
  };
}

async function enabledAndSettled(t: ReturnType<typeof setUp>, id: string) {
  await t.warming.warmer.setEnabled(id, true);
  await t.warming.warmer.onTurnSettled(id, { modelName: "sim" });
  await t.warming.drain();
}

it("sends an automatic warm only once its record says it was sent", async () => {
  const t = setUp();
  await enabledAndSettled(t, "c");
  t.hold();
  await t.clock.tickAsync(INTERVAL);
  expect(t.calls).toEqual([]);
  expect(await t.stored("c")).toMatchObject({ warms: 0, inFlight: 0 });

  t.release();
  await expect.poll(() => t.calls).toEqual(["c"]);
  await t.warming.drain();
  expect(await t.stored("c")).toMatchObject({ warms: 1, inFlight: 0 });
});

it("takes the mark back when a turn starts while it is stored: the warm is dropped, not counted", async () => {
  const t = setUp();
  await enabledAndSettled(t, "c");
  t.hold();
  await t.clock.tickAsync(INTERVAL);
  t.warming.warmer.onTurnStarted("c");
  t.release();
  await t.warming.drain();
  expect(t.calls).toEqual([]);
  expect(await t.stored("c")).toMatchObject({ warms: 0, inFlight: 0 });
});

it("marks again an automatic warm whose turn came and went while its mark was stored", async () => {
  const t = setUp({ providerHangs: true });
  await enabledAndSettled(t, "c");
  t.hold();
  await t.clock.tickAsync(INTERVAL);
  t.warming.warmer.onTurnStarted("c"); // takes the mark back…
  await t.warming.warmer.onTurnSettled("c", { modelName: "sim" }); // …and the warm goes after all
  t.release();
  await expect.poll(() => t.calls).toEqual(["c"]);
  await t.warming.drain();
  expect(await t.stored("c")).toMatchObject({ warms: 0, inFlight: 1 });
});

it("refuses a manual warm it cannot record, and sends nothing", async () => {
  const t = setUp({ failLedgerWrites: true });
  await t.warming.warmer.setEnabled("c", true);
  const result = await t.warming.warmer.warmNow("c");
  expect(result).toMatchObject({ ok: false, reason: "unavailable" });
  expect(t.calls).toEqual([]);
});
