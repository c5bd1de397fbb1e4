// Timer lateness with real time: N conversations on 1-2 s intervals through the production
// scheduler. Lateness = when the warm reached the provider − the nextWarmAt the surface had
// promised; the event loop's own delay is reported beside it.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createCacheWarmer, systemClock } from "@dispatch/cache-warming";
import { createScheduler, DEFAULT_PRICES, STANDARD_RULES } from "@dispatch/cache-warming/modules";
import { createMemoryStorage } from "@dispatch/kv-storage";
import { round, silentLogger, summarize } from "../stats.js";

const USAGE = { inputTokens: 1000, outputTokens: 1, cacheReadTokens: 1000, cacheWriteTokens: 0 };

export async function benchTimers(n: number, runMs: number) {
  const promised = new Map<string, number>();
  const lateness: number[] = [];
  let measuring = false;
  const warmer = createCacheWarmer({
    warm: async (id) => {
      const due = promised.get(id);
      if (measuring && due !== undefined) lateness.push(Date.now() - due);
      return USAGE;
    },
    storage: createMemoryStorage(),
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
    await warmer.setSpendLimits(id, { idleWarmCap: 0, deadWarmLimit: 0 });
    await warmer.setIntervalMs(id, i % 2 === 0 ? 1_000 : 2_000);
    await warmer.setEnabled(id, true);
  }
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // past the first, aligned burst
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, runMs));
  measuring = false;
  loop.disable();
  warmer.dispose();
  return {
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
