// A damaged write-ahead log is refused at start, naming it, instead of starting silently on
// older state; a torn last transaction (a crash while it was written) is not damage.
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { Database } from "./driver.js";
import { openSqliteStorage, walDamage } from "./index.js";

/** A database whose WAL still holds five committed transactions, as a crash leaves it. */
async function crashedCopy(): Promise<{ db: string; wal: string }> {
  const live = join(await mkdtemp(join(tmpdir(), "kv-wal-")), "db.sqlite");
  const storage = openSqliteStorage(live);
  for (let i = 1; i <= 5; i++) await storage.set(`k${i}`, `value ${i}`);
  // Copied while open: the WAL is not checkpointed into the file yet.
  const db = join(await mkdtemp(join(tmpdir(), "kv-wal-copy-")), "db.sqlite");
  copyFileSync(live, db);
  copyFileSync(`${live}-wal`, `${db}-wal`);
  storage.close();
  return { db, wal: `${db}-wal` };
}

const frameBytes = (wal: Buffer) => 24 + wal.readUInt32BE(8);

it("opens a crashed database with every committed transaction of its WAL", async () => {
  const { db, wal } = await crashedCopy();
  expect(walDamage(wal)).toBeNull();
  const storage = openSqliteStorage(db);
  expect(await storage.keys()).toEqual(["k1", "k2", "k3", "k4", "k5"]);
  storage.close();
});

it("refuses a WAL with a damaged frame before committed ones, naming the file", async () => {
  const { db, wal } = await crashedCopy();
  const bytes = readFileSync(wal);
  const second = 32 + frameBytes(bytes);
  bytes.writeUInt8(bytes.readUInt8(second + 124) ^ 0xff, second + 124); // a byte of the second frame's page
  writeFileSync(wal, bytes);
  expect(walDamage(wal)).toMatch(
    /^frame 2 fails its checksum and a committed transaction follows it$/,
  );
  expect(() => openSqliteStorage(db)).toThrow(
    `the settings database's write-ahead log ${wal} is damaged (frame 2 fails its checksum and a committed transaction follows it)`,
  );
  // Nothing was changed: the same refusal again.
  expect(readFileSync(wal)).toEqual(bytes);
  expect(() => openSqliteStorage(db)).toThrow(/move the -wal file away/);
});

it("refuses a WAL whose header is damaged or not a WAL's", async () => {
  const { db, wal } = await crashedCopy();
  const bytes = readFileSync(wal);
  bytes.writeUInt8(bytes.readUInt8(12) ^ 0x01, 12); // the checkpoint sequence, under the header checksum
  writeFileSync(wal, bytes);
  expect(walDamage(wal)).toBe("its header fails its checksum");
  writeFileSync(wal, Buffer.alloc(64, 7));
  expect(walDamage(wal)).toBe("its header is not a WAL header");
  expect(() => openSqliteStorage(db)).toThrow(/is damaged \(its header is not a WAL header\)/);
});

it("takes a torn last transaction as a crash: the earlier ones open, the torn one is gone", async () => {
  const { db, wal } = await crashedCopy();
  const bytes = readFileSync(wal);
  // The last frame's header written, its page not yet: where a crash between the two writes
  // of SQLite's append leaves the file.
  truncateSync(wal, bytes.length - frameBytes(bytes) + 24);
  expect(walDamage(wal)).toBeNull();
  const storage = openSqliteStorage(db);
  expect(await storage.keys()).toEqual(["k1", "k2", "k3", "k4"]);
  storage.close();
  expect(walDamage(join(tmpdir(), "no-such-db-wal"))).toBeNull();
  writeFileSync(wal, Buffer.alloc(16));
  expect(walDamage(wal)).toBeNull(); // shorter than a header: nothing was committed to it
});

it("refuses a WAL cut short inside a frame, where no crash leaves it", async () => {
  const { db, wal } = await crashedCopy();
  const bytes = readFileSync(wal);
  const half = Math.floor(bytes.length / 2);
  const cut = (half - 32) % frameBytes(bytes) === 0 ? half + 100 : half; // inside a page
  truncateSync(wal, cut);
  expect(walDamage(wal)).toMatch(
    /^it ends \d+ bytes into a frame, where no write of SQLite's ends: it was cut short/,
  );
  expect(() => openSqliteStorage(db)).toThrow(
    /db\.sqlite-wal is damaged \(it ends \d+ bytes into a frame/,
  );
  // Cut on a frame's end, it cannot be told from a crash: the transactions before it open.
  writeFileSync(wal, bytes.subarray(0, bytes.length - 2 * frameBytes(bytes)));
  expect(walDamage(wal)).toBeNull();
  const storage = openSqliteStorage(db);
  expect(await storage.keys()).toEqual(["k1", "k2", "k3", "k4"]);
  storage.close();
});

it("takes the frames a restarted WAL left past its end, under older salts, for no transaction", async () => {
  const live = join(await mkdtemp(join(tmpdir(), "kv-wal-reset-")), "db.sqlite");
  const writer = new Database(live);
  writer.pragma("journal_mode = WAL");
  writer.pragma("wal_autocheckpoint = 0");
  writer.exec("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
  const put = writer.prepare<[string, string]>("INSERT INTO kv (key, value) VALUES (?, ?)");
  for (let i = 1; i <= 5; i++) put.run(`old${i}`, "x".repeat(3000));
  writer.pragma("wal_checkpoint(RESTART)");
  put.run("new", "v"); // the WAL starts over at its first frame, under new salts
  const db = join(await mkdtemp(join(tmpdir(), "kv-wal-reset-copy-")), "db.sqlite");
  copyFileSync(live, db);
  copyFileSync(`${live}-wal`, `${db}-wal`);
  writer.close();
  const wal = `${db}-wal`;
  const bytes = readFileSync(wal);
  const frames = (bytes.length - 32) / frameBytes(bytes);
  expect(frames).toBeGreaterThan(5); // the older transactions' frames are still in the file
  expect(walDamage(wal)).toBeNull();
  // The new transaction torn: what follows it is the older WAL's, not a later commit of this one.
  bytes.writeUInt8(bytes.readUInt8(32 + 124) ^ 0xff, 32 + 124);
  writeFileSync(wal, bytes);
  expect(walDamage(wal)).toBeNull();
  const storage = openSqliteStorage(db);
  expect(await storage.keys()).toEqual(["old1", "old2", "old3", "old4", "old5"]);
  storage.close();
});
