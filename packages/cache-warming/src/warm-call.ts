// One call to the warm service, as the warmer makes it: the answer checked, a deadline, and a
// way to give up on it. Whatever comes first (answer, timeout, abandon) decides.
import * as z from "zod";
import type { ConversationContext } from "./pure.js";
import type { WarmAttempt } from "./state.js";
import type { WarmOptions, WarmOutcome, WarmResult } from "./warm-service.js";
import type { TimerDeps } from "./warmer.js";

/** What a call came to: the attempt, and the service's own result object (to spot its echo). */
export interface CallOutcome {
  readonly attempt: WarmAttempt;
  readonly raw: WarmResult | null;
}

export interface WarmCallIo {
  readonly warm: (conversationId: string, opts?: WarmOptions) => Promise<WarmOutcome>;
  readonly timers: TimerDeps;
}

const nonNegative = z.number().finite().min(0);
const warmOutcomeSchema = z.union([
  z.object({ error: z.string() }),
  z.object({
    inputTokens: nonNegative,
    outputTokens: nonNegative,
    cacheReadTokens: nonNegative,
    cacheWriteTokens: nonNegative,
  }),
]);

export function toAttempt(outcome: WarmOutcome): WarmAttempt {
  const parsed = warmOutcomeSchema.safeParse(outcome);
  if (!parsed.success) {
    return { kind: "failure", reason: "failed", error: "warm service returned an invalid result" };
  }
  if ("error" in parsed.data) {
    return { kind: "failure", reason: "refused", error: parsed.data.error };
  }
  const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = parsed.data;
  return { kind: "ok", usage: { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } };
}

export function sameUsage(a: WarmResult, b: WarmResult): boolean {
  return (
    a.inputTokens === b.inputTokens &&
    a.outputTokens === b.outputTokens &&
    a.cacheReadTokens === b.cacheReadTokens &&
    a.cacheWriteTokens === b.cacheWriteTokens
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Only the two keys a warm replays, whatever else the object carries. */
export function copyContext(ctx: ConversationContext): ConversationContext {
  return {
    ...(ctx.cwd === undefined ? {} : { cwd: ctx.cwd }),
    ...(ctx.modelName === undefined ? {} : { modelName: ctx.modelName }),
  };
}

/** Where a call in progress can be given up: set before the service is called, cleared after. */
export interface Abandonable {
  abandon: (() => void) | null;
}

/**
 * Calls the service; `answer` gets its result, a timeout after `timeoutMs`, or null when
 * `handle.abandon` gives up on the call. Never throws; `answer` may be called more than once
 * (a promise resolver: the first call wins).
 */
export function callWarmService(
  io: WarmCallIo,
  conversationId: string,
  opts: ConversationContext,
  timeoutMs: number,
  handle: Abandonable,
  answer: (outcome: CallOutcome | null) => void,
): void {
  const settle = (outcome: CallOutcome | null) => {
    io.timers.clearTimer(timeoutId);
    handle.abandon = null;
    answer(outcome);
  };
  const timeoutId = io.timers.setTimer(
    () =>
      settle({
        attempt: {
          kind: "failure",
          reason: "timeout",
          error: `warm service did not answer within ${timeoutMs} ms`,
        },
        raw: null,
      }),
    timeoutMs,
    `warm-timeout:${conversationId}`,
  );
  handle.abandon = () => settle(null);
  new Promise<WarmOutcome>((resolveCall) =>
    resolveCall(io.warm(conversationId, copyContext(opts))),
  ).then(
    (outcome) => {
      const attempt = toAttempt(outcome);
      // Stryker disable next-line ConditionalExpression: a refusal object never equals a usage, so as raw it matches no echo
      settle({ attempt, raw: attempt.kind === "ok" ? (outcome as WarmResult) : null });
    },
    (error: unknown) =>
      settle({
        attempt: { kind: "failure", reason: "failed", error: errorMessage(error) },
        raw: null,
      }),
  );
}
