// Timer lateness with real time: N conversations on a 5 s interval through the production
// scheduler, with the server's SQLite store on this machine's disk (only settings synced, as
// the server opens it). Lateness = when the warm reached the provider − the nextWarmAt the
// surface had promised; the event loop's own delay is reported beside it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createCacheWarmer, systemClock } from "@dispatch/cache-warming";
import {
  createScheduler,
  DEFAULT_PRICES,
  STANDARD_RULES,
  setSpendLimits,
} from "@dispatch/cache-warming/modules";
import { openSqliteStorage } from "@dispatch/kv-storage";
import { isSettingKey } from "@dispatch/server";
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
  const warmer = createCacheWarmer({
    warm: async (id) => {
      const due = promised.get(id);
      if (measuring && due !== undefined) lateness.push(Date.now() - due);
      return USAGE;
    },
    storage,
    logger: silentLogger,
    timers: createScheduler(systemClock.timers, systemClock.now, { defer: setImmediate }),
    now: systemClock.now,
    // As the standalone server warms: every rule, the bundled price table.
    rules: STANDARD_RULES,
    prices: DEFAULT_PRICES,
    // What the surface would show after each change: the promise the lateness is measured by.
    onSurfaceChange(id) {
      if (id === undefined) return;
      const next = warmer.getState(id).nextWarmAt;
      if (next !== null) promised.set(id, next);
    },
    manualWarmMinGapMs: 0,
  });
  for (let i = 0; i < n; i++) {
    const id = `conv-${i}`;
    await setSpendLimits(warmer, id, { idleWarmCap: 0, deadWarmLimit: 0 });
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
  await warmer.drainWrites();
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
