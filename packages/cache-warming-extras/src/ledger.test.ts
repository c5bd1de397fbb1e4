// A warm is counted before it is paid: its ledger record is stored before the call goes, so a
// crash at any instant after the call leaves it counted. Storage here holds the ledger's
// writes until the test lets them go.
import { createMemoryStorage } from "@dispatch/kv-storage";
import FakeTimers from "@sinonjs/fake-timers";
import { expect, it } from "vitest";

import { standardOnClock } from "./testing/standard.js";

const USAGE = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
// Sonnet's prices (USD per million tokens): input 3, cache write 3.75, cache read 0.30,
// output 15. A warm that reads a 10 000-token prefix costs 10 000 × 0.30 + 15 = $0.003015;
// one that writes it, 10 000 × 3.75 + 15 = $0.037515; a turn that finds it alive saves
// 10 000 × (3.75 − 0.30) = $0.0345.
const READ = { inputTokens: 10_000, outputTokens: 1, cacheReadTokens: 10_000, cacheWriteTokens: 0 };
const WRITE = {
  inputTokens: 10_000,
  outputTokens: 1,
  cacheReadTokens: 0,
  cacheWriteTokens: 10_000,
};
const TTL = 300_000;

interface LedgerShown {
  spentUsd: number | null;
  savedUsd: number | null;
  netUsd: number | null;
  warms: number;
  turnsSaved: number;
}
const INTERVAL = 240_000;

const START = Date.UTC(2026, 0, 1);

function setUp(
  options: {
    failLedgerWrites?: boolean;
    providerHangs?: boolean;
    providerFails?: boolean;
    memory?: ReturnType<typeof createMemoryStorage>;
    start?: number;
  } = {},
) {
  const clock = FakeTimers.createClock(options.start ?? START);
  const memory = options.memory ?? createMemoryStorage();
  const answer = { usage: USAGE };
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
      onDisk.set(key, value);
      if (key === "ledger:c") ledgerWrites.push(JSON.parse(value));
    },
  };
  // What is stored, read at once: what a crash at that instant would leave.
  const onDisk = new Map<string, string>();
  const ledgerWrites: Array<{ warms: number; inFlight: number }> = [];
  /** The ledger record as stored when the provider got each call. */
  const storedAtCall: Array<{ warms: number; inFlight: number } | null> = [];
  const writesBeforeCall: number[] = [];
  const calls: string[] = [];
  const warming = standardOnClock(clock, {
    // As the warm service does: its completion event, then its answer.
    warm: async (id) => {
      calls.push(id);
      storedAtCall.push(JSON.parse(onDisk.get(`ledger:${id}`) ?? "null"));
      writesBeforeCall.push(ledgerWrites.length);
      if (options.providerHangs === true) return new Promise(() => {});
      if (options.providerFails === true) throw new Error("provider down");
      const { usage } = answer;
      warming.warmer.onWarmCompleted({ conversationId: id, usage });
      return usage;
    },
    storage,
    // A warm that names no model (the service's, before any turn here) is priced as Sonnet.
    defaultModel: "sonnet",
  });
  const stored = async (id: string) =>
    JSON.parse((await memory.get(`ledger:${id}`)) ?? "null") as {
      warms: number;
      inFlight: number;
    } | null;
  return {
    clock,
    memory,
    answer,
    warming,
    calls,
    storedAtCall,
    writesBeforeCall,
    ledgerWrites,
    stored,
    ledger: (id: string) => (warming.view(id) as unknown as { ledger: LedgerShown }).ledger,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const go of held.splice(0)) go();
    },
  };
}

/** The surface's "Warming cost" line. */
function costShown(t: ReturnType<typeof setUp>): unknown {
  const spec = t.warming.surface.getSpec({ conversationId: "c" });
  const field = spec.fields.find((f) => f.kind === "stat" && f.label === "Warming cost");
  return field?.kind === "stat" ? field.value : undefined;
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

it("charges each warm at its model's price, and a restart goes on from the stored ledger", async () => {
  const t = setUp();
  await t.warming.warmer.setEnabled("c", true);
  await t.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
  t.answer.usage = WRITE;
  await t.warming.warmNow("c");
  t.answer.usage = READ;
  await t.warming.warmNow("c");
  expect(t.ledger("c")).toEqual({
    spentUsd: 0.04053,
    savedUsd: 0,
    netUsd: -0.04053,
    warms: 2,
    turnsSaved: 0,
  });
  t.warming.warmer.dispose();
  await t.warming.close();

  const again = setUp({ memory: t.memory, start: t.clock.now + 1_000 });
  await again.warming.load("c");
  expect(again.ledger("c")).toMatchObject({ spentUsd: 0.04053, warms: 2 });
  again.answer.usage = READ;
  await again.warming.warmNow("c", { modelName: "sonnet" });
  expect(again.ledger("c")).toMatchObject({ spentUsd: 0.043545, warms: 3 });
});

it("adds what happened before the stored ledger was read to it", async () => {
  const t = setUp();
  await t.warming.warmer.setEnabled("c", true);
  await t.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
  t.answer.usage = READ;
  await t.warming.warmNow("c");
  await t.warming.warmNow("c");
  t.warming.warmer.dispose();
  await t.warming.close();

  const again = setUp({ memory: t.memory, start: t.clock.now + 60_000 });
  // The service reports a warm the last process sent (writing a 12 000-token prefix:
  // 12 000 × 3.75 + 15 = $0.045015), then a turn settles, before anything here read the
  // ledger (reading it starts with the turn); nothing is written before it is read.
  const bigger = { ...WRITE, inputTokens: 12_000, cacheWriteTokens: 12_000 };
  again.warming.warmer.onWarmCompleted({ conversationId: "c", usage: bigger });
  await again.warming.drain();
  again.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
  await again.warming.load("c");
  await again.warming.drain();
  expect(again.ledger("c")).toMatchObject({ warms: 3, spentUsd: 0.051045 });
  expect(await again.stored("c")).toMatchObject({
    warms: 3,
    prefixTokens: 12_000,
    lastTurnSettledAt: again.clock.now,
  });
});

it("keeps a warm counted while it is in flight, whatever happens to the conversation meanwhile", async () => {
  const t = setUp({ providerHangs: true });
  await t.warming.warmer.setEnabled("c", true);
  await t.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
  void t.warming.warmNow("c");
  await expect.poll(() => t.calls).toEqual(["c"]);
  t.warming.warmer.onTurnStarted("c");
  await t.warming.warmer.setEnabled("c", false);
  await t.warming.drain();
  expect(await t.stored("c")).toMatchObject({ warms: 0, inFlight: 1 });
});

it("keeps a manual warm's mark from its call on, even if a turn starts while it is stored", async () => {
  const t = setUp({ providerHangs: true });
  await enabledAndSettled(t, "c");
  t.hold();
  void t.warming.warmNow("c");
  t.warming.warmer.onTurnStarted("c");
  t.release();
  await expect.poll(() => t.calls).toEqual(["c"]);
  await t.warming.drain();
  const fromCall = t.writesBeforeCall[0];
  expect(t.storedAtCall).toEqual([expect.objectContaining({ warms: 0, inFlight: 1 })]);
  // No write after the call says that no warm is in flight: a crash between two would lose it.
  expect(t.ledgerWrites.slice(fromCall).map((record) => record.inFlight)).not.toContain(0);
});

it("has an automatic warm's mark stored when its call goes, through changes that keep it wanted", async () => {
  const t = setUp();
  await enabledAndSettled(t, "c");
  t.hold();
  await t.clock.tickAsync(INTERVAL);
  await t.warming.warmer.setIntervalMs("c", 120_000).catch(() => {}); // waits behind the hold
  t.release();
  await expect.poll(() => t.calls).toEqual(["c"]);
  expect(t.storedAtCall).toEqual([expect.objectContaining({ warms: 0, inFlight: 1 })]);
});

it("takes the mark back when the provider fails: the warm was not made", async () => {
  const t = setUp({ providerFails: true });
  await t.warming.warmer.setEnabled("c", true);
  await t.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
  expect(await t.warming.warmNow("c")).toMatchObject({ ok: false });
  expect(t.storedAtCall).toEqual([expect.objectContaining({ inFlight: 1 })]);
  expect(await t.stored("c")).toMatchObject({ warms: 0, inFlight: 0 });
});

it("counts a warm that was sent and never answered before the restart", async () => {
  const t = setUp({ providerHangs: true });
  await t.warming.warmer.setEnabled("c", true);
  await t.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
  void t.warming.warmer.warmNow("c");
  await expect.poll(() => t.calls).toEqual(["c"]);
  await t.warming.drain();

  const again = setUp({ memory: t.memory, start: t.clock.now + 60_000 });
  await again.warming.load("c");
  expect(again.ledger("c")).toMatchObject({ warms: 1, spentUsd: 0 });
});

it("counts a turn as saved only when the cache lived past its lifetime because of a warm", async () => {
  const t = setUp();
  t.answer.usage = READ;
  await t.warming.warmer.setEnabled("c", true);
  // One automatic warm per idle stretch, 240 s after the turn settles.
  await t.warming.setSpendLimits("c", { idleWarmCap: 1 });
  const turnAfter = async (idleMs: number) => {
    await t.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
    await t.clock.tickAsync(idleMs);
    t.warming.warmer.onTurnStarted("c");
    await t.warming.drain();
    return t.ledger("c").turnsSaved;
  };
  // The warm at 240 s keeps the cache to 540 s: a turn at 300 s (the turn's own cache has
  // just died) up to 539.999 s is saved by it.
  expect(await turnAfter(TTL)).toBe(1);
  expect(t.ledger("c")).toMatchObject({ savedUsd: 0.0345, spentUsd: 0.003015, warms: 1 });
  expect(costShown(t)).toBe("spent $0.0030, saved $0.0345 (1 turn)");
  expect(await turnAfter(240_000 + TTL - 1)).toBe(2);
  // Before the lifetime the turn's own cache was alive: nothing saved by warming.
  expect(await turnAfter(TTL - 1)).toBe(2);
  // After the warm's cache died too: nothing saved.
  expect(await turnAfter(240_000 + TTL)).toBe(2);
  expect(t.ledger("c")).toMatchObject({ savedUsd: 0.069, turnsSaved: 2 });
  expect(costShown(t)).toBe("spent $0.0121, saved $0.0690 (2 turns)"); // 4 warms, one per stretch
});

it("saves nothing when warming was off while the conversation sat idle", async () => {
  const t = setUp();
  t.answer.usage = READ;
  await t.warming.warmer.setEnabled("c", true);
  await t.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
  await t.warming.warmNow("c"); // measures the prefix
  await t.warming.warmer.setEnabled("c", false);
  await t.clock.tickAsync(TTL);
  t.warming.warmer.onTurnStarted("c");
  await t.warming.drain();
  expect(t.ledger("c")).toMatchObject({ turnsSaved: 0, savedUsd: 0 });
});

it("keeps each idle gap, the newest 50", async () => {
  const t = setUp();
  await t.warming.warmer.setEnabled("c", true);
  for (let gap = 1; gap <= 52; gap++) {
    await t.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
    await t.clock.tickAsync(gap * 1_000);
    t.warming.warmer.onTurnStarted("c");
  }
  await t.warming.drain();
  const stored = (await t.stored("c")) as unknown as { gapsMs: number[] };
  expect(stored.gapsMs).toHaveLength(50);
  expect(stored.gapsMs[0]).toBe(3_000);
  expect(stored.gapsMs.at(-1)).toBe(52_000);
});

it("counts an unpriced model's warms and shows no dollars for them", async () => {
  const t = setUp();
  await t.warming.warmer.setEnabled("c", true);
  await t.warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
  t.answer.usage = READ;
  await t.warming.warmNow("c");
  await t.warming.warmNow("c", { modelName: "a-model-nobody-prices" });
  expect(t.ledger("c")).toEqual({
    spentUsd: null,
    savedUsd: null,
    netUsd: null,
    warms: 2,
    turnsSaved: 0,
  });
  expect(await t.stored("c")).toMatchObject({ warms: 2, unpricedWarms: 1, spentUsd: 0.003015 });
});

it("stores nothing for a conversation with nothing to count, and a record once there is", async () => {
  const t = setUp();
  await t.warming.warmer.setEnabled("c", true);
  await t.warming.drain();
  expect(await t.memory.get("ledger:c")).toBe(null);
  t.answer.usage = WRITE;
  await t.warming.warmNow("c");
  expect(await t.stored("c")).toMatchObject({ warms: 1, prefixTokens: 10_000, inFlight: 0 });
});
