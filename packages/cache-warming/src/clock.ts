// The one place in this package that touches real time; everything else gets it injected.
import type { TimerDeps } from "./warmer.js";

export interface Clock {
  readonly now: () => number;
  readonly timers: TimerDeps;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  timers: {
    // A Node timeout turned into its number is what clearTimeout(number) later finds.
    setTimer: (fn, ms) => Number(setTimeout(fn, ms)),
    clearTimer: (id) => clearTimeout(id),
  },
};
