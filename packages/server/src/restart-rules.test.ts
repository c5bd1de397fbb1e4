// docs/reference.md's restart rule, row by row, over real restarts of the composed server on
// one data directory: a clean stop (`close`), and a crash (the database files copied as they
// are on disk at that instant, which is what `kill -9` leaves, then started from the copy).
// Each row: what the new server shows, and what it pays the provider for the next 30 minutes.
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import type { CacheWarmingTimerPayload as TimerPayload } from "@dispatch/ui-contract";
import type { WarmOutcome } from "@dispatch/warm-service";
import { describe, expect, it } from "vitest";
import type { DispatchServer } from "./compose.js";
import type { ServerConfig } from "./config.js";
import {
  advance,
  cleanupAfterEach,
  START,
  startTestServer,
  tempDataDir,
} from "./testing/helpers.js";

const afterTest = cleanupAfterEach();
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const INTERVAL = 4 * MINUTE;
const WATCHED_MS = 30 * MINUTE;
const HIT = { inputTokens: 12_000, outputTokens: 1, cacheReadTokens: 12_000, cacheWriteTokens: 0 };
const MISS = { inputTokens: 12_000, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 12_000 };

/** The provider: each call recorded; it answers `answer`, or never while `hold` is set. */
function provider() {
  const calls: Array<{ id: string; at: number }> = [];
  const control = { answer: HIT as WarmOutcome, hold: false, now: () => 0 };
  const warm = {
    warm: (id: string): Promise<WarmOutcome> => {
      calls.push({ id, at: control.now() });
      return control.hold ? new Promise(() => {}) : Promise.resolve(control.answer);
    },
  };
  return { calls, control, warm };
}

type Provider = ReturnType<typeof provider>;

/** Warms every interval from `first` through the 30 watched minutes, as ms after the start. */
function everyInterval(first: number, startedAt: number): number[] {
  const times: number[] = [];
  for (let at = first; at <= startedAt + WATCHED_MS; at += INTERVAL) times.push(at - startedAt);
  return times;
}

interface Row {
  readonly state: string;
  readonly config?: Partial<ServerConfig>;
  /** Brings conversation `c` into the row's state; returns when the server stops. */
  readonly before: (
    server: DispatchServer,
    tick: (ms: number) => Promise<void>,
    p: Provider,
  ) => Promise<void>;
  /** How long the server is down. */
  readonly downMs: number;
  readonly shows: Partial<TimerPayload>;
  /** When the new server calls the provider, in ms after it started, over 30 minutes. */
  readonly pays: (startedAt: number) => number[];
  /** The same after kill -9, when it differs. */
  readonly paysAfterCrash?: (startedAt: number) => number[];
}

const on = async (server: DispatchServer) => {
  await server.warmer.setEnabled("c", true);
  await server.warming.setSpendLimits("c", { policy: "fixed" });
};

/** `c` on with `fixed`, `setUp` applied, one turn settled, then `ms` pass. */
const settledFor =
  (ms: number, setUp?: (server: DispatchServer, p: Provider) => unknown): Row["before"] =>
  async (server, tick, p) => {
    await on(server);
    await setUp?.(server, p);
    await server.warmer.onTurnSettled("c", { modelName: "sim" });
    await tick(ms);
  };

const ROWS: readonly Row[] = [
  {
    state: "off",
    before: async (server, tick, p) => {
      await settledFor(INTERVAL + SECOND)(server, tick, p); // one warm, then off
      await server.warmer.setEnabled("c", false);
    },
    downMs: MINUTE,
    shows: { state: "off", nextWarmAt: null },
    pays: () => [],
  },
  {
    state: "scheduled, cache still alive",
    before: settledFor(MINUTE),
    downMs: MINUTE,
    shows: { state: "scheduled", nextWarmAt: START + INTERVAL },
    // At its old time, then every interval.
    pays: (startedAt) => everyInterval(START + INTERVAL, startedAt),
  },
  {
    state: "scheduled, cache expired meanwhile",
    before: settledFor(MINUTE),
    downMs: 10 * MINUTE,
    shows: { state: "idle", reason: "cache-expired", nextWarmAt: null },
    pays: () => [],
  },
  {
    state: "warming (a warm in flight)",
    // The warm is sent and never answered.
    before: settledFor(INTERVAL + SECOND, (_, p) => {
      p.control.hold = true;
    }),
    downMs: 30 * SECOND,
    shows: { state: "scheduled", nextWarmAt: START + 2 * INTERVAL },
    // Counted as made: the next one comes an interval after it, never at once.
    pays: (startedAt) => everyInterval(START + 2 * INTERVAL, startedAt),
  },
  {
    state: "paused by the idle cap",
    before: settledFor(3 * INTERVAL, (server) =>
      server.warming.setSpendLimits("c", { idleWarmCap: 2 }),
    ),
    downMs: MINUTE,
    shows: { state: "paused", reason: "idle-cap", nextWarmAt: null },
    pays: () => [],
  },
  {
    state: "paused by the dead-cache limit",
    before: settledFor(3 * INTERVAL, (_, p) => {
      p.control.answer = MISS;
    }),
    downMs: MINUTE,
    shows: { state: "paused", reason: "dead-cache", nextWarmAt: null },
    pays: () => [],
  },
  {
    state: "paused by the adaptive policy (not-worth-it)",
    before: async (server, tick) => {
      await server.warmer.setEnabled("c", true);
      await server.warming.setSpendLimits("c", { policy: "adaptive" });
      await server.warmer.onTurnSettled("c", { modelName: "sim" });
      await tick(5 * INTERVAL);
    },
    downMs: MINUTE,
    shows: { state: "paused", reason: "not-worth-it", nextWarmAt: null },
    pays: () => [],
  },
  {
    state: "waiting on the global budget",
    config: { maxWarmsPerMinute: 1 },
    before: async (server, tick) => {
      // d's warm falls due first and takes the minute's only call; c's waits for the next.
      for (const id of ["d", "c"]) {
        await server.warmer.setEnabled(id, true);
        await server.warming.setSpendLimits(id, { policy: "fixed" });
        await server.warmer.onTurnSettled(id, { modelName: "sim" });
        await tick(SECOND);
      }
      await tick(INTERVAL);
      expect(server.warming.budget.retryAt("c")).toBe(START + MINUTE + INTERVAL);
    },
    downMs: 10 * SECOND,
    shows: { state: "scheduled", nextWarmAt: START + MINUTE + INTERVAL },
    // At its retry time (the budget kept across the restart), then every interval.
    pays: (startedAt) => everyInterval(START + MINUTE + INTERVAL, startedAt),
    // A crash counts the budget's unused lease as spent when it starts again: here the one
    // call a minute it had leased ahead, so a minute later.
    paysAfterCrash: (startedAt) => everyInterval(START + 2 * MINUTE + INTERVAL, startedAt),
  },
  {
    state: "generating (a turn was running)",
    before: async (server, tick, p) => {
      await settledFor(MINUTE)(server, tick, p);
      server.warmer.onTurnStarted("c");
    },
    downMs: MINUTE,
    shows: { state: "idle", reason: "awaiting-turn", nextWarmAt: null },
    pays: () => [],
  },
  {
    state: "enabled, never started",
    before: async (server) => {
      await on(server);
    },
    downMs: MINUTE,
    shows: { state: "idle", reason: "awaiting-turn", nextWarmAt: null },
    pays: () => [],
  },
];

const timerOf = (server: DispatchServer): TimerPayload =>
  server.warming.view("c") as unknown as TimerPayload;

describe.each(["a clean stop", "kill -9"])("after %s", (stop) => {
  it.each(ROWS)("$state", async (row) => {
    const dataDir = await tempDataDir();
    const p = provider();
    const first = await startTestServer({ dataDir, ...row.config }, { warm: p.warm });
    p.control.now = () => first.clock.now;
    await row.before(
      first.server,
      async (ms) => {
        await advance(first, ms);
      },
      p,
    );
    const stoppedAt = first.clock.now;
    const paidBefore = p.calls.length;
    let from = dataDir;
    if (stop === "kill -9") {
      // What is on disk now is what a kill -9 leaves: every commit so far, nothing more.
      await first.server.warming.drain();
      from = await tempDataDir();
      for (const file of ["cache-warming.db", "cache-warming.db-wal"]) {
        await copyFile(join(dataDir, file), join(from, file)).catch(() => {});
      }
    }
    await first.server.close();
    p.control.hold = false;
    p.control.answer = HIT;
    const startedAt = stoppedAt + row.downMs;
    const second = await startTestServer(
      { dataDir: from, ...row.config },
      { warm: p.warm },
      startedAt,
    );
    afterTest(() => second.server.close());
    p.control.now = () => second.clock.now;
    await second.server.warming.load("c");
    expect(timerOf(second.server)).toMatchObject(row.shows);
    await advance(second, WATCHED_MS);
    const paid = p.calls.slice(paidBefore).filter((call) => call.id === "c");
    const pays = stop === "kill -9" ? (row.paysAfterCrash ?? row.pays) : row.pays;
    expect(paid.map((call) => call.at - startedAt)).toEqual(pays(startedAt));
  });
});
