// Real timers, small N: how late does an automatic warm fire compared with the nextWarmAt
// the surface promised?
import { type CacheWarmer, createCacheWarmer } from "@dispatch/cache-warming";
import { createMemoryStorage } from "@dispatch/kv-storage";
import { silentLogger, summarize } from "./stats.js";

const USAGE = { inputTokens: 1000, outputTokens: 1, cacheReadTokens: 1000, cacheWriteTokens: 0 };

export async function benchTimerAccuracy(n: number, runMs: number) {
  const lateness: number[] = [];
  let warmer: CacheWarmer | null = null;
  warmer = createCacheWarmer({
    warm: async () => USAGE,
    storage: createMemoryStorage(),
    logger: silentLogger,
    now: Date.now,
    timers: {
      setTimer(fn, ms, label) {
        const id = label?.startsWith("warm:") ? label.slice("warm:".length) : null;
        return Number(
          setTimeout(() => {
            // Read what the surface promised before the fire clears it.
            const promised = id === null ? null : warmer?.getState(id).nextWarmAt;
            if (typeof promised === "number") lateness.push(Date.now() - promised);
            fn();
          }, ms),
        );
      },
      clearTimer: (handle) => clearTimeout(handle),
    },
    onSurfaceChange() {},
  });
  for (let i = 0; i < n; i++) {
    const id = `conv-${i}`;
    await warmer.setIntervalMs(id, i % 2 === 0 ? 1_000 : 2_000);
    await warmer.setEnabled(id, true);
  }
  await new Promise((resolve) => setTimeout(resolve, runMs));
  warmer.dispose();
  return { conversations: n, runMs, ...summarize(lateness) };
}
