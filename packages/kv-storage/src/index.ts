import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { DRIVER_PATH } from "./driver-path.js";
import { checkIdentity, readWal, recordIdentity, walDamage } from "./on-disk.js";

export { walDamage };

import { createReadCache } from "./read-cache.js";
import {
  type CommitAnswer,
  OpenFailure,
  type Request,
  type SqliteThread,
  startSqliteThread,
} from "./sqlite-thread.js";

/** Key/value storage shaped like upstream's kernel `StorageNamespace`. */
export interface KeyValueStorage {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  has(key: string): Promise<boolean>;
  /** Every key, or those starting with `prefix`. */
  keys(prefix?: string): Promise<readonly string[]>;
}

export interface ClosableStorage extends KeyValueStorage {
  close(): void;
  /** Transactions committed so far (a batch of writes is one). */
  commits(): number;
  /** Of those, the ones flushed to the disk itself (fsync) before they were acknowledged. */
  syncedCommits(): number;
}

export function createMemoryStorage(initial: Record<string, string> = {}): KeyValueStorage {
  const data = new Map(Object.entries(initial));
  return {
    async get(key) {
      return data.get(key) ?? null;
    },
    async set(key, value) {
      data.set(key, value);
    },
    async delete(key) {
      data.delete(key);
    },
    async has(key) {
      return data.has(key);
    },
    async keys(prefix) {
      return [...data.keys()].filter((key) => prefix === undefined || key.startsWith(prefix));
    },
  };
}

/**
 * Keys for which `isDefault(key, value)` holds are deleted instead of stored: reading nothing
 * gives the same default, so a store holds only what differs from it.
 */
export function withoutDefaults<S extends KeyValueStorage>(
  storage: S,
  isDefault: (key: string, value: string) => boolean,
): S {
  return {
    ...storage,
    set: (key: string, value: string) =>
      isDefault(key, value) ? storage.delete(key) : storage.set(key, value),
  };
}

export interface SqliteStorageOptions {
  /**
   * Hold the database for this process alone (SQLite's exclusive locking mode): a second
   * server on the same file refuses to start, naming the holder's pid. The kernel drops the
   * lock with the process, so a `kill -9` leaves nothing stale. Default true.
   */
  exclusive?: boolean;
  /**
   * A `settings.json` written by this package's earlier file store: imported once into an
   * empty database, then renamed to `settings.json.imported`.
   */
  legacyJsonPath?: string;
  /**
   * Which keys must reach the disk itself before their write is acknowledged (`fsync`,
   * SQLite's `synchronous=FULL`). A batch without one is committed with `synchronous=NORMAL`:
   * written to the WAL file before it is acknowledged, so a process crash (`kill -9`) loses
   * none of it, but not flushed, so a power loss may lose it until the next synced commit or
   * checkpoint. Default: every key.
   */
  durable?: (key: string) => boolean;
  /** The SQLite driver module the store's thread loads. Default: the one this runtime runs. */
  driverPath?: string;
  /** How long opening and closing may wait for the store's thread. Default 60 s. */
  waitMs?: number;
  /**
   * How many keys' values are kept in memory to answer reads without asking the database's
   * thread (the least recently used leave first). Default 10 000; none when not exclusive.
   */
  cachedKeys?: number;
}

/**
 * Storage in an SQLite database (one key/value table, WAL), run on a thread of its own: a disk
 * that stalls delays the writes waiting on it, not the event loop. Writes asked for in one turn
 * of the event loop are committed together, in one transaction; each `set` or `delete`
 * resolves once its transaction is committed (and synced, when it holds a `durable` key), and
 * one that fails rejects and leaves nothing behind, in memory or on disk. Reads see every
 * write asked for before them. Opening and closing wait for the thread (up to `waitMs`).
 */
export function openSqliteStorage(
  dbPath: string,
  options: SqliteStorageOptions = {},
): ClosableStorage {
  const pidPath = `${dbPath}.pid`;
  // Before SQLite reads it: its recovery would drop what follows a damaged frame, silently.
  const wal = readWal(`${dbPath}-wal`);
  if (wal?.damage != null) {
    throw new Error(
      `the settings database's write-ahead log ${dbPath}-wal is damaged (${wal.damage}): starting would drop changes saved after it; restore a backup, or move the -wal file away to start from the state before it`,
    );
  }
  // Before SQLite reads them: it would replay another database's WAL, or start an empty file.
  const identity = checkIdentity(dbPath, wal);
  if (!identity.ok) throw new Error(`cannot open the settings database: ${identity.reason}`);
  const cannotOpen = (error: unknown) =>
    new Error(`cannot open the settings database ${dbPath}: ${messageOf(error)}`);
  try {
    makeDirectory(dirname(dbPath));
  } catch (error) {
    throw cannotOpen(error);
  }
  const exclusive = options.exclusive !== false;
  const legacyPath = options.legacyJsonPath;
  let thread: SqliteThread;
  try {
    thread = startSqliteThread({
      dbPath,
      driverPath: options.driverPath ?? DRIVER_PATH,
      exclusive,
      legacy: legacyPath === undefined ? null : readLegacyJson(legacyPath),
      identity: identity.identity,
      waitMs: options.waitMs ?? 60_000,
    });
  } catch (error) {
    if (!(error instanceof OpenFailure)) throw error;
    if (error.fromLegacyFile) throw new Error(error.message);
    if (error.code === "SQLITE_BUSY") {
      throw new Error(`${dbPath} is in use by another server${holderOf(pidPath)}; stop it first`);
    }
    throw cannotOpen(error);
  }
  // Recorded once the database holds it: a crash between the two finds it in the database.
  if (identity.toRecord) recordIdentity(dbPath, identity.identity);
  if (legacyPath !== undefined && thread.imported) renameSync(legacyPath, `${legacyPath}.imported`);
  if (exclusive) writeFileSync(pidPath, `${process.pid}\n`);
  // Group commit: the writes asked for in one turn of the event loop go to disk in one
  // transaction (one fsync, when it holds a durable key), and each promise resolves only once
  // that transaction is committed.
  interface Write {
    readonly key: string;
    readonly value: string | null;
    readonly done: (error?: unknown) => void;
  }
  let batch: Write[] = [];
  let closed = false;
  // Only this process writes an exclusively held database, so what it read or wrote last is
  // what is stored.
  const cache = createReadCache(exclusive ? (options.cachedKeys ?? 10_000) : 0);
  const durable = options.durable ?? (() => true);
  let commits = 0;
  let syncedCommits = 0;
  const failure = (write: Write, message: string) =>
    new Error(
      `settings database ${write.value === null ? "delete" : "write"} of "${write.key}" failed: ${message}`,
    );
  function flush(): void {
    const writes = batch;
    batch = [];
    if (writes.length === 0) return;
    const committed = thread.request({
      op: "commit",
      writes: writes.map((write) => [write.key, write.value] as const),
      sync: writes.some((write) => durable(write.key)),
    }) as Promise<CommitAnswer>;
    committed.then(
      (answer) => {
        commits += 1;
        if (answer.fsynced) syncedCommits += 1;
        writes.forEach((write, index) => {
          const error = answer.errors?.[index] ?? null;
          cache.written(write.key, write.value, error === null);
          write.done(error === null ? undefined : failure(write, error));
        });
      },
      (error: unknown) => {
        for (const write of writes) {
          cache.written(write.key, write.value, false);
          write.done(failure(write, messageOf(error)));
        }
      },
    );
  }
  const enqueue = (key: string, value: string | null) =>
    new Promise<void>((resolve, reject) => {
      if (batch.length === 0) setImmediate(flush);
      cache.writing(key);
      batch.push({
        key,
        value,
        done: (error) => (error === undefined ? resolve() : reject(error)),
      });
    });
  const read = (request: Request) => {
    flush();
    return thread.request(request);
  };
  const get = async (key: string) => {
    // A closed store answers nothing, remembered or not.
    const hit = closed ? undefined : cache.lookup(key);
    if (hit !== undefined) return hit.value;
    const value = (await read({ op: "get", key })) as string | null;
    cache.read(key, value);
    return value;
  };
  return {
    get,
    set(key, value) {
      return enqueue(key, value);
    },
    delete(key) {
      return enqueue(key, null);
    },
    async has(key) {
      return (await get(key)) !== null;
    },
    async keys(prefix = "") {
      return (await read({ op: "keys", prefix })) as string[];
    },
    close() {
      closed = true;
      flush();
      thread.close(); // a second close is nothing
    },
    commits: () => commits,
    syncedCommits: () => syncedCommits,
  };
}

/** " (pid 123)" from the holder's pid file, or "" when it cannot be read. */
function holderOf(pidPath: string): string {
  try {
    const pid = Number.parseInt(readFileSync(pidPath, "utf8"), 10);
    return Number.isInteger(pid) ? ` (pid ${pid})` : "";
  } catch {
    return "";
  }
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdirSync never returns for a path under
 * a filesystem that refuses directories (`/proc/nope` spins at 100 % CPU).
 */
export function makeDirectory(dir: string, depth = 0): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if (statSync(dir).isDirectory()) return;
      throw new Error(`${dir} exists and is not a directory`);
    }
    if (code !== "ENOENT" || depth > 64 || dirname(dir) === dir) throw error;
    makeDirectory(dirname(dir), depth + 1);
    mkdirSync(dir);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The earlier JSON store's entries, read before the database opens (the thread imports them
 * into an empty database), and removal of the temp files it could leave. `null`: no file.
 * A file that is not a JSON object is an `error`, which matters only if the database is empty.
 */
function readLegacyJson(
  jsonPath: string,
): { entries: Array<[string, string]> } | { error: string } | null {
  const dir = dirname(jsonPath);
  const name = basename(jsonPath);
  let leftovers: string[] = [];
  try {
    leftovers = readdirSync(dir).filter(
      (file) => file.startsWith(`${name}.`) && file.endsWith(".tmp"),
    );
  } catch {
    return null; // no folder: nothing to import
  }
  for (const file of leftovers) rmSync(join(dir, file), { force: true });
  let text: string;
  try {
    text = readFileSync(jsonPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`cannot read ${jsonPath}: ${messageOf(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: `${jsonPath} is not valid JSON (${messageOf(error)}); fix or remove it` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { error: `${jsonPath} is not a JSON object of strings; fix or remove it` };
  }
  return {
    entries: Object.entries(parsed).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  };
}
