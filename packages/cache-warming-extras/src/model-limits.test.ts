// The model's limits as a user meets them: the next warm never later than the model's cache
// lives (less 10 s), no warm at all for a model that caches by itself, and names and working
// directories bounded before a warm is paid.
import { createMemoryStorage } from "@dispatch/kv-storage";
import FakeTimers from "@sinonjs/fake-timers";
import { expect, it } from "vitest";
import { MAX_CWD, MAX_MODEL_NAME } from "./records.js";
import { standardOnClock } from "./testing/standard.js";

const USAGE = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };

function setUp() {
  const clock = FakeTimers.createClock(Date.UTC(2026, 0, 1));
  const calls: Array<string | undefined> = [];
  const warming = standardOnClock(clock, {
    warm: async (id, opts) => {
      calls.push(opts?.modelName);
      warming.warmer.onWarmCompleted({ conversationId: id, usage: USAGE });
      return USAGE;
    },
    storage: createMemoryStorage(),
  });
  return { clock, warming, calls };
}

it("warms before the model's cache dies when the interval was set for a model with no known lifetime", async () => {
  const { clock, warming } = setUp();
  await warming.warmer.setEnabled("c", true);
  await warming.warmer.onTurnSettled("c", { modelName: "a-model-nobody-prices" });
  await warming.warmer.setIntervalMs("c", 600_000);
  expect(warming.warmer.getState("c").nextWarmAt).toBe(clock.now + 600_000);
  await warming.warmer.onTurnSettled("c", { modelName: "sonnet" });
  expect(warming.warmer.getState("c").nextWarmAt).toBe(clock.now + 290_000);
  // An interval shorter than the cache's life is kept as set.
  await warming.warmer.setIntervalMs("c", 120_000);
  expect(warming.warmer.getState("c").nextWarmAt).toBe(clock.now + 120_000);
});

it("never warms a model whose provider caches prompts by itself", async () => {
  const { clock, warming, calls } = setUp();
  await warming.warmer.setEnabled("c", true);
  await warming.warmer.onTurnSettled("c", { modelName: "gpt-4o" });
  expect(warming.warmer.getState("c").nextWarmAt).toBe(null);
  expect(await warming.warmNow("c")).toMatchObject({ ok: false, reason: "self-caching" });
  await clock.tickAsync(3_600_000);
  expect(calls).toEqual([]);
});

it("refuses a warm whose model name or working directory is longer than a record holds", async () => {
  const { warming, calls } = setUp();
  await warming.warmer.setEnabled("c", true);
  const long = (n: number) => "x".repeat(n);
  expect(await warming.warmNow("c", { modelName: long(MAX_MODEL_NAME + 1) })).toMatchObject({
    ok: false,
    reason: "invalid",
    error: `model names are at most ${MAX_MODEL_NAME} characters; no warm was sent`,
  });
  expect(await warming.warmNow("c", { cwd: long(MAX_CWD + 1) })).toMatchObject({
    ok: false,
    reason: "invalid",
    error: `working directories are at most ${MAX_CWD} characters; no warm was sent`,
  });
  expect(calls).toEqual([]);
  expect(
    await warming.warmNow("c", {
      modelName: `sonnet${long(MAX_MODEL_NAME - 6)}`,
      cwd: long(MAX_CWD),
    }),
  ).toMatchObject({ ok: true });
  expect(calls).toHaveLength(1);
});
