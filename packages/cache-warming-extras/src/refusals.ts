// Extra: actions that say why they refuse, and the memory of the last refusal. Upstream's
// surface ignores bad input and its WebSocket transport drops what `invoke` rejects with; here
// a bad payload, an unknown action or a refused warm rejects with a message written for the
// user, and the conversation's spec shows it (`Last refusal`, and `lastRefusal` in the timer
// payload) until its next accepted action.
import type { CacheWarmingSurface } from "@dispatch/cache-warming";
import { type Extra, type ExtraDeps, seam, withFields, withTimerKeys } from "./extra.js";
import { intervalTooLong } from "./prices.js";

/** A refusal written for the client: transports show its message as it is. */
export class ActionRejected extends Error {
  readonly expose = true;
  override readonly name = "ActionRejectedError";
}

export interface Refusal {
  readonly action: string;
  readonly message: string;
  readonly at: number;
}

/** Conversations whose last refusal is remembered; the oldest is forgotten past it. */
export const MAX_REMEMBERED_REFUSALS = 1000;

/** A day: any longer and every provider cache has long expired between warms. */
export const MAX_INTERVAL_S = 86_400;

export const TOGGLE = "cache-warming/toggle";
export const SET_INTERVAL = "cache-warming/set-interval";
export const WARM_NOW = "cache-warming/warm-now";

/** `toggle`: no payload flips; a boolean (or `{ value }`) sets it, so a retry is safe. */
export function parseToggle(payload: unknown): boolean | null {
  if (payload === undefined || payload === null) return null;
  if (typeof payload === "boolean") return payload;
  if (typeof payload === "object" && typeof (payload as { value?: unknown }).value === "boolean") {
    return (payload as { value: boolean }).value;
  }
  throw new ActionRejected("toggle expects no payload, a boolean or { value: boolean }");
}

/** `set-interval`: whole seconds, bare or as `{ value }`, 1 … 86 400; milliseconds back. */
export function parseIntervalSeconds(payload: unknown): number {
  const seconds =
    typeof payload === "object" && payload !== null && "value" in payload
      ? (payload as { value: unknown }).value
      : payload;
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw new ActionRejected("set-interval expects seconds as a number or { value: number }");
  }
  if (seconds < 1) throw new ActionRejected("interval must be at least 1 s");
  if (seconds > MAX_INTERVAL_S)
    throw new ActionRejected(`interval must be at most ${MAX_INTERVAL_S} s`);
  if (!Number.isInteger(seconds))
    throw new ActionRejected("interval must be a whole number of seconds");
  return seconds * 1000;
}

export function createRefusals(deps: Pick<ExtraDeps, "warmer" | "now" | "economicsOf" | "queue">) {
  const { warmer, now, economicsOf, queue } = deps;
  // A conversation's settings actions run one after another: each reads what the one before
  // it stored, so two changes racing each other cannot lose one.
  const inTurn = (id: string, change: () => Promise<unknown>) =>
    queue.enqueue(`actions:${id}`, change).then(() => {});
  // The last refusal per conversation, until its next accepted action (insertion-ordered).
  const refusals = new Map<string, Refusal>();

  function remember(id: string, refusal: Refusal | null): void {
    refusals.delete(id);
    if (refusal === null) return;
    refusals.set(id, refusal);
    if (refusals.size > MAX_REMEMBERED_REFUSALS)
      refusals.delete(refusals.keys().next().value as string);
  }

  const extra = {
    forget: (id: string) => void refusals.delete(id),
    lastRefusal: (id: string) => refusals.get(id) ?? null,
    /**
     * The surface with refusals said and remembered: an action without a conversation or
     * unknown to every extra is refused; a refusal is shown in the spec pushed after it.
     */
    wrap(surface: CacheWarmingSurface, knownActions: readonly string[]): CacheWarmingSurface {
      return {
        ...surface,
        async invoke(actionId, payload, context) {
          const id = context?.conversationId;
          if (id === undefined)
            throw new ActionRejected(`${actionId.slice(0, 64)} needs a conversationId`);
          // Forgotten before the action runs, so the one push its change makes shows it gone.
          remember(id, null);
          try {
            if (!knownActions.includes(actionId)) {
              throw new ActionRejected(
                `unknown action "${actionId.slice(0, 64)}" on surface cache-warming`,
              );
            }
            await surface.invoke(actionId, payload, context);
          } catch (error) {
            if (error instanceof ActionRejected) {
              remember(id, { action: actionId.slice(0, 64), message: error.message, at: now() });
              surface.notify(id);
            }
            throw error;
          }
        },
      };
    },
    hooks: seam({
      spec(id, spec) {
        const refusal = refusals.get(id) ?? null;
        return withTimerKeys(
          withFields(spec, [
            {
              kind: "stat",
              label: "Last refusal",
              value: refusal === null ? "—" : `${refusal.action}: ${refusal.message}`,
            },
          ]),
          { lastRefusal: refusal },
        );
      },
      actions: {
        [TOGGLE]: async (id, payload) => {
          const enabled = parseToggle(payload);
          await inTurn(id, () => warmer.setEnabled(id, enabled ?? !warmer.getState(id).enabled));
        },
        // Refused, not clamped, past what the model's cache lifetime allows.
        [SET_INTERVAL]: async (id, payload) => {
          const intervalMs = parseIntervalSeconds(payload);
          const tooLong = intervalTooLong(intervalMs, economicsOf(warmer.getContext(id).modelName));
          if (tooLong !== null) throw new ActionRejected(tooLong);
          await inTurn(id, () => warmer.setIntervalMs(id, intervalMs));
        },
        [WARM_NOW]: async (id) => {
          const result = await warmer.warmNow(id);
          if (!result.ok) throw new ActionRejected(result.error);
        },
      },
    }),
  } satisfies Extra & Record<string, unknown>;
  return extra;
}
