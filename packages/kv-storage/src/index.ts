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
import { Database } from "./driver.js";

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
}

/**
 * Storage in an SQLite database (one key/value table, WAL). Writes asked for in one turn of
 * the event loop are committed together, in one transaction; each `set` or `delete` resolves
 * once its transaction is committed (and synced, when it holds a `durable` key), and one that
 * fails rejects and leaves nothing behind, in memory or on disk. Calls are synchronous
 * underneath (better-sqlite3).
 */
export function openSqliteStorage(
  dbPath: string,
  options: SqliteStorageOptions = {},
): ClosableStorage {
  const pidPath = `${dbPath}.pid`;
  // Before SQLite reads it: its recovery would drop what follows a damaged frame, silently.
  const damage = walDamage(`${dbPath}-wal`);
  if (damage !== null) {
    throw new Error(
      `the settings database's write-ahead log ${dbPath}-wal is damaged (${damage}): starting would drop changes saved after it; restore a backup, or move the -wal file away to start from the state before it`,
    );
  }
  let db: Database;
  try {
    makeDirectory(dirname(dbPath));
    // No waiting on a lock: a database another server holds is refused at once.
    db = new Database(dbPath, { timeout: 0 });
  } catch (error) {
    throw new Error(`cannot open the settings database ${dbPath}: ${messageOf(error)}`);
  }
  try {
    if (options.exclusive !== false) db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(
      "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    );
    // Takes the exclusive lock now rather than at the first write.
    db.exec("BEGIN EXCLUSIVE; COMMIT");
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") {
      throw new Error(`it is damaged (${String(check)}); restore a backup or move it away`);
    }
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === "SQLITE_BUSY") {
      throw new Error(`${dbPath} is in use by another server${holderOf(pidPath)}; stop it first`);
    }
    throw new Error(`cannot open the settings database ${dbPath}: ${messageOf(error)}`);
  }
  if (options.exclusive !== false) writeFileSync(pidPath, `${process.pid}\n`);
  const statements = {
    get: db.prepare<[string], { value: string }>("SELECT value FROM kv WHERE key = ?"),
    set: db.prepare<[string, string]>(
      "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ),
    delete: db.prepare<[string]>("DELETE FROM kv WHERE key = ?"),
    // `>= prefix AND < prefix + U+FFFF` finds a prefix with the index, without LIKE's escapes.
    keys: db.prepare<[string, string], { key: string }>(
      "SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key",
    ),
  };
  if (options.legacyJsonPath !== undefined) {
    importLegacyJson(options.legacyJsonPath, db, (key, value) => statements.set.run(key, value));
  }
  // Group commit: the writes asked for in one turn of the event loop go to disk in one
  // transaction (one fsync, when it holds a durable key), and each promise resolves only once
  // that transaction is committed.
  // A write the database refuses fails alone: the batch is retried one write at a time.
  interface Write {
    readonly key: string;
    readonly value: string | null;
    readonly done: (error?: unknown) => void;
  }
  let batch: Write[] = [];
  const run = (write: Write) => {
    if (write.value === null) statements.delete.run(write.key);
    else statements.set.run(write.key, write.value);
  };
  const durable = options.durable ?? (() => true);
  let synced = true; // synchronous = FULL, as set above
  const syncFor = (writes: readonly Write[]) => {
    const wanted = writes.some((write) => durable(write.key));
    if (wanted !== synced) db.pragma(`synchronous = ${wanted ? "FULL" : "NORMAL"}`);
    synced = wanted;
  };
  let commits = 0;
  let syncedCommits = 0;
  const commitAll = db.transaction((writes: Write[]) => {
    commits += 1;
    // Read back from SQLite: the count says what the connection really does (2 = FULL).
    if (db.pragma("synchronous", { simple: true }) === 2) syncedCommits += 1;
    for (const write of writes) run(write);
  });
  const failure = (write: Write, error: unknown) =>
    new Error(
      `settings database ${write.value === null ? "delete" : "write"} of "${write.key}" failed: ${messageOf(error)}`,
    );
  function flush(): void {
    const writes = batch;
    batch = [];
    if (writes.length === 0) return;
    syncFor(writes);
    try {
      commitAll(writes);
      for (const write of writes) write.done();
    } catch {
      for (const write of writes) {
        try {
          run(write);
          write.done();
        } catch (error) {
          write.done(failure(write, error));
        }
      }
    }
  }
  const enqueue = (key: string, value: string | null) =>
    new Promise<void>((resolve, reject) => {
      if (batch.length === 0) setImmediate(flush);
      batch.push({
        key,
        value,
        done: (error) => (error === undefined ? resolve() : reject(error)),
      });
    });
  return {
    // Reads see every write asked for before them.
    async get(key) {
      flush();
      return statements.get.get(key)?.value ?? null;
    },
    set(key, value) {
      return enqueue(key, value);
    },
    delete(key) {
      return enqueue(key, null);
    },
    async has(key) {
      flush();
      return statements.get.get(key) !== undefined;
    },
    async keys(prefix = "") {
      flush();
      return statements.keys.all(prefix, `${prefix}\uffff`).map((row) => row.key);
    },
    close() {
      flush();
      db.close(); // a second close is nothing
    },
    commits: () => commits,
    syncedCommits: () => syncedCommits,
  };
}

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/**
 * Whether a WAL file holds a committed transaction that SQLite's recovery would drop: it
 * replays frames until the first whose checksum fails and forgets the rest. A crash can only
 * tear the last transaction, which was never acknowledged (nothing committed follows it);
 * a commit frame of this WAL after a failing frame means damage. Null when there is none.
 */
export function walDamage(walPath: string): string | null {
  let wal: Buffer;
  try {
    wal = readFileSync(walPath);
  } catch {
    return null; // no WAL: everything is in the database file
  }
  if (wal.length < WAL_HEADER_BYTES) return null; // nothing was ever committed to it
  const magic = wal.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return "its header is not a WAL header";
  // The checksums run over 32-bit words in the byte order the magic number names.
  const word = magic === 0x377f0683 ? wal.readUInt32BE.bind(wal) : wal.readUInt32LE.bind(wal);
  const sum = (from: number, bytes: number, seed: readonly [number, number]) => {
    let [s1, s2] = seed;
    for (let i = from; i < from + bytes; i += 8) {
      s1 = (s1 + word(i) + s2) >>> 0;
      s2 = (s2 + word(i + 4) + s1) >>> 0;
    }
    return [s1, s2] as const;
  };
  const stored = (at: number) => [wal.readUInt32BE(at), wal.readUInt32BE(at + 4)] as const;
  const same = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1];
  let checksum = sum(0, 24, [0, 0]);
  if (!same(checksum, stored(24))) return "its header fails its checksum";
  const pageBytes = wal.readUInt32BE(8);
  const salts = stored(16);
  const frameBytes = FRAME_HEADER_BYTES + pageBytes;
  const ofThisWal = (at: number) => same(stored(at + 8), salts);
  let at = WAL_HEADER_BYTES;
  for (; at + frameBytes <= wal.length && ofThisWal(at); at += frameBytes) {
    checksum = sum(at + FRAME_HEADER_BYTES, pageBytes, sum(at, 8, checksum));
    if (!same(checksum, stored(at + 16))) break;
  }
  const failing = (at - WAL_HEADER_BYTES) / frameBytes + 1;
  for (let later = at + frameBytes; later + frameBytes <= wal.length; later += frameBytes) {
    // A nonzero database size marks a frame that commits its transaction.
    if (ofThisWal(later) && wal.readUInt32BE(later + 4) !== 0) {
      return `frame ${failing} fails its checksum and a committed transaction follows it`;
    }
  }
  return null;
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

/** One-time import of the earlier JSON store, and removal of the temp files it could leave. */
function importLegacyJson(
  jsonPath: string,
  db: Database,
  put: (key: string, value: string) => void,
): void {
  const dir = dirname(jsonPath);
  const name = basename(jsonPath);
  let leftovers: string[] = [];
  try {
    leftovers = readdirSync(dir).filter(
      (file) => file.startsWith(`${name}.`) && file.endsWith(".tmp"),
    );
  } catch {
    return; // no folder: nothing to import
  }
  for (const file of leftovers) rmSync(join(dir, file), { force: true });
  let text: string;
  try {
    text = readFileSync(jsonPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new Error(`cannot read ${jsonPath}: ${messageOf(error)}`);
  }
  const count = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM kv").get()?.n ?? 0;
  if (count > 0) return; // imported before; the database is what counts now
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${jsonPath} is not valid JSON (${messageOf(error)}); fix or remove it`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${jsonPath} is not a JSON object of strings; fix or remove it`);
  }
  const entries = Object.entries(parsed).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  db.transaction(() => {
    for (const [key, value] of entries) put(key, value);
  })();
  renameSync(jsonPath, `${jsonPath}.imported`);
}
