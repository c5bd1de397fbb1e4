// The settings database's own thread. Every SQLite call runs here, so a disk that stalls (a
// frozen filesystem, an fsync that takes seconds) blocks this thread and the writes waiting on
// it, never the server's event loop: /health, timers and pushes go on. It runs what the main
// thread asks, in the order asked; every decision (what to batch, when to sync, what an error
// means) is made there, in sqlite-thread.ts and index.ts. Plain JavaScript because Node starts
// a worker from a file it can run as is, under vitest as in the bundle.
import { createRequire } from "node:module";
import { workerData } from "node:worker_threads";

const { dbPath, driverPath, exclusive, legacy, identity, port, signal } = workerData;
const handshake = new Int32Array(signal);

/** Wakes the main thread, which waits synchronously for the open and the close. */
function wake() {
  Atomics.add(handshake, 0, 1);
  Atomics.notify(handshake, 0);
}

function errorOf(error) {
  return { code: error?.code, message: error instanceof Error ? error.message : String(error) };
}

function open() {
  const Database = createRequire(import.meta.url)(driverPath);
  // No waiting on a lock: a database another server holds is refused at once.
  const db = new Database(dbPath, { timeout: 0 });
  try {
    if (exclusive) db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    // A new database (or one from before identities) takes the data directory's identity.
    if (db.pragma("application_id", { simple: true }) !== identity) {
      db.pragma(`application_id = ${identity}`);
    }
    db.exec(
      "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    );
    // A `kv` table of another shape is another program's: named, not written into.
    const columns = db
      .pragma("table_info(kv)")
      .map((column) => `${column.name} ${column.type}`)
      .join(", ");
    if (columns !== "key TEXT, value TEXT") {
      throw new Error(
        `its kv table is not this server's (columns: ${columns}); point DISPATCH_DATA_DIR at another folder or move the file away`,
      );
    }
    // Takes the exclusive lock now rather than at the first write.
    db.exec("BEGIN EXCLUSIVE; COMMIT");
    const check = db.pragma("quick_check", { simple: true });
    return { db, check: String(check) };
  } catch (error) {
    db.close();
    throw error;
  }
}

let opened;
try {
  opened = open();
} catch (error) {
  port.postMessage({ ok: false, ...errorOf(error) });
  wake();
}
if (opened !== undefined && opened.check !== "ok") {
  opened.db.close();
  port.postMessage({
    ok: false,
    message: `it is damaged (${opened.check}); restore a backup or move it away`,
  });
  wake();
} else if (opened !== undefined) {
  try {
    serve(opened.db);
  } catch (error) {
    // Whatever fails before the answer is the open's failure, said now rather than timed out.
    opened.db.close();
    port.postMessage({ ok: false, ...errorOf(error) });
    wake();
  }
}

function serve(db) {
  const get = db.prepare("SELECT value FROM kv WHERE key = ?");
  const set = db.prepare(
    "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  );
  const remove = db.prepare("DELETE FROM kv WHERE key = ?");
  // `>= prefix AND < prefix + U+FFFF` finds a prefix with the index, without LIKE's escapes.
  const keys = db.prepare("SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key");
  const run = ([key, value]) => (value === null ? remove.run(key) : set.run(key, value));
  // Every commit writes page 1 (a count of commits in `user_version`), so every transaction
  // in the WAL carries the database's identity: a WAL from another database shows it.
  let commits = db.pragma("user_version", { simple: true });
  const transaction = db.transaction((writes) => {
    for (const write of writes) run(write);
    db.pragma(`user_version = ${(commits + 1) | 0}`);
  });
  const commit = (writes) => {
    transaction(writes);
    commits = (commits + 1) | 0;
  };
  let imported = false;
  // The earlier JSON store goes into an empty database only: once imported, the database is
  // what counts, and a broken file left beside it no longer matters.
  if (legacy !== null && db.prepare("SELECT count(*) AS n FROM kv").get().n === 0) {
    if (legacy.error !== undefined) {
      db.close();
      port.postMessage({ ok: false, legacyError: legacy.error });
      wake();
      return;
    }
    commit(legacy.entries);
    imported = true;
  }
  let synced = true; // synchronous = FULL, as set at open
  const handlers = {
    commit({ writes, sync }) {
      if (sync !== synced) db.pragma(`synchronous = ${sync ? "FULL" : "NORMAL"}`);
      synced = sync;
      // Read back from SQLite: the count says what the connection really does (2 = FULL).
      const fsynced = db.pragma("synchronous", { simple: true }) === 2;
      try {
        commit(writes);
        return { fsynced, errors: null };
      } catch {
        // A write the database refuses fails alone: the batch again, one write at a time.
        return {
          fsynced,
          errors: writes.map((write) => {
            try {
              run(write);
              return null;
            } catch (error) {
              return errorOf(error).message;
            }
          }),
        };
      }
    },
    get: ({ key }) => get.get(key)?.value ?? null,
    keys: ({ prefix }) => keys.all(prefix, `${prefix}\uffff`).map((row) => row.key),
  };
  port.on("message", (request) => {
    if (request.op === "close") {
      db.close();
      port.postMessage({ id: request.id, ok: true, value: null });
      port.close();
      wake();
      return;
    }
    try {
      port.postMessage({ id: request.id, ok: true, value: handlers[request.op](request) });
    } catch (error) {
      port.postMessage({ id: request.id, ok: false, ...errorOf(error) });
    }
  });
  port.postMessage({ ok: true, imported });
  wake();
}
