// The core warmer on fake time: the one warm call the timer and `warmNow` share, every warm
// recorded by the completion handler (record → re-arm from now → notify), failures re-armed and
// logged, and the hooks at their points, in order. What a user would notice: the calls the
// provider gets, the state the surface reads, and the pushes.
import FakeTimers from "@sinonjs/fake-timers";
import { describe, expect, it } from "vitest";
import type { WarmerHooks, WarmOutcome, WarmResult } from "./pure.js";
import { type CacheWarmerDeps, createCacheWarmer } from "./warmer.js";

const T0 = 1_000_000;
const INTERVAL = 240_000;
const HIT: WarmResult = {
  inputTokens: 1000,
  outputTokens: 1,
  cacheReadTokens: 900,
  cacheWriteTokens: 100,
};

/**
 * A warmer over a provider that reports each warm's completion before it answers, as
 * upstream's orchestrator does. `answer` decides each call; `later` holds calls until released.
 */
function setup(
  options: { hooks?: WarmerHooks[]; answer?: () => WarmOutcome | Promise<WarmOutcome> } = {},
) {
  const clock = FakeTimers.createClock(T0);
  const calls: Array<{ id: string; modelName?: string | undefined; at: number }> = [];
  const pushes: Array<{ id: string | undefined; nextWarmAt: number | null }> = [];
  const logs: string[] = [];
  const store = new Map<string, string>();
  const log = (level: string) => (msg: string) => logs.push(`${level} ${msg}`);
  const deps: CacheWarmerDeps = {
    async warm(id, opts) {
      calls.push({ id, modelName: opts?.modelName, at: clock.now });
      const outcome = await (options.answer ?? (() => HIT))();
      if (!("error" in outcome) && outcome.inputTokens >= 0) {
        warmer.onWarmCompleted({ conversationId: id, usage: outcome });
      }
      return outcome;
    },
    storage: {
      get: async (key) => store.get(key) ?? null,
      set: async (key, value) => void store.set(key, value),
    },
    logger: { debug() {}, info: log("info"), warn: log("warn"), error: log("error") },
    timers: {
      setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
      clearTimer: (id) => clock.clearTimeout(id),
    },
    now: () => clock.now,
    onSurfaceChange: (id) => pushes.push({ id, nextWarmAt: warmer.getState(id ?? "").nextWarmAt }),
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
  };
  const warmer = createCacheWarmer(deps);
  const idle = async (id = "c") => {
    await warmer.setEnabled(id, true);
    warmer.onTurnSettled(id, { modelName: "m" });
  };
  return { clock, calls, pushes, logs, store, warmer, idle };
}

describe("the schedule", () => {
  it("warms every interval while idle, each warm re-arming from its own completion", async () => {
    const { clock, calls, warmer, idle } = setup();
    await idle();
    await clock.tickAsync(3 * INTERVAL);
    expect(calls.map((c) => c.at - T0)).toEqual([INTERVAL, 2 * INTERVAL, 3 * INTERVAL]);
    expect(calls.every((c) => c.modelName === "m")).toBe(true);
    expect(warmer.getState("c")).toMatchObject({ lastPct: 90, lastWarmAt: T0 + 3 * INTERVAL });
    expect(warmer.getState("c").nextWarmAt).toBe(T0 + 4 * INTERVAL);
  });

  it("sends nothing while a turn generates, and starts the full interval when it settles", async () => {
    const { clock, calls, warmer, idle } = setup();
    await idle();
    await clock.tickAsync(INTERVAL - 1);
    warmer.onTurnStarted("c");
    await clock.tickAsync(10 * INTERVAL);
    expect(calls).toEqual([]);
    warmer.onTurnSettled("c", {});
    expect(warmer.getState("c").nextWarmAt).toBe(clock.now + INTERVAL);
  });

  it("re-arms a running schedule with a new interval, and leaves a stopped one stopped", async () => {
    const { clock, warmer, idle } = setup();
    await idle();
    await clock.tickAsync(1_000);
    await warmer.setIntervalMs("c", 60_000);
    expect(warmer.getState("c").nextWarmAt).toBe(clock.now + 60_000);
    await warmer.setIntervalMs("d", 60_000);
    expect(warmer.getState("d")).toMatchObject({ intervalMs: 60_000, nextWarmAt: null });
  });

  it("stores warming off when the conversation closes, and a turn settling after it cannot re-arm", async () => {
    const { clock, calls, store, warmer, idle } = setup();
    await idle();
    const closing = warmer.onConversationClosed("c");
    warmer.onTurnSettled("c", {});
    await closing;
    await clock.tickAsync(10 * INTERVAL);
    expect(calls).toEqual([]);
    expect(JSON.parse(store.get("settings:c") ?? "")).toEqual({
      enabled: false,
      intervalMs: INTERVAL,
    });
  });
});

describe("warm now", () => {
  it("goes through the timer's path: recorded, re-armed from now, one push carrying the new time", async () => {
    const { clock, calls, pushes, warmer, idle } = setup();
    await idle();
    await clock.tickAsync(100_000);
    pushes.length = 0;
    const result = await warmer.warmNow("c");
    expect(result).toEqual({
      ok: true,
      usage: HIT,
      cachePct: 90,
      expectedCacheRate: 90,
      lastWarmAt: T0 + 100_000,
      nextWarmAt: T0 + 100_000 + INTERVAL,
    });
    expect(pushes).toEqual([{ id: "c", nextWarmAt: T0 + 100_000 + INTERVAL }]);
    await clock.tickAsync(INTERVAL - 1);
    expect(calls).toHaveLength(1);
    await clock.tickAsync(1);
    expect(calls).toHaveLength(2);
  });

  it("warms the model it names for this warm only; automatic warms keep the turn's", async () => {
    const { clock, calls, warmer, idle } = setup();
    await idle();
    await warmer.warmNow("c", { modelName: "other" });
    await clock.tickAsync(INTERVAL);
    expect(calls.map((c) => c.modelName)).toEqual(["other", "m"]);
    expect(warmer.getContext("c")).toEqual({ modelName: "m" });
  });

  it("shares one call with a warm in flight, the timer's or another click's", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { clock, calls, warmer, idle } = setup({ answer: () => held.then(() => HIT) });
    await idle();
    await clock.tickAsync(INTERVAL); // the timer's warm is in flight
    const clicks = [warmer.warmNow("c"), warmer.warmNow("c")];
    release();
    const results = await Promise.all(clicks);
    expect(calls).toHaveLength(1);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it("answers the service's refusal as refused, and records nothing", async () => {
    const { warmer, pushes } = setup({ answer: () => ({ error: "no history" }) });
    expect(await warmer.warmNow("c")).toEqual({
      ok: false,
      reason: "refused",
      error: "no history",
    });
    expect(warmer.getState("c").lastWarmAt).toBeNull();
    expect(pushes).toEqual([{ id: "c", nextWarmAt: null }]);
  });
});

describe("a warm that fails", () => {
  it.each([
    ["throws", () => Promise.reject(new Error("provider down")), "failed", "provider down"],
    [
      "answers nonsense",
      () => ({ inputTokens: -1 }) as unknown as WarmResult,
      "failed",
      "the warm service answered an invalid usage",
    ],
    [
      "refuses",
      () => ({ error: "conversation is generating" }),
      "refused",
      "conversation is generating",
    ],
  ])(
    "(the service %s) is logged and the schedule goes on from now",
    async (_how, answer, reason, error) => {
      const { clock, calls, logs, warmer, idle } = setup({ answer: answer as () => WarmOutcome });
      await idle();
      await clock.tickAsync(INTERVAL);
      expect(logs).toEqual(["warn cache-warming: warm failed"]);
      expect(warmer.getState("c")).toMatchObject({
        lastWarmAt: null,
        nextWarmAt: clock.now + INTERVAL,
      });
      expect(await warmer.warmNow("c")).toEqual({ ok: false, reason, error });
      await clock.tickAsync(INTERVAL);
      expect(calls).toHaveLength(3);
    },
  );
});

describe("the hooks", () => {
  it("are called at their points, in order, with the warm's trigger", async () => {
    const seen: string[] = [];
    const hooks = (name: string): WarmerHooks => ({
      beforeWarm: (_id, trigger) => void seen.push(`${name} before ${trigger}`),
      warmStarted: (_id, trigger) => void seen.push(`${name} started ${trigger}`),
      warmRecorded: (_id, _usage, trigger) => void seen.push(`${name} recorded ${trigger}`),
      changed: () => void seen.push(`${name} changed`),
    });
    const { clock, pushes, warmer, idle } = setup({ hooks: [hooks("a"), hooks("b")] });
    await idle();
    seen.length = 0;
    pushes.length = 0;
    await clock.tickAsync(INTERVAL);
    expect(seen).toEqual([
      "a before auto",
      "b before auto",
      "a started auto",
      "b started auto",
      "a recorded auto",
      "b recorded auto",
      "a changed",
      "b changed",
    ]);
    expect(pushes).toHaveLength(1);
    warmer.onWarmCompleted({ conversationId: "c", usage: HIT });
    expect(seen.at(-3)).toBe("b recorded null"); // a warm somebody else started
  });

  it("let a refusal stop a warm: an automatic one is tried again when the refusal says", async () => {
    let open = false;
    const gate: WarmerHooks = {
      beforeWarm: async () =>
        open ? undefined : { reason: "budget", error: "spent", retryAfterMs: 10_000 },
    };
    const { clock, calls, warmer, idle } = setup({ hooks: [gate] });
    await idle();
    await clock.tickAsync(INTERVAL);
    expect(calls).toEqual([]);
    expect(warmer.getState("c").nextWarmAt).toBe(clock.now + 10_000);
    expect(await warmer.warmNow("c")).toEqual({
      ok: false,
      reason: "budget",
      error: "spent",
      retryAfterMs: 10_000,
    });
    open = true;
    await clock.tickAsync(10_000);
    expect(calls).toHaveLength(1);
  });

  it("decide the schedule: the shortest delay wins, and one null stops it", async () => {
    let paused = false;
    const { clock, warmer, idle } = setup({
      hooks: [{ schedule: () => 60_000 }, { schedule: () => (paused ? null : undefined) }],
    });
    await idle();
    expect(warmer.getState("c").nextWarmAt).toBe(clock.now + 60_000);
    paused = true;
    warmer.refresh("c");
    expect(warmer.getState("c").nextWarmAt).toBeNull();
    paused = false;
    await clock.tickAsync(5_000);
    warmer.refresh("c");
    expect(warmer.getState("c").nextWarmAt).toBe(clock.now + 60_000);
    // A countdown that may go on is kept as it is.
    await clock.tickAsync(5_000);
    warmer.refresh("c");
    expect(warmer.getState("c").nextWarmAt).toBe(clock.now + 55_000);
  });

  it("may refuse a settings change, which then stores and changes nothing", async () => {
    const { store, warmer } = setup({
      hooks: [
        {
          settingsChanging: () => {
            throw new Error("over the cap");
          },
        },
      ],
    });
    await expect(warmer.setEnabled("c", true)).rejects.toThrow("over the cap");
    expect(store.size).toBe(0);
    expect(warmer.getState("c").enabled).toBe(false);
  });
});

describe("memory", () => {
  it("restores what an extra read back, and forgets a conversation only when nothing runs", async () => {
    const { clock, warmer } = setup();
    warmer.refresh("c", { enabled: true, lastPct: 42, context: { modelName: "m" } });
    expect(warmer.getState("c")).toMatchObject({
      enabled: true,
      lastPct: 42,
      nextWarmAt: clock.now + INTERVAL,
    });
    expect(warmer.getContext("c")).toEqual({ modelName: "m" });
    expect(warmer.release("c")).toBe(false); // its timer runs
    warmer.refresh("c", { enabled: false });
    expect(warmer.release("c")).toBe(true);
    expect(warmer.getState("c")).toBe(warmer.getState("never-seen"));
  });

  it("arms nothing after shutdown, and answers a warm asked after it", async () => {
    const { clock, warmer, idle } = setup();
    await idle();
    warmer.dispose();
    expect(clock.countTimers()).toBe(0);
    expect(await warmer.warmNow("c")).toMatchObject({ ok: false, reason: "closed" });
    warmer.onTurnSettled("c", {});
    expect(clock.countTimers()).toBe(0);
  });
});
