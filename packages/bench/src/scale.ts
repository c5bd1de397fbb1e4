// 100 000 enabled, idle conversations: arm, re-arm via manual warms, cancel via turn starts,
// with real timers (so heap per conversation includes Node's own Timeout objects); then
// the same count on a fake clock, advanced across one interval, to count the warms fired.
import { type CacheWarmer, createCacheWarmer, type TimerDeps } from "@dispatch/cache-warming";
import { systemClock } from "@dispatch/server";
import type { WarmService } from "@dispatch/warm-service";
import { createHeapClock } from "./heap-clock.js";
import { heapUsedAfterGc, round, silentLogger } from "./stats.js";

const USAGE = { inputTokens: 1000, outputTokens: 1, cacheReadTokens: 1000, cacheWriteTokens: 0 };
const INTERVAL = 240_000;

function makeWarmer(warm: WarmService["warm"], timers: TimerDeps, now: () => number): CacheWarmer {
  return createCacheWarmer({
    warm,
    // Settings writes are not what this measures; a no-op store keeps them out of the heap.
    storage: { get: async () => null, set: async () => {} },
    logger: silentLogger,
    timers,
    now,
    onSurfaceChange() {},
    manualWarmMinGapMs: 0,
  });
}

async function timed(count: number, run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return round(count / ((performance.now() - started) / 1000), 0);
}

export async function benchScale(n: number) {
  const ids = Array.from({ length: n }, (_, i) => `conv-${i}`);
  const heapBefore = heapUsedAfterGc();
  const warmer = makeWarmer(async () => USAGE, systemClock.timers, systemClock.now);
  const armOpsPerSec = await timed(n, async () => {
    for (const id of ids) await warmer.setEnabled(id, true);
  });
  const heapAfter = heapUsedAfterGc();
  const armed = ids.filter((id) => warmer.getState(id).nextWarmAt !== null).length;
  const rearmOpsPerSec = await timed(n, async () => {
    for (const id of ids) await warmer.warmNow(id);
  });
  const cancelOpsPerSec = await timed(n, async () => {
    for (const id of ids) warmer.onTurnStarted(id);
  });
  const stillArmed = ids.filter((id) => warmer.getState(id).nextWarmAt !== null).length;
  warmer.dispose();

  // One interval of fake time: every conversation must warm exactly once.
  const clock = createHeapClock(Date.UTC(2026, 10, 25));
  const warmsById = new Map<string, number>();
  const fakeWarmer = makeWarmer(
    async (id) => {
      warmsById.set(id, (warmsById.get(id) ?? 0) + 1);
      return USAGE;
    },
    clock.timers,
    clock.now,
  );
  for (const id of ids) await fakeWarmer.setEnabled(id, true);
  const fireStarted = performance.now();
  await clock.advance(INTERVAL);
  const fireMs = performance.now() - fireStarted;
  const warmsFired = [...warmsById.values()].reduce((sum, count) => sum + count, 0);
  const eachOnce = warmsById.size === n && [...warmsById.values()].every((count) => count === 1);
  fakeWarmer.dispose();

  return {
    conversations: n,
    armed,
    armOpsPerSec,
    rearmOpsPerSec,
    cancelOpsPerSec,
    armedAfterCancel: stillArmed,
    heapBytesPerArmedConversation: round((heapAfter - heapBefore) / n, 0),
    warmsFiredInOneInterval: warmsFired,
    eachWarmedOnce: eachOnce,
    fireOpsPerSec: round(n / (fireMs / 1000), 0),
  };
}
