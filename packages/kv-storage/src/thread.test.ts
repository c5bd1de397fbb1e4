// The store's thread as its caller meets it: an open that cannot finish, a driver that cannot
// load, and a store used after it was closed, each with its own words and nothing left running.
import { spawn } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { openSqliteStorage } from "./index.js";
import { FROZEN_DRIVER, freshDbPath } from "./testing/frozen.js";

const freshPath = () => freshDbPath("kv-thread-");
const HOLD_CHILD = new URL("./testing/hold-child.ts", import.meta.url).pathname;

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
  // The thread throws after it answered the commit: what follows fails once that arrives.
  // Each look asks for a key never read before: a miss is remembered, and a remembered key is
  // answered from memory without the thread.
  let look = 0;
  await expect
    .poll(
      () =>
        storage.get(`z${look++}`).then(
          () => "answered",
          (error: Error) => error.message,
        ),
      { timeout: 10_000 },
    )
    .toBe("the settings database's thread failed: the driver broke");
  storage.close();
});

/** Runs testing/hold-child.ts on `path`; resolves with its exit code and the lines it printed. */
function holdChild(path: string, mode: "idle" | "write") {
  const child = spawn(process.execPath, ["--import", "tsx", HOLD_CHILD, path, mode], {
    // tsx is this package's: resolved from its folder.
    cwd: new URL("..", import.meta.url).pathname,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let printed = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    printed += text;
  });
  return new Promise<{ code: number | null; lines: string[] }>((resolve) =>
    child.once("close", (code) => resolve({ code, lines: printed.split("\n").filter(Boolean) })),
  );
}

// What the process's hold means to a user: a process whose last act is a write does not exit
// before the write lands, and an idle store never keeps it alive. A child process holds one
// store and nothing else, so when its event loop runs dry is the fact, with no handle count.
it("lets an idle store's process exit", async () => {
  expect(await holdChild(await freshPath(), "idle")).toEqual({ code: 0, lines: [] });
});

it("keeps the process alive while a write is pending, after the read beside it was answered", async () => {
  const path = await freshPath();
  expect(await holdChild(path, "write")).toEqual({
    code: 0,
    lines: ["read", "exit after the write"],
  });
  const again = openSqliteStorage(path);
  expect(await again.get("k")).toBe("v");
  again.close();
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
