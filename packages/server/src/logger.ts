// Structured logs: one JSON object per line (pino), or pretty lines when a terminal asks.
// The level comes from LOG_LEVEL; every warm, pause, failure and refusal carries its
// conversationId as a field.
import type { CacheWarmerDeps } from "@dispatch/cache-warming";

type Logger = CacheWarmerDeps["logger"];

import { describeIssues } from "@dispatch/ui-contract-schemas";
import pino from "pino";
import pretty from "pino-pretty";
import * as z from "zod";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level: LogLevel;
  /** Human-readable lines instead of JSON. */
  pretty: boolean;
  /** Where lines go (default stdout); tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/** `LOG_FORMAT=json|pretty`; unset means pretty on a terminal, JSON otherwise. */
export const logEnvSchema = z.object({
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
});

export function loggerOptionsFromEnv(
  env: Record<string, string | undefined>,
  isTerminal: boolean,
): LoggerOptions {
  const result = logEnvSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`bad environment: ${describeIssues(result.error, "env")}`);
  }
  const parsed = result.data;
  return {
    level: parsed.LOG_LEVEL,
    pretty: parsed.LOG_FORMAT === undefined ? isTerminal : parsed.LOG_FORMAT === "pretty",
  };
}

/** Log fields that hold epoch-ms (the warmer's `at`, `nextWarmAt`); shown as times when pretty. */
const EPOCH_FIELDS = ["at", "nextWarmAt", "lastWarmAt"] as const;

/** `1764647522017` → `03:32:02` (local time), anything else as it is. */
export function readableTime(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return String(value);
  const date = new Date(value);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The warmer's and transport's Logger shape, written by pino. */
export function createLogger(options: LoggerOptions): Logger & { flush(): void } {
  const destination = options.destination ?? process.stdout;
  // JSON to stdout goes through a buffer written in the background: a line per warm at
  // thousands of warms a second would otherwise cost a write call each, on the event loop.
  // Flushed at exit (pino does it on `exit`; `flush()` before ours).
  // Stryker disable all: stdout's writer is chosen only in a real process (lifecycle.test.ts starts the bundle and reads its lines)
  const buffered =
    options.destination === undefined && !options.pretty
      ? pino.destination({ dest: 1, sync: false })
      : undefined;
  // Stryker restore all
  const stream = options.pretty
    ? pretty({
        destination,
        // Stryker disable next-line BooleanLiteral: only a file descriptor is written async; tests pass a stream, written at once either way
        sync: true,
        // Stryker disable next-line ConditionalExpression: colours need the real terminal, which no test is
        colorize: destination === process.stdout,
        // Wall-clock times a person reads, for the line and for the epoch-ms fields.
        translateTime: "SYS:HH:MM:ss",
        customPrettifiers: Object.fromEntries(EPOCH_FIELDS.map((key) => [key, readableTime])),
      })
    : (buffered ?? destination);
  const log = pino(
    {
      level: options.level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  const write =
    (level: "debug" | "info" | "warn" | "error") =>
    (msg: string, attrs?: Readonly<Record<string, unknown>>) => {
      if (attrs === undefined) log[level](msg);
      else log[level](serializable(attrs), msg);
    };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    // Stryker disable next-line all: only stdout is buffered, which no in-process test writes to; lifecycle.test.ts reads a started bundle's lines up to its exit
    flush: () => (buffered === undefined ? log.flush() : buffered.flushSync()),
  };
}

/** Errors become their message (no stacks or paths in the log of a refused request). */
function serializable(attrs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attrs)) {
    out[key] = value instanceof Error ? value.message : value;
  }
  return out;
}
