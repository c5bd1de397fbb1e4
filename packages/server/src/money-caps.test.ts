// Issue 37, items 1–3: the server's caps hold against a burst on a slow provider, a crash loop,
// and model names as gateways write them. Fake time; each crash is the database files copied as
// they are on disk at that instant (what `kill -9` leaves), then a server started from the copy.
import { copyFileSync, existsSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import type { WarmOutcome } from "@dispatch/warm-service";
import { expect, it } from "vitest";
import {
  advance,
  cleanupAfterEach,
  postWarm,
  START,
  SurfaceClient,
  startTestServer,
  tempDataDir,
} from "./testing/helpers.js";

const afterTest = cleanupAfterEach();
const SECOND = 1_000;
const PREFIX = 12_000;
const READ = { inputTokens: PREFIX, outputTokens: 1, cacheReadTokens: PREFIX, cacheWriteTokens: 0 };
/** claude-opus-4-1's list prices: $15/MTok in, reads 0.1×, $75/MTok out. */
const OPUS_READ_USD = (PREFIX * 1.5 + 75) / 1e6;

/** A provider that takes `latencyMs` of fake time to answer a read of the prefix. */
function slowProvider(latencyMs: number) {
  const calls: Array<{ id: string; model: string | undefined }> = [];
  let setTimer: (fn: () => void, ms: number) => void = () => {};
  return {
    calls,
    use(timer: (fn: () => void, ms: number) => void) {
      setTimer = timer;
    },
    warm: {
      warm: (id: string, opts?: { modelName?: string }): Promise<WarmOutcome> => {
        calls.push({ id, model: opts?.modelName });
        if (latencyMs === 0) return Promise.resolve(READ);
        return new Promise((resolve) => setTimer(() => resolve(READ), latencyMs));
      },
    },
  };
}

it("spends at most the dollar cap plus one warm on 300 simultaneous warms of a provider that takes 1.5 s", async () => {
  const provider = slowProvider(1_500);
  const { server, clock } = await startTestServer(
    { maxUsdPerMinute: 1, maxWarmsPerMinute: 0 },
    { warm: provider.warm },
  );
  afterTest(() => server.close());
  provider.use((fn, ms) => clock.setTimeout(fn, ms));
  let answered = 0;
  const answers = Array.from({ length: 300 }, (_, i) =>
    postWarm(server.httpUrl, { conversationId: `burst-${i}`, model: "claude-opus-4-1" }).then(
      (res) => {
        answered += 1;
        return res;
      },
    ),
  );
  // Two seconds of fake time in steps, the store's real I/O done between them, until every
  // request is answered (those the budget refuses at once, those it let through after 1.5 s).
  for (let step = 0; answered < 300 && step < 200; step++) {
    await clock.tickAsync(100);
    await server.warming.drain();
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(clock.now - START).toBeLessThan(20 * SECOND);
  const statuses = (await Promise.all(answers)).map((res) => res.status);
  const spent = provider.calls.length * OPUS_READ_USD;
  expect(spent).toBeLessThanOrEqual(1 + OPUS_READ_USD);
  expect(statuses.filter((s) => s === 200)).toHaveLength(provider.calls.length);
  expect(statuses.filter((s) => s === 503)).toHaveLength(300 - provider.calls.length);
  expect(provider.calls.length).toBeGreaterThan(0);
});

it.each([
  "anthropic.claude-opus-4-1-20250805-v1:0",
  "us.anthropic.claude-opus-4-1-20250805-v1:0",
  "bedrock/anthropic.claude-opus-4-1-20250805-v1:0",
  "claude-opus-4-1@20250805",
  "anthropic/claude-opus-4-1",
])("charges %s as claude-opus-4-1 against the dollar cap", async (model) => {
  const provider = slowProvider(0);
  const { server, clock } = await startTestServer(
    {
      maxUsdPerMinute: 0.05,
      maxWarmsPerMinute: 0,
      manualWarmMinGapMs: 0,
      dataDir: await tempDataDir(),
    },
    { warm: provider.warm },
  );
  afterTest(() => server.close());
  provider.use((fn, ms) => clock.setTimeout(fn, ms));
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) {
    statuses.push((await postWarm(server.httpUrl, { conversationId: `m-${i}`, model })).status);
  }
  // $0.05 a minute buys two opus reads; an unpriced name would have bought all 20.
  expect(provider.calls.length * OPUS_READ_USD).toBeLessThanOrEqual(0.05 + OPUS_READ_USD);
  expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(17);
  // Its history row is priced as opus: the name resolved, not taken as free.
  await server.warming.load("m-0");
  const view = server.warming.view("m-0") as unknown as {
    history: Array<{ model: string; costUsd: number | null }>;
  };
  expect(view.history[0]?.model).toBe(model);
  expect(view.history[0]?.costUsd).toBeCloseTo(OPUS_READ_USD, 6);
});

it("pays no more than the calls cap allows over a crash loop's whole time", async () => {
  const CAP = 60;
  const LIVES = 18;
  const LIFE_MS = 2_500;
  const conversations = Array.from({ length: 100 }, (_, i) => `due-${i}`);
  const provider = slowProvider(0);
  let dataDir = await tempDataDir();
  let now = START;
  for (let life = 0; life < LIVES; life++) {
    const running = await startTestServer(
      { dataDir, maxWarmsPerMinute: CAP },
      { warm: provider.warm },
      now,
    );
    provider.use((fn, ms) => running.clock.setTimeout(fn, ms));
    if (life === 0) {
      for (const id of conversations) {
        await running.server.warmer.setEnabled(id, true);
        await running.server.warmer.setIntervalMs(id, SECOND);
        await running.server.warmer.onTurnSettled(id, { modelName: "sim" });
      }
    }
    for (let step = 0; step < LIFE_MS; step += 500) {
      await running.clock.tickAsync(500);
      await running.server.warming.drain();
    }
    now = running.clock.now;
    // The crash: what is on disk now, started from as it is; the old server is discarded.
    const crashed = await tempDataDir();
    for (const file of ["cache-warming.db", "cache-warming.db-wal"]) {
      await copyFile(join(dataDir, file), join(crashed, file)).catch(() => {});
    }
    await running.server.close();
    dataDir = crashed;
  }
  const elapsedMinutes = (LIVES * LIFE_MS) / 60_000;
  // A token bucket of one minute's calls, full at the start, refilled at CAP a minute.
  expect(provider.calls.length).toBeLessThanOrEqual(CAP + Math.ceil(CAP * elapsedMinutes));
  expect(provider.calls.length).toBeGreaterThan(CAP / 2);
}, 60_000);

it("counts a warm that reached the provider when the server crashed at that instant", async () => {
  const dataDir = await tempDataDir();
  const crashed = await tempDataDir();
  const calls: string[] = [];
  const first = await startTestServer(
    { dataDir },
    {
      warm: {
        warm: (id: string) => {
          calls.push(id);
          // The crash: the database files as they are on disk when the call arrives.
          for (const file of ["cache-warming.db", "cache-warming.db-wal"]) {
            if (existsSync(join(dataDir, file))) {
              copyFileSync(join(dataDir, file), join(crashed, file));
            }
          }
          return new Promise<WarmOutcome>(() => {}); // answers after the crash: never
        },
      },
    },
  );
  await first.server.warmer.setEnabled("c", true);
  await first.server.warmer.onTurnSettled("c", { modelName: "sim" });
  await advance(first, 240_000);
  expect(calls).toEqual(["c"]);
  await first.server.close();
  const second = await startTestServer({ dataDir: crashed }, {}, START + 300_000);
  afterTest(() => second.server.close());
  await second.server.warming.load("c");
  const view = second.server.warming.view("c") as unknown as { ledger: { warms: number } };
  expect(view.ledger.warms).toBe(1);
});

it("keeps the ledger of a conversation only ever touched by actions over the socket, never watched", async () => {
  const dataDir = await tempDataDir();
  const first = await startTestServer({ dataDir });
  const client = await SurfaceClient.connect(first.server.wsUrl);
  const invoke = (actionId: string, payload: unknown) =>
    client.send({
      type: "invoke",
      surfaceId: "cache-warming",
      conversationId: "quiet",
      actionId,
      payload,
    });
  invoke("cache-warming/set-interval", 60);
  invoke("cache-warming/toggle", true);
  await expect
    .poll(() => first.server.warmer.getState("quiet").enabled, { timeout: 10_000 })
    .toBe(true);
  await advance(first, 3 * 60_000);
  expect(first.server.warming.stats().warmCalls).toBe(3);
  await client.close();
  await first.server.close();
  const second = await startTestServer({ dataDir }, {}, START + 10 * 60_000);
  afterTest(() => second.server.close());
  await second.server.warming.load("quiet");
  const view = second.server.warming.view("quiet") as unknown as {
    ledger: { warms: number };
    history: unknown[];
  };
  expect([view.ledger.warms, view.history.length]).toEqual([3, 3]);
});
