// A timer backend that does not cancel (or fires late) must still never cause a warm the
// schedule no longer wants; a timer firing during a manual warm joins it for free.
import { createMemoryStorage } from "@dispatch/kv-storage";
import { describe, expect, it } from "vitest";
import { createHarness, INTERVAL, START } from "./testing/harness.js";

/** A harness whose timer backend ignores every cancel. */
function withDeafCancels() {
  const h = createHarness();
  h.deps.timers = { setTimer: h.deps.timers.setTimer, clearTimer: () => {} };
  return h;
}

describe("timers that fire although cancelled", () => {
  it("do not warm a conversation whose countdown was restarted", async () => {
    const h = withDeafCancels();
    await h.enabledAndIdle("c1");
    await h.clock.tickAsync(100_000);
    h.warmer.onTurnStarted("c1");
    await h.warmer.onTurnSettled("c1"); // re-armed for START + 100 s + INTERVAL
    await h.clock.tickAsync(INTERVAL - 100_000); // the first, cancelled timer fires here
    expect(h.calls).toEqual([]);
    await h.clock.tickAsync(100_000);
    expect(h.calls).toHaveLength(1);
    expect(h.warmer.getState("c1").lastWarmAt).toBe(START + 100_000 + INTERVAL);
  });

  it("do not warm a conversation that was disabled, is generating, or was closed", async () => {
    const h = withDeafCancels();
    for (const id of ["off", "busy", "closed"]) await h.enabledAndIdle(id);
    await h.warmer.setEnabled("off", false);
    h.warmer.onTurnStarted("busy");
    await h.warmer.onConversationClosed("closed");
    await h.clock.tickAsync(3 * INTERVAL);
    expect(h.calls).toEqual([]);
  });
});

describe("a timer firing during a manual warm", () => {
  it("joins the warm in flight: one provider call, one budget unit", async () => {
    const h = createHarness({ autoRespond: false });
    await h.enabledAndIdle("c1");
    await h.clock.tickAsync(INTERVAL - 1_000);
    const manual = h.warmer.warmNow("c1");
    await h.clock.tickAsync(1_000); // the countdown reaches zero while the warm runs
    expect(h.calls).toHaveLength(1);
    expect(h.warmer.stats().warmCalls).toBe(1);
    h.pending.shift()?.resolve({
      inputTokens: 10,
      outputTokens: 1,
      cacheReadTokens: 10,
      cacheWriteTokens: 0,
    });
    await manual;
    expect(h.warmer.stats().warmCalls).toBe(1);
    // Re-armed from when the joined warm finished.
    expect(h.warmer.getState("c1").nextWarmAt).toBe(START + 2 * INTERVAL);
  });
});

describe("closing and resuming around slow storage", () => {
  it("refuses a manual warm whose conversation closed while its settings loaded", async () => {
    const inner = createMemoryStorage();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const h = createHarness({
      storage: {
        get: async (key) => {
          await held;
          return inner.get(key);
        },
        set: inner.set,
      },
    });
    const warm = h.warmer.warmNow("c1");
    await h.flush();
    const closed = h.warmer.onConversationClosed("c1");
    release();
    await closed;
    expect(await warm).toEqual({
      ok: false,
      reason: "closed",
      error: "the conversation was closed",
    });
    expect(h.calls).toEqual([]);
  });

  it("resumes no schedule whose conversation is off, and keeps nothing for it", async () => {
    const storage = createMemoryStorage();
    await storage.set(
      "schedule:c1",
      JSON.stringify({
        context: {},
        lastTouchedAt: START,
        lastWarmAt: START,
        nextWarmAt: START + INTERVAL,
        lastPct: 80,
        lastExpectedPct: 80,
      }),
    );
    const h = createHarness({ storage, start: START + 1_000 });
    expect(await h.warmer.resumeSchedules()).toEqual({ resumed: [], notResumed: [] });
    expect(h.clock.countTimers()).toBe(0);
    const bare = createHarness({ storage: { get: storage.get, set: storage.set } });
    await bare.warmer.resumeSchedules();
    expect(bare.warmer.stats().conversationsInMemory).toBe(0);
  });
});
