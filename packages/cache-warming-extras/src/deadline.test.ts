// The deadline on the warm service, on fake time: a provider that never answers fails the
// warm in words at the deadline (the warmer logs it and re-arms), and a late answer is still
// recorded; at shutdown, a caller waiting on a warm is answered at once.
import { createCacheWarmer, type WarmResult } from "@dispatch/cache-warming";
import FakeTimers from "@sinonjs/fake-timers";
import { expect, it } from "vitest";
import { withDeadline } from "./deadline.js";

const HIT: WarmResult = {
  inputTokens: 10,
  outputTokens: 1,
  cacheReadTokens: 10,
  cacheWriteTokens: 0,
};

function setup() {
  const clock = FakeTimers.createClock(0);
  const timers = {
    setTimer: (fn: () => void, ms: number) => Number(clock.setTimeout(fn, ms)),
    clearTimer: (id: number) => clock.clearTimeout(id),
  };
  const answers: Array<(usage: WarmResult) => void> = [];
  const warnings: string[] = [];
  const provider = withDeadline(
    (id) =>
      new Promise((resolve) =>
        answers.push((usage) => {
          warmer.onWarmCompleted({ conversationId: id, usage });
          resolve(usage);
        }),
      ),
    { timers },
  );
  const warmer = createCacheWarmer({
    warm: provider,
    storage: { get: async () => null, set: async () => {} },
    logger: { debug() {}, info() {}, warn: (msg) => void warnings.push(msg), error() {} },
    timers,
    now: () => clock.now,
    onSurfaceChange() {},
  });
  return { clock, answers, warnings, provider, warmer };
}

it("fails a warm the provider has not answered in 30 s, and still records its late answer", async () => {
  const { clock, answers, warnings, warmer } = setup();
  await warmer.setEnabled("c", true);
  const pending = warmer.warmNow("c");
  await clock.tickAsync(30_000);
  expect(await pending).toEqual({
    ok: false,
    reason: "timeout",
    error: "the provider did not answer within 30 s",
  });
  expect(warnings).toEqual(["cache-warming: warm failed"]);
  expect(warmer.getState("c").nextWarmAt).toBe(clock.now + 240_000);
  answers[0]?.(HIT);
  await clock.tickAsync(0);
  expect(warmer.getState("c")).toMatchObject({ lastPct: 100, lastWarmAt: 30_000 });
  expect(clock.countTimers()).toBe(1); // the schedule's; no deadline is left behind
});

it("answers every waiting caller at shutdown, and leaves no timer", async () => {
  const { clock, provider, warmer } = setup();
  const pending = [warmer.warmNow("a"), warmer.warmNow("b")];
  await clock.tickAsync(0);
  warmer.dispose();
  provider.abandonAll();
  for (const result of await Promise.all(pending)) {
    expect(result).toEqual({ ok: false, reason: "closed", error: "the server is shutting down" });
  }
  expect(clock.countTimers()).toBe(0);
});
