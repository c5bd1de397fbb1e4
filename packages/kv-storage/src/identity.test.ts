// A database and its WAL that are not this data directory's are refused at start, with the
// reason; SQLite alone would replay another database's WAL, or start an empty file as new.
import {
  copyFileSync,
  existsSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { Database } from "./driver.js";
import { openSqliteStorage } from "./index.js";

async function folder(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "kv-identity-")), "db.sqlite");
}

/** A database holding `entries`, closed cleanly (its WAL folded into the file). */
async function databaseWith(entries: Record<string, string>): Promise<string> {
  const path = await folder();
  const storage = openSqliteStorage(path);
  for (const [key, value] of Object.entries(entries)) await storage.set(key, value);
  storage.close();
  return path;
}

/** A database and the WAL a crash leaves beside it: `entries` committed, not checkpointed. */
async function crashedWith(entries: Record<string, string>): Promise<string> {
  const live = await folder();
  const storage = openSqliteStorage(live);
  for (const [key, value] of Object.entries(entries)) await storage.set(key, value);
  const copy = await folder();
  for (const suffix of ["", "-wal", ".id"]) copyFileSync(`${live}${suffix}`, `${copy}${suffix}`);
  storage.close();
  return copy;
}

it("records a new database's identity beside it, and opens it again", async () => {
  const path = await databaseWith({ a: "1" });
  expect(readFileSync(`${path}.id`, "utf8")).toMatch(/^[0-9a-f]{8}\n$/);
  const storage = openSqliteStorage(path);
  expect(await storage.get("a")).toBe("1");
  storage.close();
});

it("opens a crashed database with its own WAL", async () => {
  const path = await crashedWith({ a: "1", b: "2" });
  const storage = openSqliteStorage(path);
  expect(await storage.keys()).toEqual(["a", "b"]);
  storage.close();
});

it("refuses a WAL copied from another data directory, and replays none of it", async () => {
  const here = await databaseWith({ mine: "1" });
  const there = await crashedWith({ theirs: "2" });
  copyFileSync(`${there}-wal`, `${here}-wal`);
  expect(() => openSqliteStorage(here)).toThrow(
    /db\.sqlite-wal is another database's \(identity [0-9a-f]{8}\), but db\.sqlite\.id says/,
  );
  rmSync(`${here}-wal`);
  const storage = openSqliteStorage(here);
  expect(await storage.keys()).toEqual(["mine"]);
  storage.close();
});

it("refuses a database copied over this one from another data directory", async () => {
  const here = await databaseWith({ mine: "1" });
  const there = await databaseWith({ theirs: "2" });
  copyFileSync(there, here);
  expect(() => openSqliteStorage(here)).toThrow(/db\.sqlite is another database's/);
});

it("refuses an empty or missing database in a folder that held one, and starts anew once told", async () => {
  const path = await databaseWith({ a: "1" });
  truncateSync(path, 0);
  expect(() => openSqliteStorage(path)).toThrow(
    /db\.sqlite is missing, empty or cut short, but db\.sqlite\.id says this folder's is [0-9a-f]{8}: restore the files that belong here, or move db\.sqlite\.id away/,
  );
  rmSync(path);
  expect(() => openSqliteStorage(path)).toThrow(/missing, empty or cut short/);
  expect(existsSync(path)).toBe(false);
  rmSync(`${path}.id`);
  const storage = openSqliteStorage(path);
  expect(await storage.keys()).toEqual([]);
  storage.close();
});

it("takes the identity of a database restored into a folder without a record", async () => {
  const path = await databaseWith({ a: "1" });
  const recorded = readFileSync(`${path}.id`, "utf8");
  const restored = await folder();
  copyFileSync(path, restored);
  const storage = openSqliteStorage(restored);
  expect(await storage.get("a")).toBe("1");
  storage.close();
  expect(readFileSync(`${restored}.id`, "utf8")).toBe(recorded);
});

it("gives a database from before identities one, keeping what it holds", async () => {
  const path = await folder();
  const old = new Database(path);
  old.pragma("journal_mode = WAL");
  old.exec("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
  old.prepare("INSERT INTO kv (key, value) VALUES ('a', '1')").run();
  old.close();
  const storage = openSqliteStorage(path);
  expect(await storage.get("a")).toBe("1");
  storage.close();
  expect(readFileSync(`${path}.id`, "utf8")).toMatch(/^[0-9a-f]{8}\n$/);
  const again = openSqliteStorage(path);
  expect(await again.get("a")).toBe("1");
  again.close();
});

it("refuses a record that is not an identity, quoting its start", async () => {
  const path = await databaseWith({ a: "1" });
  const recorded = readFileSync(`${path}.id`, "utf8").trim();
  for (const record of [`x${recorded}`, `${recorded}x`, "z".repeat(100)]) {
    writeFileSync(`${path}.id`, record);
    expect(() => openSqliteStorage(path)).toThrow(
      `db.sqlite.id does not hold a database identity ("${record.slice(0, 40)}")`,
    );
  }
});

it("refuses a database cut short inside its header", async () => {
  const path = await databaseWith({ a: "1" });
  truncateSync(path, 99);
  expect(() => openSqliteStorage(path)).toThrow(/db\.sqlite is missing, empty or cut short/);
});
