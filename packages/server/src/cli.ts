// `pnpm dispatch-cw`: a command-line client for people. Settings go over the surface
// WebSocket (the frontend's path), warms and state over HTTP.
import { TIMER_RENDERER_ID } from "@dispatch/cache-warming";
import { WARM_POLICIES } from "@dispatch/cache-warming-extras";
import type {
  CacheWarmingTimerPayload,
  SurfaceServerMessage,
  SurfaceSpec,
} from "@dispatch/ui-contract";
import { conversationIdSchema } from "@dispatch/ui-contract-schemas";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import WebSocket from "ws";

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Where the server's address defaults come from (PORT, WS_PORT, HOST, DISPATCH_SERVER…). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Epoch-ms, for the countdown. */
  now(): number;
  /** Ends `watch` (Ctrl-C in the real entry, the test's end in tests). */
  signal?: AbortSignal;
  /** The terminal's width, which help text wraps to (80 when unknown, as in tests and docs). */
  columns?: number;
  /**
   * Rewrites the terminal's last line (stdout is a terminal): `watch` keeps a live status line
   * there, its countdown redrawn every second. Absent when piped: plain lines only.
   */
  live?(line: string): void;
  /** Waits `ms` (a warm refused for its rate limit waits its Retry-After). Default: real time. */
  sleep?(ms: number): Promise<void>;
}

/** 0 done, 1 the server refused or is unreachable, 2 bad usage. */
export type ExitCode = 0 | 1 | 2;

const SURFACE = "cache-warming";
export const CLI_VERSION = "0.1.0";

class Refused extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the server answered one. */
    readonly status: number | null = null,
    /** Its Retry-After, in seconds, when it sent one. */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}
/** The server is not there: the message names the address and what to do. */
class Unreachable extends Error {}

/**
 * The server's two addresses: `--server` (or `--http`) and `--ws` when given, else
 * `DISPATCH_SERVER` / `DISPATCH_WS`, else what the server itself reads (`HOST`, `PORT`,
 * `WS_PORT`), else its defaults. The WebSocket is on the HTTP address's host.
 */
export function serverAddresses(
  options: { readonly server?: string; readonly http?: string; readonly ws?: string },
  env: Readonly<Record<string, string | undefined>> = {},
): { readonly http: string; readonly ws: string } {
  const bindHost = env.HOST && env.HOST !== "0.0.0.0" && env.HOST !== "::" ? env.HOST : "127.0.0.1";
  const hostPart = bindHost.includes(":") ? `[${bindHost}]` : bindHost;
  const given = options.server ?? options.http ?? env.DISPATCH_SERVER;
  const http = (given ?? `http://${hostPart}:${env.PORT || 24203}`).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(http);
  } catch {
    throw new InvalidArgumentError(
      `the server address must be a URL like http://127.0.0.1:24203, not "${http}"`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidArgumentError(`the server address must be http(s)://…, not "${http}"`);
  }
  const ws = (
    options.ws ??
    env.DISPATCH_WS ??
    `ws://${url.hostname}:${env.WS_PORT || 24205}`
  ).replace(/\/+$/, "");
  return { http, ws };
}

/** Fetches JSON from the server; every way it can fail says the address and what to do. */
async function requestJson(url: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const origin = new URL(url).origin;
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Unreachable(
      `cannot reach the server at ${origin} (${cause?.code ?? cause?.message ?? String(error)}): ` +
        "is it running? Start it with `pnpm start`, or give its address with --server or DISPATCH_SERVER",
    );
  }
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    const hint =
      res.status === 426
        ? ": that is its WebSocket port; --server takes the HTTP port (24203)"
        : "";
    throw new Refused(
      `${origin} answered ${res.status}, not like a Dispatch cache-warming server${hint}`,
    );
  }
  if (res.status === 404 && new URL(url).pathname.startsWith("/dev/")) {
    throw new Refused("404: the dev routes are off; start the server with DISPATCH_DEV_ROUTES=1");
  }
  if (!res.ok) {
    const retryAfter = Number(res.headers.get("retry-after") ?? Number.NaN);
    throw new Refused(
      `${res.status}: ${String(body.error)}`,
      res.status,
      Number.isFinite(retryAfter) ? retryAfter : null,
    );
  }
  return body;
}

function conversationId(value: string): string {
  const parsed = conversationIdSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidArgumentError(`conversation id ${parsed.error.issues[0]?.message}`);
  }
  return value;
}

function wholeNumber(min: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  };
}

/** The timer payload the server sends (the core's keys and the extras'). */
type ServedTimer = CacheWarmingTimerPayload;

function timerOf(spec: SurfaceSpec): ServedTimer | null {
  const field = spec.fields.find((f) => f.kind === "custom" && f.rendererId === TIMER_RENDERER_ID);
  return field?.kind === "custom" ? (field.payload as ServedTimer) : null;
}

function countdown(ms: number): string {
  // Rounded up, as countdowns are: a warm due in 239.9 s shows 4:00, not 3:59.
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * One line per change: enabled, interval, countdown, last %, status. `elapsedMs`: how long ago
 * the spec arrived, so a live line counts down from what the server said then.
 */
export function describeLine(id: string, spec: SurfaceSpec, now: number, elapsedMs = 0): string {
  const toggle = spec.fields.find((f) => f.kind === "toggle");
  const interval = spec.fields.find((f) => f.kind === "number");
  const last = spec.fields.find((f) => f.kind === "stat" && f.label === "Last Cache %");
  const timer = timerOf(spec);
  const parts = [
    id,
    toggle?.kind === "toggle" && toggle.value ? "on" : "off",
    `every ${interval?.kind === "number" ? interval.value : "?"}s`,
    timer?.nextWarmAt != null && timer.serverNow !== undefined
      ? `next in ${countdown(timer.nextWarmAt - timer.serverNow - elapsedMs)}`
      : "next —",
    `last ${last?.kind === "stat" ? last.value : "—"}`,
    timer?.state ? `${timer.state}${timer.reason ? ` (${timer.reason})` : ""}` : "",
    timer?.lastFailure ? `failed: ${timer.lastFailure.message}` : "",
    typeof timer?.ledger?.spentUsd === "number" && timer.ledger.warms > 0
      ? `spent $${timer.ledger.spentUsd.toFixed(4)} saved $${(timer.ledger.savedUsd ?? 0).toFixed(4)}`
      : "",
  ];
  return `${new Date(now).toISOString().slice(11, 19)}  ${parts.filter(Boolean).join("  ")}`;
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once("open", () => resolve(socket));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Unreachable(
          `cannot reach the surface WebSocket at ${url} (${error.code ?? error.message}): ` +
            "is the server running? Give its address with --ws or DISPATCH_WS",
        ),
      ),
    );
    socket.once("unexpected-response", (_req, res) =>
      reject(new Refused(`${url} refused the WebSocket (${res.statusCode})`)),
    );
  });
}

/** Invokes one action and waits for its update (done) or an error (refused). */
async function invoke(
  ws: string,
  id: string,
  actionId: string,
  payload?: unknown,
): Promise<SurfaceSpec> {
  const socket = await openSocket(ws);
  try {
    return await new Promise<SurfaceSpec>((resolve, reject) => {
      const timeout = setTimeout(
        () => reject(new Refused("no answer from the server within 5 s")),
        5_000,
      );
      // The refusal the spec showed before this call: a different one after it is this call's.
      let refusalBefore = "";
      const refusalOf = (spec: SurfaceSpec) => timerOf(spec)?.lastRefusal ?? null;
      socket.on("message", (data) => {
        const message = JSON.parse(data.toString()) as SurfaceServerMessage;
        if (message.type === "surface") {
          refusalBefore = JSON.stringify(refusalOf(message.spec));
          socket.send(
            JSON.stringify({
              type: "invoke",
              surfaceId: SURFACE,
              conversationId: id,
              actionId,
              payload,
            }),
          );
        } else if (message.type === "update" && message.update.conversationId === id) {
          clearTimeout(timeout);
          const refusal = refusalOf(message.update.spec);
          if (refusal !== null && JSON.stringify(refusal) !== refusalBefore) {
            reject(new Refused(refusal.message));
          } else {
            resolve(message.update.spec);
          }
        } else if (message.type === "error") {
          clearTimeout(timeout);
          reject(new Refused(message.message));
        }
      });
      socket.send(JSON.stringify({ type: "subscribe", surfaceId: SURFACE, conversationId: id }));
    });
  } finally {
    socket.close();
  }
}

/** POSTs JSON; a non-200 answer becomes a refusal carrying its status and message. */
function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  return requestJson(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/**
 * In a terminal, the bottom line counts down live: each conversation's last spec, its countdown
 * redrawn whenever its shown second changes (ceil of what is left, so no second is skipped).
 */
function liveStatus(io: CliIo, ids: readonly string[]) {
  const latest = new Map<string, { spec: SurfaceSpec; at: number }>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  function draw(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const now = io.now();
    let nextChangeMs = Number.POSITIVE_INFINITY;
    const parts = ids.map((id) => {
      const seen = latest.get(id);
      if (seen === undefined) return `${id} …`;
      const t = timerOf(seen.spec);
      if (t?.nextWarmAt != null && t.serverNow !== undefined) {
        const left = t.nextWarmAt - t.serverNow - (now - seen.at);
        if (left > 0) nextChangeMs = Math.min(nextChangeMs, left % 1000 || 1000);
      }
      return describeLine(id, seen.spec, now, now - seen.at).slice(10);
    });
    io.live?.(parts.join("  |  "));
    if (Number.isFinite(nextChangeMs)) timer = setTimeout(draw, nextChangeMs);
  }
  return {
    seen(id: string, spec: SurfaceSpec): void {
      latest.set(id, { spec, at: io.now() });
      draw();
    },
    stop(): void {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Subscribes to every id, prints a line per change, and reconnects when the server restarts. */
async function watch(ws: string, ids: string[], io: CliIo): Promise<void> {
  let everConnected = false;
  let waitMs = 250;
  const live = io.live === undefined ? null : liveStatus(io, ids);
  const show = (id: string, spec: SurfaceSpec) => {
    io.out(describeLine(id, spec, io.now()));
    live?.seen(id, spec);
  };
  try {
    while (!io.signal?.aborted) {
      let socket: WebSocket;
      try {
        socket = await openSocket(ws);
      } catch (error) {
        if (!(error instanceof Unreachable)) throw error;
        // Down (not yet started, or restarting): try again, less often the longer it takes.
        if (waitMs === 250) io.err(`waiting for the server at ${ws}…`);
        await sleep(waitMs, io.signal);
        waitMs = Math.min(waitMs * 2, 8_000);
        continue;
      }
      waitMs = 250;
      io.out(everConnected ? `reconnected to ${ws}` : `watching ${ids.join(", ")} on ${ws}`);
      everConnected = true;
      await new Promise<void>((resolve) => {
        const stop = () => socket.close();
        io.signal?.addEventListener("abort", stop, { once: true });
        socket.on("message", (data) => {
          const message = JSON.parse(data.toString()) as SurfaceServerMessage;
          if (message.type === "surface" && message.conversationId) {
            show(message.conversationId, message.spec);
          } else if (message.type === "update" && message.update.conversationId) {
            show(message.update.conversationId, message.update.spec);
          } else if (message.type === "error") {
            io.err(`error: ${message.message}`);
          }
        });
        socket.once("close", () => {
          io.signal?.removeEventListener("abort", stop);
          resolve();
        });
        for (const id of ids) {
          socket.send(
            JSON.stringify({ type: "subscribe", surfaceId: SURFACE, conversationId: id }),
          );
        }
      });
      if (!io.signal?.aborted) io.err(`lost ${ws}; reconnecting…`);
    }
  } finally {
    live?.stop();
  }
}

/** Waits `ms`, or less when `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function program(io: CliIo, run: (task: () => Promise<void>) => void): Command {
  const cli = new Command("dispatch-cw")
    .description("Watch and control cache warming on a running Dispatch cache-warming server.")
    .version(CLI_VERSION, "--version", "print the version")
    .option(
      "--server <url>",
      "the server's HTTP address (default: $DISPATCH_SERVER, else http://$HOST:$PORT, else http://127.0.0.1:24203)",
    )
    // Stryker disable next-line StringLiteral: a hidden option's description is never shown
    .addOption(new Option("--http <url>", "same as --server").hideHelp())
    .option(
      "--ws <url>",
      "the surface WebSocket (default: $DISPATCH_WS, else the server's host on $WS_PORT, else 24205)",
    )
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      "after",
      "\nExit codes: 0 done; 1 the server refused the request or could not be reached (the message names the address); 2 bad arguments.",
    )
    // A usage mistake: its one line, then where the usage is (not the whole help).
    .showHelpAfterError("see dispatch-cw --help")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
      getOutHelpWidth: () => io.columns ?? 80,
      getErrHelpWidth: () => io.columns ?? 80,
    });
  const urls = () =>
    serverAddresses(cli.opts<{ server?: string; http?: string; ws?: string }>(), io.env);
  const printSpec = (id: string) => (spec: SurfaceSpec) => io.out(describeLine(id, spec, io.now()));

  cli
    .command("watch")
    .description("print a line whenever a conversation changes; reconnects after a restart")
    .argument("<ids...>", "conversation ids", (value, previous: string[] = []) => [
      ...previous,
      conversationId(value),
    ])
    .action((ids: string[]) => run(() => watch(urls().ws, ids, io)));
  cli
    .command("status")
    .description("one conversation's state, as the surface shows it")
    .argument("<id>", "conversation id", conversationId)
    .option("--json", "print the server's JSON")
    .action((id: string, options: { json?: boolean }) =>
      run(async () => {
        const body = await requestJson(`${urls().http}/cache-warming/${encodeURIComponent(id)}`);
        if (options.json) return io.out(JSON.stringify(body, null, 2));
        const next =
          typeof body.nextWarmAt === "number" ? new Date(body.nextWarmAt).toISOString() : "—";
        io.out(
          `${id}: warming ${body.enabled ? "on" : "off"}, every ${Number(body.intervalMs) / 1000}s, ` +
            `${body.schedule}; next warm ${next}; last ${typeof body.lastPct === "number" ? `${body.lastPct}%` : "—"}; model ${body.model ?? "default"}`,
        );
      }),
    );
  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    cli
      .command(name)
      .description(`${name} warming for a conversation`)
      .argument("<id>", "conversation id", conversationId)
      .action((id: string) =>
        run(async () =>
          printSpec(id)(await invoke(urls().ws, id, "cache-warming/toggle", enabled)),
        ),
      );
  }
  cli
    .command("interval")
    .description("set the warm interval, in seconds")
    .argument("<id>", "conversation id", conversationId)
    .argument("<seconds>", "seconds between warms", wholeNumber(1))
    .action((id: string, seconds: number) =>
      run(async () =>
        printSpec(id)(await invoke(urls().ws, id, "cache-warming/set-interval", seconds)),
      ),
    );
  cli
    .command("warm")
    .description("warm now (restarts the countdown)")
    .argument("<id>", "conversation id", conversationId)
    .option("--model <name>", "the model to warm (kept for later warms)")
    .option("--cwd <dir>", "the working directory of the conversation")
    .action((id: string, options: { model?: string; cwd?: string }) =>
      run(async () => {
        const url = `${urls().http}/chat/warm`;
        const request = { conversationId: id, ...options };
        const body = await postJson(url, request).catch(async (error: unknown) => {
          // Manual warms are rate-limited (one a second by default): wait once, as a person would.
          if (!(error instanceof Refused) || error.status !== 429) throw error;
          const waitS = Math.min(10, error.retryAfterS ?? 1);
          io.err(`${error.message.slice(5)}; retrying in ${waitS} s`);
          await (io.sleep ?? sleep)(waitS * 1000);
          return postJson(url, request);
        });
        const next =
          typeof body.nextWarmAt === "number" ? new Date(body.nextWarmAt).toISOString() : "—";
        io.out(`${id}: warmed, ${body.cachePct}% read from the cache; next automatic warm ${next}`);
      }),
    );
  cli
    .command("limits")
    .description("set the spend guard (0 = off)")
    .argument("<id>", "conversation id", conversationId)
    .option("--idle-cap <n>", "automatic warms allowed without a turn", wholeNumber(0))
    .option("--dead-limit <n>", "warms in a row that read nothing before pausing", wholeNumber(0))
    .addOption(
      new Option(
        "--policy <policy>",
        "fixed: every interval; break-even: while it pays; adaptive (the default): stop where the history says, within 2x the best possible",
      ).choices(WARM_POLICIES),
    )
    .action((id: string, options: { idleCap?: number; deadLimit?: number; policy?: string }) =>
      run(async () => {
        const { idleCap, deadLimit, policy } = options;
        if (idleCap === undefined && deadLimit === undefined && policy === undefined) {
          throw new CommanderError(
            2,
            // Stryker disable next-line StringLiteral: commander's error code, never shown
            "dispatch-cw.usage",
            "give --idle-cap, --dead-limit and/or --policy",
          );
        }
        // Stryker disable ConditionalExpression: a key set to undefined is left out of the JSON sent, as if it were absent
        const payload = {
          ...(idleCap === undefined ? {} : { idleWarmCap: idleCap }),
          ...(deadLimit === undefined ? {} : { deadWarmLimit: deadLimit }),
          ...(policy === undefined ? {} : { policy }),
        };
        // Stryker restore ConditionalExpression
        printSpec(id)(await invoke(urls().ws, id, "cache-warming/set-spend-limits", payload));
      }),
    );
  cli
    .command("turn")
    .description("dev: start or settle a simulated turn (server with DISPATCH_DEV_ROUTES=1)")
    .argument("<id>", "conversation id", conversationId)
    .argument("<phase>", "started or settled", (value: string) => {
      if (value !== "started" && value !== "settled")
        throw new InvalidArgumentError("started or settled");
      return value;
    })
    .option("--model <name>", "the turn's model")
    .option("--cwd <dir>", "the turn's working directory")
    .action((id: string, phase: string, options: { model?: string; cwd?: string }) =>
      run(async () => {
        await postJson(`${urls().http}/dev/turn`, {
          conversationId: id,
          phase,
          ...options,
        });
        io.out(`${id}: turn ${phase}`);
      }),
    );
  cli
    .command("history")
    .description("dev: say whether a conversation has history (none: its warms answer 409)")
    .argument("<id>", "conversation id", conversationId)
    .argument("<state>", "present or none", (value: string) => {
      if (value !== "present" && value !== "none")
        throw new InvalidArgumentError("present or none");
      return value;
    })
    .action((id: string, state: string) =>
      run(async () => {
        await postJson(`${urls().http}/dev/history`, {
          conversationId: id,
          present: state === "present",
        });
        io.out(`${id}: history ${state}`);
      }),
    );
  for (const command of cli.commands) {
    command.showHelpAfterError(`see dispatch-cw ${command.name()} --help`);
  }
  return cli;
}

/** The global options that take a value; what is left after them must name a command. */
const VALUED_OPTIONS = new Set(["--server", "--http", "--ws"]);

function namesACommand(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (VALUED_OPTIONS.has(arg)) i += 1;
    else if (!arg.includes("=") || !VALUED_OPTIONS.has(arg.split("=")[0] as string)) return true;
  }
  return false;
}

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  if (!namesACommand(argv)) {
    io.err("error: give a command, such as status, enable, warm or watch");
    io.err("see dispatch-cw --help");
    return 2;
  }
  let task: (() => Promise<void>) | null = null;
  const cli = program(io, (next) => {
    task = next;
  });
  try {
    cli.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
  // Stryker disable all: commander answers a missing command with its help (a CommanderError above); this guards a command without an action
  if (task === null) {
    io.err("give a command; see dispatch-cw --help");
    return 2;
  }
  // Stryker restore all
  try {
    await (task as () => Promise<void>)();
    return 0;
  } catch (error) {
    // Mistakes found once the command runs (an option combination, a bad address): the same
    // one line and pointer as commander's own.
    if (error instanceof CommanderError || error instanceof InvalidArgumentError) {
      io.err(`error: ${error.message}`);
      io.err("see dispatch-cw --help");
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(error instanceof Unreachable ? message : `refused: ${message}`);
    return 1;
  }
}
