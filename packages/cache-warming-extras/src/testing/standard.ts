// The standard warmer as the extras' tests drive it: fake time from `clock`, a silent log, the
// bundled prices, and no limit but the ones a test sets in `options`.
import type FakeTimers from "@sinonjs/fake-timers";

type Clock = ReturnType<typeof FakeTimers.createClock>;

import { DEFAULT_PRICES, SIM_PRICING } from "../prices.js";
import { createStandardWarmer, type StandardOptions } from "../standard.js";

export function standardOnClock(
  clock: Clock,
  options: Pick<StandardOptions, "warm" | "storage"> & Partial<StandardOptions>,
) {
  return createStandardWarmer({
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
    ...options,
  });
}
