// Extra: at most one manual warm per conversation per gap (1 s by default): a burst of clicks
// pays for one warm, not for each. Joining a warm in flight is free and never refused.
import { type Extra, type ExtraDeps, seam } from "./extra.js";

export function createRateLimit(deps: Pick<ExtraDeps, "now"> & { readonly minGapMs: number }) {
  // The last manual warm per conversation, oldest first: expired entries leave from the front.
  const last = new Map<string, number>();

  function prune(at: number): void {
    for (const [id, warmedAt] of last) {
      if (warmedAt + deps.minGapMs > at) return;
      last.delete(id);
    }
  }

  return {
    hooks: seam({
      beforeWarm(id, trigger) {
        if (trigger !== "manual" || deps.minGapMs <= 0) return undefined;
        const at = deps.now();
        prune(at);
        const previous = last.get(id);
        if (previous !== undefined) {
          return {
            reason: "rate-limited",
            error: `manual warms are limited to one per ${deps.minGapMs} ms per conversation`,
            retryAfterMs: previous + deps.minGapMs - at,
          };
        }
        last.set(id, at);
        return undefined;
      },
    }),
  } satisfies Extra & Record<string, unknown>;
}
