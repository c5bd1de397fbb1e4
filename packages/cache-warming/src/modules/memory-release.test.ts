// Memory release: a conversation nobody watches leaves memory once it holds only defaults, and
// not while anything runs, nor while its manual-warm rate limit would be lifted by forgetting.
import { describe, expect, it } from "vitest";
import { createHarness, HIT, INTERVAL } from "../testing/harness.js";
import { initialState } from "../transitions.js";
import type { WarmResult } from "../warm-service.js";
import { forgetUnwatched } from "./memory-release.js";
import { setSpendLimits } from "./spend-limits.js";

const unobserved = () => createHarness({ extra: { isObserved: () => false } });

describe("memory release", () => {
  it("keeps everything without a watcher lookup, and what is watched or waits for the budget", () => {
    const idle = initialState();
    expect(forgetUnwatched({})("c", idle)).toBe(false);
    expect(forgetUnwatched({ isObserved: () => true })("c", idle)).toBe(false);
    const unwatched = forgetUnwatched({ isObserved: (id) => id === "c" });
    expect(unwatched("other", idle)).toBe(true);
    expect(unwatched("c", idle)).toBe(false);
    expect(unwatched("other", { ...idle, budgetRetryAt: 5 })).toBe(false);
  });

  it("forgets an unwatched conversation at its defaults, and keeps one that still needs it", async () => {
    const h = createHarness();
    h.deps.isObserved = () => false;
    const inMemory = () => h.warmer.stats().conversationsInMemory;
    // The server asks to release a conversation once its last watcher leaves.
    const settleAndRelease = async (id: string) => {
      await h.warmer.onTurnSettled(id);
      h.warmer.release(id);
    };
    await settleAndRelease("plain");
    expect(inMemory()).toBe(0);
    await h.warmer.setEnabled("enabled", true);
    await settleAndRelease("enabled");
    expect(inMemory()).toBe(1);
    h.warmer.onTurnStarted("active");
    h.warmer.release("active");
    expect(inMemory()).toBe(2);
    await h.warmer.setIntervalMs("interval", 60_000);
    await settleAndRelease("interval");
    await setSpendLimits(h.warmer, "idle cap", { idleWarmCap: 3 });
    await settleAndRelease("idle cap");
    await setSpendLimits(h.warmer, "dead limit", { deadWarmLimit: 7 });
    await settleAndRelease("dead limit");
    expect(inMemory()).toBe(5);
    // Back at its defaults, a disabled conversation goes.
    await h.warmer.setEnabled("enabled", false);
    expect(inMemory()).toBe(4);
  });

  it("keeps a conversation warmed by hand until its manual-warm gap has passed", async () => {
    const h = createHarness({ manualWarmMinGapMs: 5_000 });
    h.deps.isObserved = () => false;
    await h.warmer.onTurnSettled("c1");
    await h.warmer.warmNow("c1");
    expect(h.warmer.stats().conversationsInMemory).toBe(1);
    await h.clock.tickAsync(4_999);
    expect(h.warmer.stats().conversationsInMemory).toBe(1);
    await h.clock.tickAsync(1);
    expect(h.warmer.stats().conversationsInMemory).toBe(0);
    // The second warm within the gap would have been refused: the limit outlived nothing.
    expect(h.clock.countTimers()).toBe(0);
  });

  it("keeps an unwatched conversation while a turn runs or a warm is in flight, even with warming off", async () => {
    const h = unobserved();
    h.warmer.onTurnStarted("busy");
    await h.flush();
    await h.warmer.ensureLoaded("busy");
    h.warmer.release("busy");
    expect(h.warmer.isLoaded("busy")).toBe(true);

    let answer: (usage: WarmResult) => void = () => {};
    h.setResponse(() => new Promise((resolve) => (answer = resolve)));
    const warming = h.warmer.warmNow("flying");
    await h.flush();
    h.warmer.release("flying");
    expect(h.warmer.isLoaded("flying")).toBe(true);
    answer(HIT);
    await warming;
  });

  it("keeps an unwatched conversation with warming on", async () => {
    const h = unobserved();
    await h.warmer.setEnabled("c", true);
    h.warmer.release("c");
    expect(h.warmer.isLoaded("c")).toBe(true);
  });

  it("keeps an unwatched conversation whose interval is not the default", async () => {
    const h = unobserved();
    await h.warmer.setIntervalMs("c", 60_000);
    h.warmer.release("c");
    expect(h.warmer.isLoaded("c")).toBe(true);
    await h.warmer.setIntervalMs("c", INTERVAL);
    h.warmer.release("c");
    expect(h.warmer.isLoaded("c")).toBe(false);
  });

  it("sets one release retry however often a rate-limited conversation is asked to leave", async () => {
    const h = unobserved();
    await h.warmer.warmNow("c");
    const timers = h.clock.countTimers();
    h.warmer.release("c");
    h.warmer.release("c");
    await h.warmer.warmNow("c"); // refused by the rate limit: tries to leave again
    expect(h.clock.countTimers()).toBe(timers);
    await h.clock.tickAsync(1_000);
    expect(h.warmer.isLoaded("c")).toBe(false);
  });
});
