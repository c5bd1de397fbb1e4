import { createMemoryStorage } from "@dispatch/kv-storage";
import FakeTimers from "@sinonjs/fake-timers";
import { expect, it } from "vitest";
import { standardOnClock } from "./testing/standard.js";

const USAGE = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };

function standardOn(
  storage: ReturnType<typeof createMemoryStorage>,
  maxEnabled: number,
  clock = FakeTimers.createClock(Date.UTC(2026, 0, 1)),
) {
  return standardOnClock(clock, {
    warm: async () => USAGE,
    storage,
    maxEnabledConversations: maxEnabled,
  });
}

it("holds the enabled cap while the stored schedules come back: an enable waits for them", async () => {
  const storage = createMemoryStorage();
  const first = standardOn(storage, 3);
  for (const id of ["a", "b", "c"]) {
    await first.warmer.setEnabled(id, true);
    await first.warmer.onTurnSettled(id, { modelName: "sim" });
  }
  await expect(first.warmer.setEnabled("d", true)).rejects.toThrow(/at most 3 conversations/);
  first.warmer.dispose();
  await first.close();

  const second = standardOn(storage, 3);
  const resumed = second.resume();
  // Asked for while the three stored schedules are still being read back.
  const enable = second.warmer.setEnabled("late", true);
  await expect(enable).rejects.toThrow(/at most 3 conversations/);
  expect((await resumed).resumed).toHaveLength(3);
  expect(second.stats().enabledConversations).toBe(3);
  second.warmer.dispose();
});

it("counts an enable whose store failed for 30 s, then frees its slot", async () => {
  const memory = createMemoryStorage();
  const failing = new Set(["settings:lost"]);
  const storage = {
    ...memory,
    async set(key: string, value: string) {
      if (failing.has(key)) throw new Error("disk I/O error");
      await memory.set(key, value);
    },
  };
  const clock = FakeTimers.createClock(Date.UTC(2026, 0, 1));
  const warming = standardOn(storage, 1, clock);
  await expect(warming.warmer.setEnabled("lost", true)).rejects.toThrow(/disk I\/O error/);
  // It may yet have been applied: until it is known, it holds its slot.
  await expect(warming.warmer.setEnabled("next", true)).rejects.toThrow(/at most 1 conversation/);
  // Its own slot: asked again, it is not counted twice.
  failing.clear();
  await warming.warmer.setEnabled("lost", true);
  await warming.warmer.setEnabled("lost", false);
  failing.add("settings:lost");
  await expect(warming.warmer.setEnabled("lost", true)).rejects.toThrow(/disk I\/O error/);
  await clock.tickAsync(29_999);
  await expect(warming.warmer.setEnabled("next", true)).rejects.toThrow(/at most 1 conversation/);
  await clock.tickAsync(1);
  await warming.warmer.setEnabled("next", true);
  expect(warming.stats().enabledConversations).toBe(1);
  warming.warmer.dispose();
});

it("has no cap when the cap is 0", async () => {
  const warming = standardOn(createMemoryStorage(), 0);
  for (let i = 0; i < 5; i++) await warming.warmer.setEnabled(`c${i}`, true);
  expect(warming.stats()).toMatchObject({ enabledConversations: 5, enabledRefusals: 0 });
  warming.warmer.dispose();
});
