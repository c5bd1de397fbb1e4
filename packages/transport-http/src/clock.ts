// The one place this server touches real time; everything else gets it injected.
import type { TimerDeps } from "@dispatch/cache-warming";

export interface Clock {
  readonly now: () => number;
  readonly timers: TimerDeps;
  /** Runs `fn` after pending I/O (Node's setImmediate); absent on fake clocks. */
  readonly defer?: (fn: () => void) => void;
}

// Methods, not arrow properties: their bodies run per call, so a test sees any change to them.
export const systemClock: Clock = {
  now() {
    return Date.now();
  },
  timers: {
    // A Node timeout turned into its number is what clearTimeout(number) later finds.
    setTimer(fn, ms) {
      return Number(setTimeout(fn, ms));
    },
    clearTimer(id) {
      clearTimeout(id);
    },
  },
  defer(fn) {
    setImmediate(fn);
  },
};
