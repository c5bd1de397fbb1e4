// The SQLite store's refusals and edges, each as its user meets it: a database that opens but
// is damaged, a second server on a database that exists, a write or delete the disk refuses,
// folders that cannot be made, the leftovers of the earlier JSON store, damaged WAL frames.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Database } from "./driver.js";
import { makeDirectory, openSqliteStorage, walDamage } from "./index.js";
import { refuseOnDisk } from "./testing/refuse.js";

const tempDir = () => mkdtemp(join(tmpdir(), "kv-edges-"));

describe("opening", () => {
  it("refuses a database whose pages are damaged though its header is whole, naming it", async () => {
    const path = join(await tempDir(), "store.db");
    const db = new Database(path);
    db.exec("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
    const put = db.prepare<[string, string]>("INSERT INTO kv (key, value) VALUES (?, ?)");
    for (let i = 0; i < 200; i++) put.run(`key ${i}`, "v".repeat(200));
    db.close();
    const bytes = readFileSync(path);
    const page = bytes.readUInt16BE(16);
    bytes.fill(0xee, 2 * page + 8, 2 * page + 40); // inside the table's second page
    writeFileSync(path, bytes);
    expect(() => openSqliteStorage(path)).toThrow(
      new RegExp(`cannot open the settings database ${path}: it is damaged \\(.+\\); restore`, "s"),
    );
  });

  it("refuses a second server on a database that already exists, before either writes", async () => {
    const path = join(await tempDir(), "store.db");
    const made = openSqliteStorage(path);
    await made.set("k", "v");
    made.close();
    const first = openSqliteStorage(path);
    expect(() => openSqliteStorage(path)).toThrow(/is in use by another server/);
    first.close();
  });

  it("names the holder only when its pid file says one", async () => {
    const path = join(await tempDir(), "store.db");
    const first = openSqliteStorage(path);
    writeFileSync(`${path}.pid`, "not a pid\n");
    expect(() => openSqliteStorage(path)).toThrow(
      `${path} is in use by another server; stop it first`,
    );
    rmSync(`${path}.pid`);
    expect(() => openSqliteStorage(path)).toThrow(/in use by another server; stop it first$/);
    first.close();
  });

  it("writes no pid file when it shares the database", async () => {
    const path = join(await tempDir(), "store.db");
    const shared = openSqliteStorage(path, { exclusive: false });
    const other = openSqliteStorage(path, { exclusive: false });
    expect(existsSync(`${path}.pid`)).toBe(false);
    shared.close();
    other.close();
  });
});

describe("writing", () => {
  it("names a refused delete as a delete, and keeps the value", async () => {
    const path = join(await tempDir(), "store.db");
    const storage = openSqliteStorage(path, { exclusive: false });
    await storage.set("settings:c", "kept");
    refuseOnDisk(path, "DELETE", "settings:c", "read-only");
    await expect(storage.delete("settings:c")).rejects.toThrow(
      'settings database delete of "settings:c" failed: read-only',
    );
    expect(await storage.get("settings:c")).toBe("kept");
    storage.close();
    storage.close(); // a second close changes nothing
  });

  it("commits nothing for reads: a commit is a batch of writes", async () => {
    const storage = openSqliteStorage(join(await tempDir(), "store.db"));
    await storage.get("a");
    await storage.has("a");
    await storage.keys();
    expect([storage.commits(), storage.syncedCommits()]).toEqual([0, 0]);
    await storage.set("a", "1");
    expect([storage.commits(), storage.syncedCommits()]).toEqual([1, 1]);
    storage.close();
  });
});

describe("folders", () => {
  it("does not make a folder under a file", async () => {
    const file = join(await tempDir(), "file");
    await writeFile(file, "x");
    expect(() => makeDirectory(join(file, "a", "b"))).toThrow(/ENOTDIR/);
  });

  it("makes up to 66 missing levels and refuses deeper, as a filesystem that never ends would need", async () => {
    const root = await tempDir();
    const levels = (n: number) => join(root, ...Array.from({ length: n }, () => "d"));
    makeDirectory(levels(66));
    expect(existsSync(levels(66))).toBe(true);
    const other = join(root, "e", ...Array.from({ length: 66 }, () => "d"));
    expect(() => makeDirectory(other)).toThrow(/ENOENT/);
    expect(existsSync(join(root, "e"))).toBe(false);
  });
});

describe("the earlier JSON store", () => {
  it("removes only its own temp files", async () => {
    const dir = await tempDir();
    const json = join(dir, "settings.json");
    for (const name of [
      "settings.json.1.tmp",
      "settings.json.bak",
      "other.tmp",
      "settings.jsonx.tmp",
    ]) {
      await writeFile(join(dir, name), "x");
    }
    openSqliteStorage(join(dir, "store.db"), { legacyJsonPath: json }).close();
    const left = (await readdir(dir)).filter((name) => !name.startsWith("store.db"));
    expect(left.sort()).toEqual(["other.tmp", "settings.json.bak", "settings.jsonx.tmp"]);
  });

  it("names a settings.json it cannot read, and opens nothing", async () => {
    const dir = await tempDir();
    const json = join(dir, "settings.json");
    await mkdir(json);
    expect(() => openSqliteStorage(join(dir, "store.db"), { legacyJsonPath: json })).toThrow(
      new RegExp(`^cannot read ${json}: EISDIR`),
    );
  });
});

describe("the write-ahead log check", () => {
  /** A WAL whose every transaction is one frame, as this store's small ones are. */
  async function walOfSingleFrames() {
    const live = join(await tempDir(), "db.sqlite");
    const db = new Database(live);
    db.pragma("journal_mode = WAL");
    db.pragma("wal_autocheckpoint = 0");
    db.exec("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
    const put = db.prepare<[string, string]>("INSERT INTO kv (key, value) VALUES (?, ?)");
    for (let i = 1; i <= 4; i++) put.run(`k${i}`, `v${i}`);
    const bytes = readFileSync(`${live}-wal`);
    db.close();
    const frame = 24 + bytes.readUInt32BE(8);
    return { bytes, frame, frames: (bytes.length - 32) / frame };
  }

  const check = (bytes: Buffer) => {
    const wal = join(tmpdir(), `kv-edges-${process.pid}-${Math.random()}-wal`);
    writeFileSync(wal, bytes);
    return walDamage(wal);
  };

  it("finds damage when only the last frame, ending the file, commits after it", async () => {
    const { bytes, frame, frames } = await walOfSingleFrames();
    const secondLast = 32 + (frames - 2) * frame;
    bytes.writeUInt8(bytes.readUInt8(secondLast + 100) ^ 0xff, secondLast + 100);
    expect(check(bytes)).toBe(
      `frame ${frames - 1} fails its checksum and a committed transaction follows it`,
    );
  });

  it("finds a frame whose stored checksum is wrong in either of its two words", async () => {
    const { bytes, frame } = await walOfSingleFrames();
    for (const word of [16, 20]) {
      const damaged = Buffer.from(bytes);
      const at = 32 + frame + word; // the second frame's header
      damaged.writeUInt32BE((damaged.readUInt32BE(at) ^ 1) >>> 0, at);
      expect(check(damaged)).toBe(
        "frame 2 fails its checksum and a committed transaction follows it",
      );
    }
  });

  it("reads a header-sized file that is no WAL header as damage", () => {
    expect(check(Buffer.alloc(32, 9))).toBe("its header is not a WAL header");
    expect(check(Buffer.alloc(31, 9))).toBeNull();
  });
});

describe("a database that is another program's", () => {
  it("names a kv table of another shape at once, instead of timing out", async () => {
    const path = join(await tempDir(), "db.sqlite");
    const foreign = new Database(path);
    foreign.exec("CREATE TABLE kv (a INTEGER)");
    foreign.close();
    const started = performance.now();
    expect(() => openSqliteStorage(path, { waitMs: 5_000 })).toThrow(
      /its kv table is not this server's \(columns: a INTEGER\)/,
    );
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
