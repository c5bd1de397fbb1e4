// Opt-in module: memory release. A conversation nobody watches, with warming off and every
// setting at its default, leaves the warmer's memory (its last percentages go with it); what
// is stored stays, so it comes back as it was. The warmer's `mayForget` seam.
import { DEFAULT_INTERVAL_MS } from "../pure.js";
import { type CacheWarmingState, DEFAULT_SPEND_LIMITS } from "../state.js";

export interface MemoryReleaseOptions {
  /** Whether somebody watches this conversation's surface; read on every call. None: keep all. */
  readonly isObserved?: (conversationId: string) => boolean;
}

/** The warmer's `mayForget`: unwatched, idle, off, and nothing but defaults to remember. */
export function forgetUnwatched(options: MemoryReleaseOptions) {
  return (conversationId: string, state: CacheWarmingState): boolean => {
    const { isObserved } = options;
    if (isObserved === undefined || isObserved(conversationId)) return false;
    if (state.active || state.enabled || state.budgetRetryAt !== null) return false;
    return (
      state.intervalMs === DEFAULT_INTERVAL_MS &&
      state.idleWarmCap === DEFAULT_SPEND_LIMITS.idleWarmCap &&
      state.deadWarmLimit === DEFAULT_SPEND_LIMITS.deadWarmLimit
    );
  };
}
