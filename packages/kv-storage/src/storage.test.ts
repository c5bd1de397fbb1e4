import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryStorage, openFileStorage } from "./index.js";

async function tempFile() {
  return join(await mkdtemp(join(tmpdir(), "kv-")), "nested", "settings.json");
}

describe("file storage", () => {
  it("returns null for a missing key and what was set for a known one", async () => {
    const storage = await openFileStorage(await tempFile());
    expect(await storage.get("settings:a")).toBeNull();
    await storage.set("settings:a", "1");
    expect(await storage.get("settings:a")).toBe("1");
  });

  it("survives reopening, with the last of many concurrent writes winning", async () => {
    const file = await tempFile();
    const storage = await openFileStorage(file);
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.set("k", String(i))));
    await storage.set("other", "x");
    const reopened = await openFileStorage(file);
    expect(await reopened.get("k")).toBe("19");
    expect(await reopened.get("other")).toBe("x");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ k: "19", other: "x" });
  });

  it("refuses to start on a file that is not a JSON object rather than dropping it", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "kv-")), "settings.json");
    await writeFile(file, "[1,2]");
    await expect(openFileStorage(file)).rejects.toThrow(/not a JSON object/);
  });
});

describe("both storages", () => {
  it.each([
    ["memory", async () => createMemoryStorage()],
    ["file", async () => openFileStorage(await tempFile())],
  ])("%s: deletes, answers has, and lists keys by prefix", async (_name, open) => {
    const storage = await open();
    await storage.set("schedule:a", "1");
    await storage.set("schedule:b", "2");
    await storage.set("settings:a", "3");
    expect([...(await storage.keys("schedule:"))].sort()).toEqual(["schedule:a", "schedule:b"]);
    expect(await storage.keys()).toHaveLength(3);
    await storage.delete("schedule:a");
    await storage.delete("missing");
    expect(await storage.has("schedule:a")).toBe(false);
    expect(await storage.has("schedule:b")).toBe(true);
    expect(await storage.keys("schedule:")).toEqual(["schedule:b"]);
  });

  it("file: a delete is durable", async () => {
    const file = await tempFile();
    const storage = await openFileStorage(file);
    await storage.set("a", "1");
    await storage.delete("a");
    expect(await (await openFileStorage(file)).get("a")).toBeNull();
  });
});

describe("memory storage", () => {
  it("starts from the given entries", async () => {
    const storage = createMemoryStorage({ a: "1" });
    expect(await storage.get("a")).toBe("1");
    await storage.set("a", "2");
    expect(await storage.get("a")).toBe("2");
  });
});
