// Which commits are synced to the disk itself: those holding a key the caller calls durable.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { type ClosableStorage, openSqliteStorage } from "./index.js";

let open: ClosableStorage | null = null;
afterEach(() => {
  open?.close();
  open = null;
});

async function store(durable?: (key: string) => boolean): Promise<ClosableStorage> {
  const dir = await mkdtemp(join(tmpdir(), "kv-durability-"));
  open = openSqliteStorage(join(dir, "db.sqlite"), durable === undefined ? {} : { durable });
  return open;
}

it("syncs a batch that holds a durable key, and commits the others without a sync", async () => {
  const storage = await store((key) => key.startsWith("settings:"));
  await storage.set("ledger:a", "1");
  expect([storage.commits(), storage.syncedCommits()]).toEqual([1, 0]);
  // One durable write makes its whole batch synced.
  await Promise.all([storage.set("ledger:b", "2"), storage.set("settings:a", "on")]);
  expect([storage.commits(), storage.syncedCommits()]).toEqual([2, 1]);
  await storage.delete("ledger:a");
  expect([storage.commits(), storage.syncedCommits()]).toEqual([3, 1]);
  await storage.delete("settings:a");
  expect([storage.commits(), storage.syncedCommits()]).toEqual([4, 2]);
  expect(await storage.get("ledger:b")).toBe("2");
});

it("syncs every commit when no key is named durable", async () => {
  const storage = await store();
  await storage.set("ledger:a", "1");
  await storage.set("anything", "2");
  expect([storage.commits(), storage.syncedCommits()]).toEqual([2, 2]);
});
