// Extra: a deadline on the warm service. A provider that never answers would hold a warm in
// flight for ever (and with it the schedule and every click that joins it): past the deadline
// the call fails, in words, so the warmer logs it and warms again an interval later. At
// shutdown every call still waiting is answered at once.
import type { CacheWarmerDeps, TimerDeps } from "@dispatch/cache-warming";

type Warm = CacheWarmerDeps["warm"];

/** A failure that names its reason, which the warmer passes on (the route answers by it). */
class WarmFailure extends Error {
  constructor(
    message: string,
    readonly reason: "timeout" | "closed",
  ) {
    super(message);
  }
}

/** How long a provider may take to answer a warm. */
export const DEFAULT_WARM_TIMEOUT_MS = 30_000;

export function withDeadline(
  warm: Warm,
  options: { readonly timers: TimerDeps; readonly timeoutMs?: number },
): Warm & { readonly abandonAll: () => void } {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WARM_TIMEOUT_MS;
  const waiting = new Set<(reason: Error) => void>();
  const guarded: Warm = (conversationId, opts) =>
    new Promise((resolve, reject) => {
      const settle = () => {
        options.timers.clearTimer(timer);
        waiting.delete(fail);
      };
      const fail = (reason: Error) => {
        settle();
        reject(reason);
      };
      const timer = options.timers.setTimer(
        () =>
          fail(
            new WarmFailure(`the provider did not answer within ${timeoutMs / 1000} s`, "timeout"),
          ),
        timeoutMs,
      );
      waiting.add(fail);
      warm(conversationId, opts).then(
        (outcome) => {
          settle();
          resolve(outcome);
        },
        (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
      );
    });
  return Object.assign(guarded, {
    abandonAll() {
      for (const fail of [...waiting])
        fail(new WarmFailure("the server is shutting down", "closed"));
    },
  });
}
