// The warmer's edges: completion events that echo its own warm, memory it gives back, what it
// writes and reads, the budget's retry, and a warmer that has been shut down.
import { createMemoryStorage } from "@dispatch/kv-storage";
import { describe, expect, it } from "vitest";
import { setSpendLimits } from "./modules/spend-limits.js";
import { createHarness, HIT, INTERVAL, START, timerOf } from "./testing/harness.js";
import type { SettingsStorage } from "./warmer.js";

const C = "conv-1";

/** Memory storage that counts reads and writes per key prefix, and can hold writes back. */
function countingStorage() {
  const inner = createMemoryStorage();
  const reads: string[] = [];
  const writes: string[] = [];
  let gate: Promise<void> | null = null;
  const storage: SettingsStorage = {
    get: (key) => {
      reads.push(key);
      return inner.get(key);
    },
    set: async (key, value) => {
      writes.push(key);
      if (gate) await gate;
      await inner.set(key, value);
    },
    delete: (key) => inner.delete(key),
    keys: (prefix) => inner.keys(prefix),
  };
  return {
    storage,
    inner,
    reads,
    writes,
    holdWrites() {
      let open: () => void = () => {};
      gate = new Promise((resolve) => {
        open = resolve;
      });
      return () => {
        gate = null;
        open();
      };
    },
  };
}

describe("completion events during and after the warmer's own warm", () => {
  it("drops an equal copy of its own result, and records a different one as another warm", async () => {
    for (const field of [
      null,
      "inputTokens",
      "outputTokens",
      "cacheReadTokens",
      "cacheWriteTokens",
    ] as const) {
      const h = createHarness({ autoRespond: false });
      await h.enabledAndIdle("c1");
      const warm = h.warmer.warmNow("c1");
      await h.flush();
      const other = field === null ? { ...HIT } : { ...HIT, [field]: HIT[field] + 1 };
      h.warmer.onWarmCompleted({ conversationId: "c1", usage: other });
      h.pending.shift()?.resolve(HIT);
      await warm;
      expect(h.warmer.getState("c1").ledger.warms, String(field)).toBe(field === null ? 1 : 2);
    }
  });

  it("drops its own result echoed after the warm finished, but not an equal copy", async () => {
    const own = { ...HIT };
    const h = createHarness({ respond: () => own });
    await h.enabledAndIdle("c1");
    await h.warmer.warmNow("c1");
    h.warmer.onWarmCompleted({ conversationId: "c1", usage: { ...own } });
    expect(h.warmer.getState("c1").ledger.warms).toBe(2);
    h.warmer.onWarmCompleted({ conversationId: "c1", usage: own });
    expect(h.warmer.getState("c1").ledger.warms).toBe(2);
  });
});

describe("what the warmer keeps in memory", () => {
  it("counts the provider calls it made, and forgets write queues once they are done", async () => {
    const counting = countingStorage();
    const h = createHarness({ storage: counting.storage });
    for (let i = 0; i < 20; i++) await h.enabledAndIdle(`c${i}`);
    await h.warmer.warmNow("c0");
    await h.warmer.warmNow("c1");
    expect(h.warmer.stats().warmCalls).toBe(2);
    await h.warmer.drainWrites();
    await h.flush();
    expect(h.warmer.stats().pendingWrites).toBe(0);
    const release = counting.holdWrites();
    const writing = h.warmer.setIntervalMs("c0", 60_000);
    await h.flush();
    expect(h.warmer.stats().pendingWrites).toBe(1);
    let drained = false;
    const drain = h.warmer.drainWrites().then(() => {
      drained = true;
    });
    await h.flush();
    expect(drained).toBe(false); // drainWrites waits for the write held back
    release();
    await writing;
    await drain;
    expect(drained).toBe(true);
    await h.flush();
    expect(h.warmer.stats().pendingWrites).toBe(0);
  });
});

describe("what the warmer reads and writes", () => {
  it("reads a conversation's settings once, however often it is asked", async () => {
    const counting = countingStorage();
    const h = createHarness({ storage: counting.storage });
    await h.warmer.ensureLoaded("c1");
    await h.warmer.ensureLoaded("c1");
    await h.warmer.onTurnSettled("c1");
    await h.warmer.warmNow("c1");
    const settingsReads = counting.reads.filter((key) => key.endsWith(":c1"));
    expect(new Set(settingsReads).size).toBe(settingsReads.length);
  });

  it("writes a schedule and a ledger only when they change, and none without persistence", async () => {
    const counting = countingStorage();
    const h = createHarness({ storage: counting.storage });
    await h.enabledAndIdle("c1");
    await h.warmer.warmNow("c1");
    await h.warmer.drainWrites();
    expect(await counting.inner.get("ledger:c1")).not.toBeNull();
    expect(await counting.inner.get("schedule:c1")).not.toBeNull();
    const before = counting.writes.length;
    h.warmer.release("c1"); // a call that changes nothing writes nothing
    h.warmer.onWarmCompleted({ conversationId: "other", usage: HIT });
    await h.warmer.drainWrites();
    expect(counting.writes.slice(before).filter((key) => key.endsWith(":c1"))).toEqual([]);

    const bare = countingStorage();
    const memoryOnly = createHarness({ storage: bare.storage });
    memoryOnly.deps.persistSchedules = false;
    await memoryOnly.enabledAndIdle("c1");
    await memoryOnly.warmer.warmNow("c1");
    await memoryOnly.warmer.drainWrites();
    expect(bare.writes.filter((key) => !key.startsWith("settings:"))).toEqual([]);
  });

  it("writes nothing when a disabled conversation closes", async () => {
    const counting = countingStorage();
    const h = createHarness({ storage: counting.storage });
    await h.warmer.onTurnSettled("c1");
    await h.warmer.onConversationClosed("c1");
    await h.warmer.drainWrites();
    expect(counting.writes).toEqual([]);
  });

  it("arms the timer of a conversation whose stored settings enable it, and shows it", async () => {
    const storage = createMemoryStorage();
    const first = createHarness({ storage });
    await first.warmer.setEnabled("c1", true);
    first.warmer.dispose();
    const h = createHarness({ storage });
    await h.warmer.onTurnSettled("c1");
    const last = h.pushed.at(-1);
    expect(last?.conversationId).toBe("c1");
    expect(timerOf(last?.spec ?? h.spec("c1")).nextWarmAt).toBe(START + INTERVAL);
  });

  it("finds nothing to resume in a storage that cannot list keys", async () => {
    const inner = createMemoryStorage();
    await inner.set("schedule:c1", "{}");
    const h = createHarness({ storage: { get: inner.get, set: inner.set } });
    expect(await h.warmer.resumeSchedules()).toEqual({ resumed: [], notResumed: [] });
  });

  it("leaves a schedule that is already running alone when resuming", async () => {
    const storage = createMemoryStorage();
    const first = createHarness({ storage });
    await first.enabledAndIdle("c1");
    await first.warmer.drainWrites();
    first.warmer.dispose();
    const h = createHarness({ storage, start: START + 1_000 });
    await h.enabledAndIdle("c1"); // armed by a settled turn before the resume ran
    const armedAt = h.warmer.getState("c1").nextWarmAt;
    expect(await h.warmer.resumeSchedules()).toEqual({ resumed: [], notResumed: [] });
    expect(h.warmer.getState("c1").nextWarmAt).toBe(armedAt);
    expect(h.clock.countTimers()).toBe(1);
  });
});

describe("the warm budget's retry", () => {
  it("retries an automatic warm refused by the budget when one more is allowed, not sooner", async () => {
    const h = createHarness();
    h.deps.maxWarmsPerMinute = 1;
    await h.enabledAndIdle("a");
    await h.enabledAndIdle("b");
    await h.clock.tickAsync(INTERVAL);
    expect(h.calls.map((call) => call.conversationId)).toEqual(["a"]);
    expect(timerOf(h.spec("b"))).toMatchObject({
      state: "paused",
      reason: "budget",
      nextWarmAt: START + INTERVAL + 60_000,
    });
    await h.clock.tickAsync(59_999);
    expect(h.calls).toHaveLength(1);
    await h.clock.tickAsync(1);
    expect(h.calls.map((call) => call.conversationId)).toEqual(["a", "b"]);
  });

  it("tells a manual warm over the budget when to retry, in seconds", async () => {
    const h = createHarness();
    h.deps.maxWarmsPerMinute = 2;
    await h.clock.tickAsync(60_000);
    await h.warmer.warmNow("a");
    await h.warmer.warmNow("b");
    await h.clock.tickAsync(15_000); // half a warm refilled: the other half takes 15 s
    expect(await h.warmer.warmNow("c")).toEqual({
      ok: false,
      reason: "budget",
      error: "the server's warm budget (2 a minute) is spent; retry in 15 s",
      retryAfterMs: 15_000,
    });
  });
});

describe("refusals in words", () => {
  it("says why a self-caching model is never warmed", async () => {
    const h = createHarness();
    await h.warmer.onTurnSettled("c1", { modelName: "gpt-4o" });
    expect(await h.warmer.warmNow("c1")).toEqual({
      ok: false,
      reason: "refused",
      error: "gpt-4o's provider caches prompts by itself; warming would only cost",
    });
    expect(h.calls).toEqual([]);
  });

  it("says a manual warm was cut off by the conversation closing", async () => {
    const h = createHarness({ autoRespond: false });
    await h.enabledAndIdle("c1");
    const warm = h.warmer.warmNow("c1");
    await h.flush();
    await h.warmer.onConversationClosed("c1");
    expect(await warm).toEqual({
      ok: false,
      reason: "closed",
      error: "the conversation was closed while warming",
    });
  });

  it("keeps the automatic warms' model when a manual warm with another model fails", async () => {
    const h = createHarness();
    await h.enabledAndIdle("c1");
    h.setResponse(() => ({ error: "unknown model" }));
    await h.warmer.warmNow("c1", { modelName: "other" });
    expect(h.warmer.getContext("c1").modelName).toBe("m1");
    h.setResponse(() => HIT);
    await h.clock.tickAsync(1_000);
    await h.warmer.warmNow("c1", { modelName: "other" });
    expect(h.warmer.getContext("c1").modelName).toBe("other");
  });

  it("names the rule a bad spend limit broke", async () => {
    const h = createHarness();
    await expect(setSpendLimits(h.warmer, "c1", { idleWarmCap: -1 })).rejects.toThrow(
      'spend limits must be whole numbers from 0 (off); policy "fixed", "break-even", "adaptive"',
    );
  });

  it("lets a conversation that is already enabled be enabled again at the cap", async () => {
    const h = createHarness();
    h.deps.maxEnabledConversations = 1;
    await h.warmer.setEnabled("a", true);
    await expect(h.warmer.setEnabled("a", true)).resolves.toMatchObject({ enabled: true });
    await expect(h.warmer.setIntervalMs("a", 60_000)).resolves.toMatchObject({
      intervalMs: 60_000,
    });
  });
});

describe("after dispose", () => {
  it("does nothing a caller could notice: no push, no read, no write, no warm, no memory", async () => {
    const counting = countingStorage();
    const h = createHarness({ storage: counting.storage });
    await h.enabledAndIdle("c1");
    await h.warmer.drainWrites();
    h.warmer.dispose();
    const pushes = h.pushed.length;
    const reads = counting.reads.length;
    const writes = counting.writes.length;
    h.warmer.onTurnStarted("c1");
    await h.warmer.onTurnSettled("c2");
    h.warmer.onWarmCompleted({ conversationId: "c1", usage: HIT });
    await h.warmer.onConversationClosed("c1");
    await h.warmer.ensureLoaded("c3");
    expect(await h.warmer.setEnabled("c4", true)).toMatchObject({ enabled: false });
    expect(await h.warmer.warmNow("c1")).toEqual({
      ok: false,
      reason: "closed",
      error: "the warmer is shut down",
    });
    await h.clock.tickAsync(10 * INTERVAL);
    expect(h.pushed.length).toBe(pushes);
    expect(counting.reads.length).toBe(reads);
    expect(counting.writes.length).toBe(writes);
    expect(h.calls).toEqual([]);
    expect(h.warmer.stats().conversationsInMemory).toBe(0);
  });
});

describe("warms reported from outside the warmer (upstream's warmCompleted)", () => {
  it("count as manual warms: recorded once, the countdown restarts and the idle stretch starts over", async () => {
    const h = createHarness();
    await setSpendLimits(h.warmer, C, { idleWarmCap: 2 });
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(INTERVAL * 2);
    expect(h.timer(C)).toMatchObject({ state: "paused", reason: "idle-cap" });
    await h.clock.tickAsync(30_000);
    // A warm the warmer did not make (a copy, not its own last result object).
    h.warmer.onWarmCompleted({ conversationId: C, usage: { ...HIT } });
    expect(h.warmer.getState(C)).toMatchObject({
      autoWarmsSinceTurn: 0,
      pausedBy: null,
      lastWarmAt: h.clock.now,
      nextWarmAt: h.clock.now + INTERVAL,
    });
    expect(timerOf(h.spec(C)).history?.at(-1)).toMatchObject({ trigger: "manual", cachePct: 87 });
    // The warmer made no call for it.
    expect(h.calls).toHaveLength(2);
  });

  it("are dropped while a turn generates", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    h.warmer.onTurnStarted(C);
    h.warmer.onWarmCompleted({ conversationId: C, usage: HIT });
    expect(h.warmer.getState(C)).toMatchObject({ lastWarmAt: null, autoWarmsSinceTurn: 0 });
  });
});

describe("what each failure leaves in memory", () => {
  it("a refused storage write on enable: not counted as enabled, the cap still has room", async () => {
    const h = createHarness({ extra: { maxEnabledConversations: 1 } });
    const storage = h.deps.storage;
    h.deps.storage = { ...storage, set: () => Promise.reject(new Error("disk full")) };
    await expect(h.warmer.setEnabled("a", true)).rejects.toThrow(/disk full/);
    expect(h.warmer.stats()).toMatchObject({ enabledConversations: 0, enabledRefusals: 0 });
    h.deps.storage = storage;
    await h.warmer.setEnabled("b", true);
    expect(h.warmer.stats().enabledConversations).toBe(1);
  });

  it("a failed provider call: counted toward the idle cap, the dead-cache streak untouched", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    h.setResponse(() => {
      throw new Error("ECONNRESET");
    });
    await h.clock.tickAsync(INTERVAL);
    expect(h.warmer.getState(C)).toMatchObject({
      autoWarmsSinceTurn: 1,
      deadWarmStreak: 0,
      lastError: "ECONNRESET",
      lastPct: null,
    });
    expect(h.warmer.stats().warmCalls).toBe(1);
  });

  it("a budget refusal: no call counted, the refusal counted, the warm retried later", async () => {
    const h = createHarness({ manualWarmMinGapMs: 0, extra: { maxWarmsPerMinute: 1 } });
    expect((await h.warmer.warmNow("a")).ok).toBe(true);
    expect((await h.warmer.warmNow("b")).ok).toBe(false);
    expect(h.warmer.stats()).toMatchObject({ warmCalls: 1, budgetRefusals: 1 });
    expect(h.calls).toHaveLength(1);
  });

  it("a cap refusal on enable: the refusal counted, nothing enabled", async () => {
    const h = createHarness({ extra: { maxEnabledConversations: 1 } });
    await h.warmer.setEnabled("a", true);
    await expect(h.warmer.setEnabled("b", true)).rejects.toThrow(/at most 1/);
    expect(h.warmer.stats()).toMatchObject({ enabledConversations: 1, enabledRefusals: 1 });
    expect(h.warmer.getState("b").enabled).toBe(false);
  });
});
