// What the store answers from memory, and when it must ask the database instead.
import { describe, expect, it } from "vitest";
import { createReadCache } from "./read-cache.js";

describe("the read cache", () => {
  it("answers a key it read, and nothing for one it did not", () => {
    const cache = createReadCache(10);
    cache.read("a", "1");
    cache.read("gone", null);
    expect(cache.lookup("a")).toEqual({ value: "1" });
    expect(cache.lookup("gone")).toEqual({ value: null });
    expect(cache.lookup("b")).toBeUndefined();
  });

  it("sends a key to the database while a write of it is in flight, then answers the write", () => {
    const cache = createReadCache(10);
    cache.read("a", "1");
    cache.writing("a");
    expect(cache.lookup("a")).toBeUndefined();
    cache.read("a", "1"); // a read answered before the write: not what will be stored
    expect(cache.lookup("a")).toBeUndefined();
    cache.written("a", "2", true);
    expect(cache.lookup("a")).toEqual({ value: "2" });
  });

  it("forgets a key whose write failed, so the disk's value is read again", () => {
    const cache = createReadCache(10);
    cache.read("a", "1");
    cache.writing("a");
    cache.written("a", "2", false);
    expect(cache.lookup("a")).toBeUndefined();
    expect(cache.size()).toBe(0);
  });

  it("waits for the last of several writes of a key", () => {
    const cache = createReadCache(10);
    cache.writing("a");
    cache.writing("a");
    cache.written("a", "1", true);
    expect(cache.lookup("a")).toBeUndefined();
    cache.written("a", "2", true);
    expect(cache.lookup("a")).toEqual({ value: "2" });
  });

  it("sends a key to the database until its last write in flight is settled", () => {
    const cache = createReadCache(10);
    cache.writing("a");
    cache.writing("a");
    cache.written("a", "1", true);
    cache.read("a", "1"); // a read asked between the two writes
    expect(cache.lookup("a")).toBeUndefined();
    cache.written("a", "2", false);
    expect(cache.lookup("a")).toBeUndefined();
  });

  it("keeps at most its limit, forgetting the least recently used", () => {
    const cache = createReadCache(2);
    cache.read("a", "1");
    cache.read("b", "2");
    expect(cache.lookup("a")).toEqual({ value: "1" }); // a is now the most recent
    cache.read("c", "3");
    expect(cache.size()).toBe(2);
    expect(cache.lookup("b")).toBeUndefined();
    expect(cache.lookup("a")).toEqual({ value: "1" });
    expect(cache.lookup("c")).toEqual({ value: "3" });
  });

  it("remembers nothing with a limit of 0", () => {
    const cache = createReadCache(0);
    cache.read("a", "1");
    cache.writing("b");
    cache.written("b", "2", true);
    expect([cache.lookup("a"), cache.lookup("b"), cache.size()]).toEqual([undefined, undefined, 0]);
  });
});
