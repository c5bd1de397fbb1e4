// Action payloads: bad input is answered with a message for the client, never ignored.
import { intervalTooLong, type ModelEconomics } from "./model-cache.js";
import { MAX_INTERVAL_MS, MIN_INTERVAL_MS } from "./pure.js";

/** A refusal written for the client: transports may show its message as it is. */
export class ActionRejectedError extends Error {
  readonly expose = true;
  override readonly name = "ActionRejectedError";
}

/**
 * `set-interval` takes seconds, as a number or `{ value }`, whole, within
 * [MIN_INTERVAL_MS, MAX_INTERVAL_MS] / 1000; returns milliseconds or throws a message for
 * the client. (Upstream's action ignored bad input; this one says why it refused.)
 */
export function intervalMsFromPayload(payload: unknown, economics?: ModelEconomics): number {
  const seconds =
    typeof payload === "object" && payload !== null && "value" in payload
      ? (payload as { value: unknown }).value
      : payload;
  const min = MIN_INTERVAL_MS / 1000;
  const max = MAX_INTERVAL_MS / 1000;
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw new ActionRejectedError("set-interval expects seconds as a number or { value: number }");
  }
  if (seconds < min) throw new ActionRejectedError(`interval must be at least ${min} s`);
  if (seconds > max) throw new ActionRejectedError(`interval must be at most ${max} s`);
  if (!Number.isInteger(seconds))
    throw new ActionRejectedError("interval must be a whole number of seconds");
  const tooLong = economics === undefined ? null : intervalTooLong(seconds * 1000, economics);
  if (tooLong !== null) throw new ActionRejectedError(tooLong);
  return seconds * 1000;
}

/** `toggle` flips without a payload; a boolean (or `{ value }`) sets it, so retries are safe. */
export function parseTogglePayload(payload: unknown): boolean | null {
  if (payload === undefined || payload === null) return null;
  if (typeof payload === "boolean") return payload;
  if (typeof payload === "object" && typeof (payload as { value?: unknown }).value === "boolean") {
    return (payload as { value: boolean }).value;
  }
  throw new ActionRejectedError("toggle expects no payload, a boolean or { value: boolean }");
}
