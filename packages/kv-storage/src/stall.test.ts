// A disk that stalls (a frozen filesystem holds every write until the thaw) delays the writes
// waiting on it, and nothing else: the store runs on its own thread, so the event loop keeps
// turning, and what was acknowledged is still acknowledged only once it is on disk.
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { Database } from "./driver.js";
import { type ClosableStorage, openSqliteStorage } from "./index.js";
import { FROZEN_DRIVER, freshDbPath } from "./testing/frozen.js";

let open: ClosableStorage | null = null;
afterEach(() => {
  open?.close();
  open = null;
});

/** The longest gap between 5 ms ticks of a real interval while `ms` pass. */
async function worstLoopGap(ms: number): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  await new Promise((resolve) => setTimeout(resolve, ms));
  clearInterval(ticker);
  return Math.max(worst, performance.now() - last);
}

it("keeps the event loop turning while the disk holds a write, and acknowledges it after the thaw", async () => {
  const path = await freshDbPath("kv-stall-");
  open = openSqliteStorage(path, { driverPath: FROZEN_DRIVER });
  const storage = open;
  await storage.set("before", "1");
  writeFileSync(`${path}.frozen`, "");
  let acknowledged = false;
  const write = storage.set("during", "2").then(() => {
    acknowledged = true;
  });
  // 600 ms of frozen disk: the loop's worst gap stays small, the write stays unacknowledged.
  expect(await worstLoopGap(600)).toBeLessThan(200);
  expect(acknowledged).toBe(false);
  rmSync(`${path}.frozen`);
  await write;
  expect(await storage.get("during")).toBe("2");
  expect(storage.commits()).toBe(2);
});

it("answers a read asked during the stall after the writes before it", async () => {
  const path = await freshDbPath("kv-stall-");
  open = openSqliteStorage(path, { driverPath: FROZEN_DRIVER });
  const storage = open;
  writeFileSync(`${path}.frozen`, "");
  const write = storage.set("k", "v");
  const read = storage.get("k");
  rmSync(`${path}.frozen`);
  await write;
  expect(await read).toBe("v");
});

it("closes after the thaw with every queued write on disk", async () => {
  const path = await freshDbPath("kv-stall-");
  const storage = openSqliteStorage(path, { driverPath: FROZEN_DRIVER });
  writeFileSync(`${path}.frozen`, "");
  const write = storage.set("k", "v");
  // The thaw comes from outside: close() holds this thread until the store's thread is done.
  spawn("sh", ["-c", `sleep 0.2; rm '${path}.frozen'`]);
  storage.close();
  await write;
  open = openSqliteStorage(path);
  expect(await open.get("k")).toBe("v");
});

it("answers a key it knows from memory during the stall; one it does not know waits", async () => {
  const path = await freshDbPath("kv-stall-");
  open = openSqliteStorage(path, { driverPath: FROZEN_DRIVER });
  const storage = open;
  await storage.set("known", "1");
  writeFileSync(`${path}.frozen`, "");
  const write = storage.set("other", "2");
  expect(await storage.get("known")).toBe("1");
  expect(await storage.has("known")).toBe(true);
  let unknownAnswered = false;
  const unknown = storage.get("unknown").then((value) => {
    unknownAnswered = true;
    return value;
  });
  // Not answered within 100 ms of a frozen disk (an absence has no event to wait for).
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(unknownAnswered).toBe(false);
  rmSync(`${path}.frozen`);
  await write;
  expect(await unknown).toBeNull();
});

it("asks the database every time when it is shared with another process", async () => {
  const path = await freshDbPath("kv-stall-");
  open = openSqliteStorage(path, { exclusive: false });
  await open.set("k", "mine");
  expect(await open.get("k")).toBe("mine");
  const side = new Database(path);
  side.prepare("UPDATE kv SET value = 'theirs' WHERE key = 'k'").run();
  side.close();
  expect(await open.get("k")).toBe("theirs");
});
