import { existsSync } from "node:fs";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  createMemoryStorage,
  type KeyValueStorage,
  makeDirectory,
  openSqliteStorage,
  withoutDefaults,
} from "./index.js";
import { refuseOnDisk } from "./testing/refuse.js";

async function tempDir() {
  return mkdtemp(join(tmpdir(), "kv-"));
}

describe("both storages", () => {
  it.each([
    ["memory", async () => createMemoryStorage()],
    ["sqlite", async () => openSqliteStorage(join(await tempDir(), "nested", "store.db"))],
  ] as Array<[string, () => Promise<KeyValueStorage>]>)(
    "%s: gets, sets, deletes, answers has, and lists keys by prefix",
    async (_name, open) => {
      const storage = await open();
      expect(await storage.get("settings:a")).toBeNull();
      await storage.set("schedule:a", "1");
      await storage.set("schedule:b", "2");
      await storage.set("settings:a", "3");
      await storage.set("settings:a", "4");
      expect(await storage.get("settings:a")).toBe("4");
      expect([...(await storage.keys("schedule:"))].sort()).toEqual(["schedule:a", "schedule:b"]);
      expect(await storage.keys()).toHaveLength(3);
      await storage.delete("schedule:a");
      await storage.delete("missing");
      expect(await storage.has("schedule:a")).toBe(false);
      expect(await storage.has("schedule:b")).toBe(true);
      expect(await storage.keys("schedule:")).toEqual(["schedule:b"]);
    },
  );
});

describe("sqlite storage", () => {
  it("keeps every acknowledged write across reopening", async () => {
    const path = join(await tempDir(), "store.db");
    const storage = openSqliteStorage(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.set("k", String(i))));
    await storage.set("other", "x");
    await storage.delete("gone");
    storage.close();
    const reopened = openSqliteStorage(path);
    expect(await reopened.get("k")).toBe("19");
    expect(await reopened.get("other")).toBe("x");
    reopened.close();
  });

  it("never lets a rejected write appear: not after another write, not after reopening", async () => {
    const path = join(await tempDir(), "store.db");
    // Shared, so a second connection can make the disk refuse one write.
    const storage = openSqliteStorage(path, { exclusive: false });
    await storage.set("settings:c", '{"enabled":false}');
    // The disk refuses this one write.
    refuseOnDisk(path, "UPDATE", "settings:c", "disk full");
    await expect(storage.set("settings:c", '{"enabled":true}')).rejects.toThrow(
      /write of "settings:c" failed: disk full/,
    );
    expect(await storage.get("settings:c")).toBe('{"enabled":false}');
    await storage.set("settings:other", "1");
    storage.close();
    const reopened = openSqliteStorage(path);
    expect(await reopened.get("settings:c")).toBe('{"enabled":false}');
    reopened.close();
  });

  it("commits the writes of one turn together, each acknowledged only once on disk", async () => {
    const path = join(await tempDir(), "store.db");
    const storage = openSqliteStorage(path);
    const before = storage.commits();
    await Promise.all(Array.from({ length: 100 }, (_, i) => storage.set(`k${i}`, String(i))));
    expect(storage.commits() - before).toBe(1);
    await storage.set("later", "x");
    expect(storage.commits() - before).toBe(2);
    // A read sees writes asked for before it, even before they are committed.
    void storage.set("fresh", "y");
    expect(await storage.get("fresh")).toBe("y");
    storage.close();
    const reopened = openSqliteStorage(path);
    expect(await reopened.get("k99")).toBe("99");
    expect(await reopened.keys("k")).toHaveLength(100);
    reopened.close();
  });

  it("fails only the refused write of a batch; the others are committed", async () => {
    const path = join(await tempDir(), "store.db");
    const storage = openSqliteStorage(path, { exclusive: false });
    await storage.set("settings:c", "old");
    refuseOnDisk(path, "UPDATE", "settings:c", "disk full");
    const results = await Promise.allSettled([
      storage.set("a", "1"),
      storage.set("settings:c", "new"),
      storage.set("b", "2"),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await storage.get("settings:c")).toBe("old");
    expect([await storage.get("a"), await storage.get("b")]).toEqual(["1", "2"]);
    storage.close();
  });

  it("is held by one server at a time: a second open is refused, naming the holder", async () => {
    const path = join(await tempDir(), "store.db");
    const first = openSqliteStorage(path);
    expect(() => openSqliteStorage(path)).toThrow(
      `${path} is in use by another server (pid ${process.pid}); stop it first`,
    );
    await first.set("k", "v");
    first.close();
    const second = openSqliteStorage(path);
    expect(await second.get("k")).toBe("v");
    second.close();
  });

  it("makes its folder, and fails at once where no folder can be made", async () => {
    const dir = join(await tempDir(), "a", "b", "c");
    makeDirectory(dir);
    makeDirectory(dir);
    expect(existsSync(dir)).toBe(true);
    expect(() => makeDirectory("/proc/nope/x")).toThrow(/ENOENT/);
    await writeFile(join(dir, "file"), "x");
    expect(() => makeDirectory(join(dir, "file"))).toThrow(/exists and is not a directory/);
    expect(() => openSqliteStorage("/proc/nope/store.db")).toThrow(
      /cannot open the settings database \/proc\/nope\/store.db/,
    );
  });

  it("names the file when the database is damaged", async () => {
    const path = join(await tempDir(), "store.db");
    await writeFile(path, "this is not a database, just some text long enough ".repeat(20));
    expect(() => openSqliteStorage(path)).toThrow(
      new RegExp(`cannot open the settings database ${path}`),
    );
  });

  it("imports the earlier settings.json once, and removes the temp files a crash left", async () => {
    const dir = await tempDir();
    const json = join(dir, "settings.json");
    await writeFile(
      json,
      JSON.stringify({ "settings:a": '{"enabled":true,"intervalMs":60000}', n: 1 }),
    );
    await writeFile(join(dir, "settings.json.4242.tmp"), "{");
    const storage = openSqliteStorage(join(dir, "store.db"), { legacyJsonPath: json });
    expect(await storage.get("settings:a")).toBe('{"enabled":true,"intervalMs":60000}');
    expect(await storage.keys()).toEqual(["settings:a"]);
    expect(existsSync(json)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    storage.close();
    // A settings.json that shows up again later is left alone: the database is what counts.
    await writeFile(json, JSON.stringify({ "settings:a": "stale" }));
    const again = openSqliteStorage(join(dir, "store.db"), { legacyJsonPath: json });
    expect(await again.get("settings:a")).toBe('{"enabled":true,"intervalMs":60000}');
    again.close();
  });

  it("names the file when the settings.json to import is damaged", async () => {
    const dir = await tempDir();
    const json = join(dir, "settings.json");
    await writeFile(json, "[1,2]");
    expect(() => openSqliteStorage(join(dir, "store.db"), { legacyJsonPath: json })).toThrow(
      new RegExp(`${json} is not a JSON object`),
    );
    await writeFile(json, "{nope");
    expect(() => openSqliteStorage(join(dir, "other.db"), { legacyJsonPath: json })).toThrow(
      new RegExp(`${json} is not valid JSON`),
    );
  });
});

describe("withoutDefaults", () => {
  it("deletes instead of storing a value equal to the default", async () => {
    const inner = createMemoryStorage({ "settings:a": "custom" });
    const storage = withoutDefaults(inner, (_key, value) => value === "default");
    await storage.set("settings:a", "default");
    await storage.set("settings:b", "custom");
    expect(await inner.keys()).toEqual(["settings:b"]);
  });
});
