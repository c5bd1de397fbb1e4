// The simulator's options, its history switch, and the bound on what distinct ids make it hold.
import FakeTimers from "@sinonjs/fake-timers";
import { expect, it } from "vitest";
import { createPromptCacheSimulator } from "./index.js";

const START = Date.UTC(2026, 10, 25, 12, 0, 0);

it("refuses a conversation without history as upstream does, until it has one again", async () => {
  const simulator = createPromptCacheSimulator({ now: () => START });
  simulator.setHistory("c1", false);
  expect(await simulator.warm("c1")).toEqual({ error: "no history" });
  expect(await simulator.warm("c2")).toMatchObject({ cacheWriteTokens: 12_000 });
  simulator.setHistory("c1", true);
  expect(await simulator.warm("c1")).toMatchObject({ cacheWriteTokens: 12_000 });
});

it("uses the TTL and token sizes it is given", async () => {
  const clock = FakeTimers.createClock(START);
  const { warm } = createPromptCacheSimulator({
    now: () => clock.now,
    ttlMs: 1_000,
    prefixTokens: 500,
    promptTokens: 7,
  });
  expect(await warm("c")).toEqual({
    inputTokens: 507,
    outputTokens: 1,
    cacheReadTokens: 0,
    cacheWriteTokens: 500,
  });
  clock.tick(999);
  expect(await warm("c")).toMatchObject({ cacheReadTokens: 500, cacheWriteTokens: 0 });
  clock.tick(1_000);
  expect(await warm("c")).toMatchObject({ cacheReadTokens: 0, cacheWriteTokens: 500 });
});

it("forgets expired prefixes once it holds twice the live ones, so new ids cannot grow it forever", async () => {
  const clock = FakeTimers.createClock(START);
  const simulator = createPromptCacheSimulator({ now: () => clock.now });
  for (let i = 0; i < 10_001; i++) await simulator.warm(`old ${i}`);
  expect(simulator.cachedPrefixes()).toBe(10_001); // all live: nothing to forget
  clock.tick(300_000);
  for (let i = 0; i < 9_999; i++) await simulator.warm(`new ${i}`);
  expect(simulator.cachedPrefixes()).toBe(20_000); // under twice the last count: kept
  for (let i = 9_999; i < 10_002; i++) await simulator.warm(`new ${i}`);
  expect(simulator.cachedPrefixes()).toBe(10_002); // the 10 001 expired ones forgotten
  // A forgotten prefix is a miss, as an expired one was.
  expect(await simulator.warm("old 0")).toMatchObject({ cacheReadTokens: 0 });
  expect(await simulator.warm("new 0")).toMatchObject({ cacheReadTokens: 12_000 });
});
