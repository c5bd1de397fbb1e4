import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SurfaceServerMessage } from "@dispatch/ui-contract";
import FakeTimers from "@sinonjs/fake-timers";
import { afterEach } from "vitest";
import WebSocket from "ws";
import type { ServerConfig } from "../config.js";
import {
  type Clock,
  ephemeralConfig,
  type ServerOverrides,
  startDispatchServer,
} from "../index.js";

export const START = Date.UTC(2026, 10, 25, 12, 0, 0);
export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function fakeClock(start = START) {
  const clock = FakeTimers.createClock(start);
  // When each timer handed out is due, so a test can stop time at every one (`advance`).
  const due = new Map<number, number>();
  const injected: Clock = {
    now: () => clock.now,
    timers: {
      setTimer: (fn, ms) => {
        const id = Number(
          clock.setTimeout(() => {
            due.delete(id);
            fn();
          }, ms),
        );
        due.set(id, clock.now + Math.max(0, ms));
        return id;
      },
      clearTimer: (id) => {
        due.delete(id);
        clock.clearTimeout(id);
      },
    },
  };
  const nextDue = (): number | null => (due.size === 0 ? null : Math.min(...due.values()));
  return { clock, injected, nextDue };
}

/**
 * Registers an `afterEach` that runs what each test hands it (servers, sockets), newest
 * first; returns the function a test hands them to. Call once at a test file's top level.
 */
export function cleanupAfterEach(): (cleanup: () => Promise<void> | void) => void {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => {
    cleanups.push(cleanup);
  };
}

export async function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "dispatch-e2e-"));
}

/** A real server on ephemeral loopback ports, driven by a fake clock. */
export async function startTestServer(
  config: Partial<ServerConfig> = {},
  overrides: ServerOverrides = {},
  start = START,
) {
  const { clock, injected, nextDue } = fakeClock(start);
  const server = await startDispatchServer(ephemeralConfig(config), {
    clock: injected,
    logger: silentLogger,
    // Fake time jumps minutes in one real instant, faster than any pong: heartbeat tests set
    // their own limits, the others keep it out of the way.
    transportLimits: { heartbeatMs: 7 * 86_400_000, idleMs: 7 * 86_400_000 },
    ...overrides,
  });
  return { clock, server, nextDue };
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** The store's real I/O finished: every write queued so far, and what it let go on. */
async function storeSettled(server: TestServer["server"]): Promise<void> {
  await server.warming.drain();
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Fake time moved on `ms`, stopping at every timer due on the way until the store's real I/O
 * is done: a warm waits for its record to be stored before it is sent, so what a timer starts
 * reaches the provider at the timer's fake time, as it would in real time.
 */
export async function advance(running: TestServer, ms: number): Promise<void> {
  const { clock, server, nextDue } = running;
  const end = clock.now + ms;
  for (let at = nextDue(); at !== null && at <= end; at = nextDue()) {
    await clock.tickAsync(Math.max(0, at - clock.now));
    await storeSettled(server);
  }
  await clock.tickAsync(end - clock.now);
  await storeSettled(server);
}

/** A WebSocket client that queues what it receives, in order. */
export class SurfaceClient {
  private inbox: SurfaceServerMessage[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.inbox.push(JSON.parse(data.toString()) as SurfaceServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<SurfaceClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new SurfaceClient(socket);
      socket.once("open", () => resolve(client));
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Removes and returns the first queued message of this type, waiting for one if needed. */
  async take<T extends SurfaceServerMessage["type"]>(
    type: T,
  ): Promise<Extract<SurfaceServerMessage, { type: T }>> {
    for (;;) {
      const index = this.inbox.findIndex((m) => m.type === type);
      if (index >= 0) {
        return this.inbox.splice(index, 1)[0] as Extract<SurfaceServerMessage, { type: T }>;
      }
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  /**
   * Everything the server sent before now. The server answers messages in order, so once
   * the reply to a throwaway bad message arrives, every earlier push has arrived too.
   */
  async drain(): Promise<SurfaceServerMessage[]> {
    this.send("barrier");
    for (;;) {
      const index = this.inbox.findIndex(
        (m) => m.type === "error" && m.message === "message is not valid JSON",
      );
      if (index >= 0) {
        const before = this.inbox.slice(0, index);
        this.inbox = this.inbox.slice(index + 1);
        return before;
      }
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}

export function postWarm(httpUrl: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${httpUrl}/chat/warm`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}
