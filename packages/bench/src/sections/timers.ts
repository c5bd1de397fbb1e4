// Timer lateness with real time: N conversations on a 5 s interval through the production
// scheduler, with the server's SQLite store on this machine's disk (only settings synced, as
// the server opens it). Lateness = when the warm reached the provider − the nextWarmAt the
// surface had promised; the event loop's own delay is reported beside it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import {
  createScheduler,
  createStandardWarmer,
  DEFAULT_PRICES,
  SIM_PRICING,
} from "@dispatch/cache-warming-extras";
import { openSqliteStorage } from "@dispatch/kv-storage";
import { isSettingKey, systemClock } from "@dispatch/server";
import { round, silentLogger, summarize } from "../stats.js";

const USAGE = { inputTokens: 1000, outputTokens: 1, cacheReadTokens: 1000, cacheWriteTokens: 0 };

export async function benchTimers(n: number, runMs: number) {
  const promised = new Map<string, number>();
  const lateness: number[] = [];
  let measuring = false;
  const storage = openSqliteStorage(
    join(mkdtempSync(join(tmpdir(), "bench-timers-")), "db.sqlite"),
    {
      durable: isSettingKey,
    },
  );
  // As the standalone server warms: every extra, the bundled price table.
  const warming = createStandardWarmer({
    warm: async (id) => {
      const due = promised.get(id);
      if (measuring && due !== undefined) lateness.push(Date.now() - due);
      warming.warmer.onWarmCompleted({ conversationId: id, usage: USAGE });
      return USAGE;
    },
    storage,
    persist: true,
    logger: silentLogger,
    timers: createScheduler(systemClock.timers, systemClock.now, { defer: setImmediate }),
    now: systemClock.now,
    prices: DEFAULT_PRICES,
    dearest: SIM_PRICING,
    manualWarmMinGapMs: 0,
    maxWarmsPerMinute: 0,
    maxUsdPerMinute: 0,
    maxEnabledConversations: 0,
  });
  const { warmer } = warming;
  // What the surface shows after each change: the promise the lateness is measured by.
  warming.surface.subscribe?.((id) => {
    const next = id === undefined ? null : warmer.getState(id).nextWarmAt;
    if (id !== undefined && next !== null) promised.set(id, next);
  });
  for (let i = 0; i < n; i++) {
    const id = `conv-${i}`;
    await warming.setSpendLimits(id, { idleWarmCap: 0, deadWarmLimit: 0 });
    await warmer.setIntervalMs(id, 5_000);
    await warmer.setEnabled(id, true);
  }
  await new Promise((resolve) => setTimeout(resolve, 6_000)); // past the first, aligned burst
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, runMs));
  measuring = false;
  loop.disable();
  warmer.dispose();
  await warming.close();
  storage.close();
  return {
    store: "sqlite on disk",
    conversations: n,
    runMs,
    latenessMs: summarize(lateness),
    eventLoopDelayP99Ms: round(loop.percentile(99) / 1e6),
    warmsPerSecond: round(lateness.length / (runMs / 1000), 0),
  };
}

if (process.argv[2] === "run") {
  console.log(JSON.stringify(await benchTimers(Number(process.argv[3]), Number(process.argv[4]))));
}
