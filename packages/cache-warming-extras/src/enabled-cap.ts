// Extra: at most so many conversations with warming on at once (each is a stream of paid
// warms). An enable is counted from the moment it is asked for, so enables racing each other
// cannot pass the cap together; one whose store failed stops counting after a while. While
// the stored schedules come back after a restart, an enable waits for them to be counted.
import { type Extra, type ExtraDeps, seam } from "./extra.js";
import { ActionRejected } from "./refusals.js";

/** An enable asked for but not yet seen applied counts this long at most. */
const PENDING_ENABLE_MS = 30_000;

export function createEnabledCap(
  deps: Pick<ExtraDeps, "now" | "logger"> & {
    readonly maxEnabled: number;
    /** Settles once the stored schedules are back: until then they hold slots not yet counted. */
    readonly resumed?: () => Promise<unknown>;
  },
) {
  const enabled = new Set<string>();
  const pending = new Map<string, number>();
  let refusals = 0;

  function count(): number {
    const at = deps.now();
    for (const [id, since] of pending) if (since + PENDING_ENABLE_MS <= at) pending.delete(id);
    return enabled.size + pending.size;
  }

  return {
    refusals: () => refusals,
    count,
    forget(id: string) {
      enabled.delete(id);
      pending.delete(id);
    },
    hooks: seam({
      async settingsChanging(id, next, current) {
        if (!next.enabled || current.enabled || deps.maxEnabled <= 0) return;
        await deps.resumed?.();
        if (!enabled.has(id) && !pending.has(id) && count() >= deps.maxEnabled) {
          refusals += 1;
          deps.logger.warn("cache-warming: refused to enable warming", {
            conversationId: id,
            maxEnabledConversations: deps.maxEnabled,
          });
          throw new ActionRejected(
            `at most ${deps.maxEnabled} conversations may have warming enabled at once; disable one first`,
          );
        }
        pending.set(id, deps.now());
      },
      changed(id, state) {
        if (state.enabled) {
          pending.delete(id);
          enabled.add(id);
        } else enabled.delete(id);
      },
    }),
  } satisfies Extra & Record<string, unknown>;
}
