import FakeTimers from "@sinonjs/fake-timers";
import { describe, expect, it } from "vitest";
import { createPromptCacheSimulator } from "./index.js";

const START = Date.UTC(2026, 10, 25, 12, 0, 0);

function setup(extra: { knownModels?: string[] } = {}) {
  const clock = FakeTimers.createClock(START);
  const { warm } = createPromptCacheSimulator({ now: () => clock.now, ...extra });
  return { clock, warm };
}

describe("prompt cache simulator", () => {
  it("writes the prefix on the first warm and reads it inside the TTL", async () => {
    const { clock, warm } = setup();
    expect(await warm("c1")).toEqual({
      inputTokens: 12_016,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 12_000,
    });
    clock.tick(299_999);
    expect(await warm("c1")).toMatchObject({ cacheReadTokens: 12_000, cacheWriteTokens: 0 });
  });

  it("refreshes the TTL on every read, and expires it after 300 s idle", async () => {
    const { clock, warm } = setup();
    await warm("c1");
    clock.tick(240_000);
    await warm("c1");
    clock.tick(240_000); // 480 s after the write, 240 s after the refreshing read
    expect(await warm("c1")).toMatchObject({ cacheReadTokens: 12_000 });
    clock.tick(300_000);
    expect(await warm("c1")).toMatchObject({ cacheReadTokens: 0, cacheWriteTokens: 12_000 });
  });

  it("keeps one cache per conversation and per model", async () => {
    const { warm } = setup();
    await warm("c1", { modelName: "a" });
    expect(await warm("c2", { modelName: "a" })).toMatchObject({ cacheReadTokens: 0 });
    expect(await warm("c1", { modelName: "b" })).toMatchObject({ cacheReadTokens: 0 });
    expect(await warm("c1", { modelName: "a" })).toMatchObject({ cacheReadTokens: 12_000 });
  });

  it("refuses a model it does not know, when given a model list", async () => {
    const { warm } = setup({ knownModels: ["m1"] });
    expect(await warm("c1", { modelName: "nope" })).toEqual({ error: 'unknown model "nope"' });
    expect(await warm("c1", { modelName: "m1" })).toMatchObject({ cacheWriteTokens: 12_000 });
  });
});
