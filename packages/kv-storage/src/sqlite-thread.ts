// The main thread's half of the settings database's thread (sqlite-worker.mjs): it starts the
// thread and waits for its open synchronously (nothing is served before the store is open),
// then sends requests and settles each answer's promise, in order. A stalled disk leaves
// answers pending; the event loop stays free.
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";

export type Request =
  | {
      readonly op: "commit";
      readonly writes: ReadonlyArray<readonly [string, string | null]>;
      readonly sync: boolean;
    }
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "keys"; readonly prefix: string };

/** What the thread answers to a commit: whether it was fsync'd, and each write's error. */
export interface CommitAnswer {
  readonly fsynced: boolean;
  readonly errors: ReadonlyArray<string | null> | null;
}

export interface ThreadOptions {
  readonly dbPath: string;
  /** The SQLite driver module the thread loads (driver.ts picks it per runtime). */
  readonly driverPath: string;
  readonly exclusive: boolean;
  readonly legacy:
    | { readonly entries: ReadonlyArray<readonly [string, string]> }
    | { readonly error: string }
    | null;
  /** How long the open and the close may take before they are given up. */
  readonly waitMs: number;
  /** The database's identity (`PRAGMA application_id`), set at the open when it differs. */
  readonly identity: number;
}

/** Why the thread did not open: SQLite's code and words, or the legacy file's problem. */
export class OpenFailure extends Error {
  constructor(
    message: string,
    readonly code: unknown,
    readonly fromLegacyFile: boolean,
  ) {
    super(message);
  }
}

interface Answer {
  readonly id?: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly imported?: boolean;
  readonly code?: unknown;
  readonly message?: string;
  readonly legacyError?: string;
}

export interface SqliteThread {
  /** Whether the open imported the legacy file. */
  readonly imported: boolean;
  request(request: Request): Promise<unknown>;
  /** Sends what is queued, waits (up to `waitMs`) for the thread to close, settles the rest. */
  close(): void;
}

export function startSqliteThread(options: ThreadOptions): SqliteThread {
  const { port1: port, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const handshake = new Int32Array(signal);
  const worker = new Worker(new URL("./sqlite-worker.mjs", import.meta.url), {
    workerData: {
      dbPath: options.dbPath,
      driverPath: options.driverPath,
      exclusive: options.exclusive,
      legacy: options.legacy,
      identity: options.identity,
      port: port2,
      signal,
    },
    transferList: [port2],
  });
  worker.unref();
  let opened: Answer;
  try {
    opened = waitFor(port, handshake, 0, options.waitMs, "open");
  } catch (error) {
    void worker.terminate();
    throw error;
  }
  if (!opened.ok) {
    port.close();
    void worker.terminate();
    if (opened.legacyError !== undefined)
      throw new OpenFailure(opened.legacyError, undefined, true);
    throw new OpenFailure(String(opened.message), opened.code, false);
  }
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  let stopped: Error | null = null;
  const settle = (answer: Answer) => {
    const id = answer.id as number; // every answer after the open carries its request's id
    const waiting = pending.get(id);
    if (waiting === undefined) return;
    pending.delete(id);
    // Only a pending request keeps the process alive: an idle store lets it exit.
    if (pending.size === 0) port.unref();
    if (answer.ok) waiting.resolve(answer.value);
    else waiting.reject(new Error(answer.message));
  };
  const stop = (error: Error) => {
    stopped ??= error;
    for (const waiting of pending.values()) waiting.reject(stopped);
    pending.clear();
    port.unref();
  };
  port.on("message", settle);
  port.unref();
  worker.on("error", (error) =>
    stop(new Error(`the settings database's thread failed: ${error.message}`)),
  );
  worker.on("exit", (code) =>
    stop(new Error(`the settings database's thread stopped (exit code ${code})`)),
  );
  return {
    imported: opened.imported === true,
    request(request) {
      if (stopped !== null) return Promise.reject(stopped);
      // Stryker disable next-line UpdateOperator: ids only need to differ, counting down does too
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (pending.size === 1) port.ref();
        port.postMessage({ ...request, id });
      });
    },
    close() {
      if (stopped !== null) return;
      const seen = Atomics.load(handshake, 0);
      // Stryker disable next-line UpdateOperator: ids only need to differ, counting down does too
      port.postMessage({ op: "close", id: nextId++ });
      Atomics.wait(handshake, 0, seen, options.waitMs);
      for (
        let answer = receiveMessageOnPort(port);
        answer !== undefined;
        answer = receiveMessageOnPort(port)
      ) {
        settle(answer.message as Answer);
      }
      stop(new Error("the settings database is closed"));
      port.close();
      void worker.terminate();
    },
  };
}

/** Blocks until the thread has signalled past `seen`, then reads its answer. */
function waitFor(
  port: MessagePort,
  handshake: Int32Array,
  seen: number,
  waitMs: number,
  what: string,
): Answer {
  if (Atomics.wait(handshake, 0, seen, waitMs) === "timed-out") {
    throw new OpenFailure(`its ${what} did not finish within ${waitMs / 1000} s`, undefined, false);
  }
  const answer = receiveMessageOnPort(port);
  // Stryker disable all: the thread posts its answer before it wakes this one; a guard for one that does not
  if (answer === undefined)
    throw new OpenFailure(`its thread stopped during the ${what}`, undefined, false);
  // Stryker restore all
  return answer.message as Answer;
}
