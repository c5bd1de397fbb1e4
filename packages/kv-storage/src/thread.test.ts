// The store's thread as its caller meets it: an open that cannot finish, a driver that cannot
// load, and a store used after it was closed, each with its own words and nothing left running.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { openSqliteStorage } from "./index.js";
import { FROZEN_DRIVER, freshDbPath } from "./testing/frozen.js";

const freshPath = () => freshDbPath("kv-thread-");

it("gives up an open the disk holds past waitMs, naming the wait, and leaves the file free", async () => {
  const path = await freshPath();
  writeFileSync(`${path}.frozen`, "");
  const started = performance.now();
  expect(() => openSqliteStorage(path, { driverPath: FROZEN_DRIVER, waitMs: 300 })).toThrow(
    `cannot open the settings database ${path}: its open did not finish within 0.3 s`,
  );
  expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  // The thread that waited was stopped: the database opens at once for the next server.
  const next = openSqliteStorage(path);
  await next.set("k", "v");
  next.close();
});

it("refuses to open with a driver that cannot load, in the driver's words", async () => {
  const path = await freshPath();
  expect(() => openSqliteStorage(path, { driverPath: "/nonexistent/driver.cjs" })).toThrow(
    /^cannot open the settings database .*: Cannot find module '\/nonexistent\/driver\.cjs'/,
  );
});

it("rejects reads and writes after close, and a second close is nothing", async () => {
  const storage = openSqliteStorage(await freshPath());
  await storage.set("k", "v");
  storage.close();
  storage.close();
  await expect(storage.get("k")).rejects.toThrow("the settings database is closed");
  await expect(storage.keys()).rejects.toThrow("the settings database is closed");
  await expect(storage.set("k", "w")).rejects.toThrow(
    'settings database write of "k" failed: the settings database is closed',
  );
});

it("closes the database itself: its write-ahead log is folded in and removed", async () => {
  const path = await freshPath();
  const storage = openSqliteStorage(path);
  await storage.set("k", "v");
  expect(existsSync(`${path}-wal`)).toBe(true);
  storage.close();
  expect(existsSync(`${path}-wal`)).toBe(false);
});

it("settles at close every write queued before it", async () => {
  const path = await freshPath();
  const storage = openSqliteStorage(path);
  const writes = [storage.set("a", "1"), storage.delete("a"), storage.set("b", "2")];
  storage.close();
  await Promise.all(writes);
  const again = openSqliteStorage(path);
  expect(await again.keys()).toEqual(["b"]);
  again.close();
});

it("fails what is pending, and what follows, when its thread ends mid-commit", async () => {
  const path = await freshPath();
  const storage = openSqliteStorage(path, { driverPath: FROZEN_DRIVER });
  await storage.set("a", "1");
  writeFileSync(`${path}.exit`, "");
  await expect(storage.set("b", "2")).rejects.toThrow(
    `settings database write of "b" failed: the settings database's thread stopped (exit code 1)`,
  );
  await expect(storage.get("c")).rejects.toThrow("the settings database's thread stopped");
  // The value whose write never landed is not answered from memory either.
  await expect(storage.get("b")).rejects.toThrow("the settings database's thread stopped");
  storage.close(); // nothing left to close
});

it("fails what follows an error its thread did not catch, in the error's words", async () => {
  const path = await freshPath();
  const storage = openSqliteStorage(path, { driverPath: FROZEN_DRIVER });
  writeFileSync(`${path}.throw`, "");
  await storage.set("a", "1");
  await new Promise((resolve) => setTimeout(resolve, 50));
  await expect(storage.get("z")).rejects.toThrow(
    "the settings database's thread failed: the driver broke",
  );
  storage.close();
});

/** The MessagePorts keeping this process alive. */
const heldPorts = () => process.getActiveResourcesInfo().filter((kind) => kind === "MessagePort");

it("keeps the process alive only while a request is pending", async () => {
  const before = heldPorts().length;
  const storage = openSqliteStorage(await freshPath());
  expect(heldPorts().length).toBe(before); // an idle store lets the process exit
  const writes = [storage.set("a", "1"), storage.set("b", "2")];
  const read = storage.get("unknown");
  expect(heldPorts().length).toBe(before + 1);
  await Promise.all([...writes, read]);
  expect(heldPorts().length).toBe(before);
  storage.close();
});

it("stays held while one request of several is still pending", async () => {
  const path = await freshPath();
  const storage = openSqliteStorage(path, { driverPath: FROZEN_DRIVER });
  const before = heldPorts().length;
  writeFileSync(`${path}.frozen`, "");
  const read = storage.get("unknown");
  expect(heldPorts().length).toBe(before + 1); // the first request holds the process
  const write = storage.set("k", "v"); // its commit waits for the thaw
  expect(await read).toBeNull();
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(heldPorts().length).toBe(before + 1); // the commit still holds it
  rmSync(`${path}.frozen`);
  await write;
  expect(heldPorts().length).toBe(before);
  storage.close();
});

it("refuses a broken legacy file in the file's own words, not as a database problem", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kv-thread-"));
  const json = join(dir, "settings.json");
  writeFileSync(json, "{ not json");
  expect(() => openSqliteStorage(join(dir, "db.sqlite"), { legacyJsonPath: json })).toThrow(
    new RegExp(`^${json} is not valid JSON`),
  );
});

it("reads the stored value again after the disk refused a newer one", async () => {
  const path = await freshPath();
  const storage = openSqliteStorage(path, { driverPath: FROZEN_DRIVER });
  await storage.set("k", "1");
  writeFileSync(`${path}.refuse`, "");
  await expect(storage.set("k", "2")).rejects.toThrow(
    'settings database write of "k" failed: disk refused the write',
  );
  rmSync(`${path}.refuse`);
  expect(await storage.get("k")).toBe("1");
  storage.close();
});
