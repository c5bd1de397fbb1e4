// Armed conversations at scale, with the production scheduler and in-memory settings: heap
// bytes per armed conversation and arming rate (ids made inside the measured loop), then one
// interval of fake time, in which every conversation must warm exactly once.
import type { TimerDeps } from "@dispatch/cache-warming";
import {
  createScheduler,
  createStandardWarmer,
  DEFAULT_PRICES,
  SIM_PRICING,
} from "@dispatch/cache-warming-extras";
import { createMemoryStorage } from "@dispatch/kv-storage";
import { heapUsedAfterGc, round, silentLogger } from "../stats.js";

const USAGE = { inputTokens: 1000, outputTokens: 1, cacheReadTokens: 1000, cacheWriteTokens: 0 };
const INTERVAL = 240_000;

/** A host that holds the scheduler's one timer; `advance` moves time and fires what is due. */
function manualHost(start: number) {
  let now = start;
  let pending: { at: number; fn: () => void; id: number } | null = null;
  let nextId = 1;
  const timers: TimerDeps = {
    setTimer(fn, ms) {
      pending = { at: now + ms, fn, id: nextId++ };
      return pending.id;
    },
    clearTimer(id) {
      if (pending?.id === id) pending = null;
    },
  };
  return {
    now: () => now,
    timers,
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due: { at: number; fn: () => void } | null = pending;
        if (due === null || due.at > end) break;
        pending = null;
        now = Math.max(now, due.at);
        due.fn();
        await Promise.resolve(); // let the warms' promise callbacks run
        await new Promise((resolve) => setImmediate(resolve));
      }
      now = end;
    },
  };
}

export async function benchMemory(n: number) {
  const host = manualHost(Date.UTC(2026, 10, 25));
  const warmsById = new Map<string, number>();
  // As the standalone server warms with in-memory settings: every extra, the bundled prices.
  const warming = createStandardWarmer({
    warm: async (id) => {
      warmsById.set(id, (warmsById.get(id) ?? 0) + 1);
      warming.warmer.onWarmCompleted({ conversationId: id, usage: USAGE });
      return USAGE;
    },
    storage: createMemoryStorage(),
    persist: false,
    logger: silentLogger,
    timers: createScheduler(host.timers, host.now),
    now: host.now,
    prices: DEFAULT_PRICES,
    dearest: SIM_PRICING,
    manualWarmMinGapMs: 0,
    maxWarmsPerMinute: 0,
    maxUsdPerMinute: 0,
    maxEnabledConversations: 0,
  });
  const { warmer } = warming;
  const before = heapUsedAfterGc();
  const started = performance.now();
  for (let i = 0; i < n; i++) await warmer.setEnabled(`conv-${i}`, true);
  const armSeconds = (performance.now() - started) / 1000;
  const after = heapUsedAfterGc();
  const armed = warming.stats().enabledConversations;
  await host.advance(INTERVAL);
  let once = 0;
  for (const count of warmsById.values()) if (count === 1) once += 1;
  warmer.dispose();
  return {
    conversations: n,
    armed,
    heapBytesPerArmedConversation: round((after - before) / n, 0),
    armPerSecond: round(n / armSeconds, 0),
    warmedExactlyOnceInOneInterval: once,
  };
}

if (process.argv[2] === "run") {
  console.log(JSON.stringify(await benchMemory(Number(process.argv[3]))));
}
