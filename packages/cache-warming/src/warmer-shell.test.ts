import { describe, expect, it } from "vitest";
import { SIM_PRICING } from "./modules/economics.js";
import { setSpendLimits } from "./modules/spend-limits.js";
import { createHarness, HIT, INTERVAL, MISS, START, stat, timerOf } from "./testing/harness.js";

const C = "conv-1";

describe("warmNow restarts the automatic cycle", () => {
  it("resets the countdown to the full interval, in the one update it pushes", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    expect(h.timer(C).nextWarmAt).toBe(START + INTERVAL);

    await h.clock.tickAsync(100_000);
    h.pushed.length = 0;
    const result = await h.warmer.warmNow(C);

    expect(result).toMatchObject({
      ok: true,
      cachePct: 87,
      expectedCacheRate: 87,
      lastWarmAt: START + 100_000,
      nextWarmAt: START + 100_000 + INTERVAL,
    });
    expect(h.pushed).toHaveLength(1);
    expect(timerOf(h.pushed[0]!.spec)).toMatchObject({
      nextWarmAt: START + 100_000 + INTERVAL,
      lastWarmAt: START + 100_000,
    });
    expect(stat(h.pushed[0]!.spec, "Last Cache %")).toBe("87%");
  });

  it("fires the next automatic warm one interval after the manual one, never at the old time", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(100_000);
    await h.warmer.warmNow(C);
    expect(h.calls).toHaveLength(1);

    await h.clock.tickAsync(INTERVAL - 100_000); // the old fire time
    expect(h.calls).toHaveLength(1);
    await h.clock.tickAsync(100_000 - 1);
    expect(h.calls).toHaveLength(1);
    await h.clock.tickAsync(1);
    expect(h.calls).toHaveLength(2);
    expect(h.timer(C)).toMatchObject({
      lastWarmAt: START + 100_000 + INTERVAL,
      nextWarmAt: START + 100_000 + 2 * INTERVAL,
    });
  });

  it("reuses the settled turn's cwd and model; a manual warm's own model is kept until the next turn", async () => {
    const h = createHarness({ manualWarmMinGapMs: 0 });
    await h.enabledAndIdle(C);
    await h.warmer.warmNow(C);
    await h.warmer.warmNow(C, { modelName: "m2" });
    expect(timerOf(h.pushed.at(-1)!.spec)).toMatchObject({
      model: "m2",
      switchedFrom: { model: "m1", at: START },
    });
    expect(stat(h.spec(C), "Model")).toBe(
      "m2 (switched from m1 by a manual warm: its first warm found no cache)",
    );
    expect(timerOf(h.spec(C)).history?.map((entry) => [entry.trigger, entry.model])).toEqual([
      ["manual", "m1"],
      ["manual", "m2"],
    ]);
    await h.clock.tickAsync(INTERVAL);
    await h.warmer.onTurnSettled(C, { cwd: "/repo", modelName: "m3" });
    expect(timerOf(h.spec(C)).switchedFrom).toBeNull(); // a turn says which model is warm
    expect(stat(h.spec(C), "Model")).toBe("m3");
    await h.clock.tickAsync(INTERVAL);
    expect(h.calls.map((call) => call.opts)).toEqual([
      { cwd: "/repo", modelName: "m1" },
      { cwd: "/repo", modelName: "m2" },
      { cwd: "/repo", modelName: "m2" },
      { cwd: "/repo", modelName: "m3" },
    ]);
  });

  it("keeps the old model when a manual warm with another one is refused", async () => {
    const h = createHarness({ manualWarmMinGapMs: 0 });
    await h.enabledAndIdle(C);
    h.setResponse(() => ({ error: 'unknown model "zzz"' }));
    await h.warmer.warmNow(C, { modelName: "zzz" });
    h.setResponse(() => HIT);
    await h.clock.tickAsync(INTERVAL);
    expect(h.calls.map((call) => call.opts?.modelName)).toEqual(["zzz", "m1"]);
    expect(timerOf(h.spec(C)).model).toBe("m1");
  });

  it("moves lastWarmAt on every warm even when the percentage is identical", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.warmer.warmNow(C);
    const first = h.timer(C).lastWarmAt;
    await h.clock.tickAsync(5_000);
    await h.warmer.warmNow(C);
    const second = h.pushed.at(-1)!;
    expect(stat(second.spec, "Last Cache %")).toBe("87%");
    expect(timerOf(second.spec).lastWarmAt).toBe(first! + 5_000);
  });

  it("warms and records when warming is disabled, but arms nothing", async () => {
    const h = createHarness();
    await h.warmer.onTurnSettled(C);
    const result = await h.warmer.warmNow(C);
    expect(result).toMatchObject({ ok: true, nextWarmAt: null, lastWarmAt: START });
    expect(h.timer(C)).toMatchObject({ nextWarmAt: null, lastWarmAt: START });
    expect(h.clock.countTimers()).toBe(0);
  });
});

describe("the countdown follows the lifecycle", () => {
  it("is null while disabled and while a turn runs, and comes back on settle", async () => {
    const h = createHarness();
    await h.warmer.onTurnSettled(C);
    expect(h.timer(C).nextWarmAt).toBeNull();

    await h.warmer.setEnabled(C, true);
    expect(h.timer(C).nextWarmAt).toBe(START + INTERVAL);

    await h.clock.tickAsync(10_000);
    h.warmer.onTurnStarted(C);
    expect(h.timer(C).nextWarmAt).toBeNull();
    await h.clock.tickAsync(INTERVAL * 3);
    expect(h.calls).toHaveLength(0);

    await h.warmer.onTurnSettled(C);
    expect(h.timer(C).nextWarmAt).toBe(h.clock.now + INTERVAL);

    await h.warmer.setEnabled(C, false);
    expect(h.timer(C).nextWarmAt).toBeNull();
    await h.clock.tickAsync(INTERVAL * 3);
    expect(h.calls).toHaveLength(0);
  });

  it("pushes exactly one update per lifecycle change, each with the state it describes", async () => {
    const h = createHarness();
    const steps: Array<[string, () => Promise<unknown> | unknown, number | null]> = [
      ["enable", () => h.warmer.setEnabled(C, true), START + INTERVAL],
      ["settle", () => h.warmer.onTurnSettled(C), START + INTERVAL],
      ["start", () => h.warmer.onTurnStarted(C), null],
      ["settle", () => h.warmer.onTurnSettled(C), START + INTERVAL],
      ["interval", () => h.warmer.setIntervalMs(C, 60_000), START + 60_000],
      ["warm", () => h.warmer.warmNow(C), START + 60_000],
      ["disable", () => h.warmer.setEnabled(C, false), null],
    ];
    for (const [name, step, nextWarmAt] of steps) {
      h.pushed.length = 0;
      await step();
      expect(h.pushed, name).toHaveLength(1);
      expect(timerOf(h.pushed[0]!.spec).nextWarmAt, name).toBe(nextWarmAt);
    }
  });

  it("keeps a running countdown when warming is enabled again, and restarts it on a new interval", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(30_000);
    await h.warmer.setEnabled(C, true);
    expect(h.timer(C).nextWarmAt).toBe(START + INTERVAL);
    await h.warmer.setIntervalMs(C, 60_000);
    expect(h.timer(C).nextWarmAt).toBe(START + 30_000 + 60_000);
    expect(h.clock.countTimers()).toBe(1);
  });

  it("clamps an interval into 1 s … a day for a model whose cache lifetime is unknown, as upstream does", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C); // m1: no price-table entry
    for (const [asked, set] of [
      [290_001, 290_001],
      [3_600_000, 3_600_000],
      [86_400_001, 86_400_000],
    ] as const) {
      expect(await h.warmer.setIntervalMs(C, asked)).toEqual({ enabled: true, intervalMs: set });
      expect(h.timer(C)).toMatchObject({ nextWarmAt: h.clock.now + set, maxIntervalMs: null });
    }
  });

  it("clamps an interval into 1 s … what the cache's 5-minute TTL allows (290 s), and says what it set", async () => {
    const h = createHarness({ prices: { m1: SIM_PRICING } });
    await h.enabledAndIdle(C);
    const cases: Array<[number, number]> = [
      [999, 1000],
      [0, 1000],
      [-5, 1000],
      [1500.4, 1500],
      [Number.NaN, 1000],
      [Number.POSITIVE_INFINITY, 1000],
      [290_000, 290_000],
      [290_001, 290_000],
      [86_400_001, 290_000],
    ];
    for (const [asked, set] of cases) {
      expect(await h.warmer.setIntervalMs(C, asked)).toEqual({ enabled: true, intervalMs: set });
      expect(h.timer(C).nextWarmAt).toBe(h.clock.now + set);
    }
  });
  it("pushes the countdown reaching zero, then the automatic warm's result", async () => {
    const h = createHarness({ autoRespond: false });
    await h.enabledAndIdle(C);
    h.pushed.length = 0;
    await h.clock.tickAsync(INTERVAL);
    const inFlight = {
      nextWarmAt: null,
      lastWarmAt: null,
      serverNow: START + INTERVAL,
      state: "warming",
      reason: null,
      intervalMs: INTERVAL,
      lastFailure: null,
      model: "m1",
      policy: "adaptive",
      // m1 has no price-table entry: any interval, warms counted, dollars unknown.
      maxIntervalMs: null,
      cacheTtlMs: null,
      ledger: { spentUsd: null, savedUsd: null, netUsd: null, warms: 0, turnsSaved: 0 },
      lastRefusal: null,
      history: [],
      switchedFrom: null,
    };
    expect(h.pushed.map((p) => timerOf(p.spec))).toEqual([inFlight]);
    h.pending[0]!.resolve(HIT);
    await h.flush();
    expect(h.pushed.map((p) => timerOf(p.spec))).toEqual([
      inFlight,
      {
        ...inFlight,
        nextWarmAt: START + 2 * INTERVAL,
        lastWarmAt: START + INTERVAL,
        state: "scheduled",
        ledger: { ...inFlight.ledger, warms: 1 },
        history: [
          {
            at: START + INTERVAL,
            trigger: "auto",
            model: "m1",
            cachePct: 87,
            costUsd: null,
            error: null,
          },
        ],
      },
    ]);
  });
});

describe("manual warms meet turns, each other and automatic warms", () => {
  it("refuses a manual warm while a turn is generating, without calling the provider", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    h.warmer.onTurnStarted(C);
    h.pushed.length = 0;
    const result = await h.warmer.warmNow(C);
    expect(result).toMatchObject({ ok: false, reason: "generating" });
    expect(h.calls).toHaveLength(0);
    expect(h.pushed).toHaveLength(0);
  });

  it("coalesces two manual warms into one provider call and arms one timer", async () => {
    const h = createHarness({ autoRespond: false });
    await h.enabledAndIdle(C);
    const first = h.warmer.warmNow(C);
    const second = h.warmer.warmNow(C);
    await h.flush();
    expect(h.calls).toHaveLength(1);
    h.pending[0]!.resolve(HIT);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual(b);
    expect(a.ok).toBe(true);
    expect(h.clock.countTimers()).toBe(1);
    expect(h.pushed.filter((p) => timerOf(p.spec).lastWarmAt !== null)).toHaveLength(1);
  });

  it("lets a manual warm join an automatic warm in flight", async () => {
    const h = createHarness({ autoRespond: false });
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(INTERVAL);
    expect(h.calls).toHaveLength(1);
    const manual = h.warmer.warmNow(C);
    await h.flush();
    expect(h.calls).toHaveLength(1);
    h.pending[0]!.resolve(HIT);
    expect(await manual).toMatchObject({ ok: true, nextWarmAt: START + 2 * INTERVAL });
  });

  it("lets a timer that fires during a manual warm join it instead of warming twice", async () => {
    const h = createHarness({ autoRespond: false });
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(INTERVAL - 10);
    const manual = h.warmer.warmNow(C);
    await h.clock.tickAsync(10); // the old timer fires while the manual warm is in flight
    expect(h.calls).toHaveLength(1);
    h.pending[0]!.resolve(HIT);
    expect(await manual).toMatchObject({ ok: true, nextWarmAt: START + 2 * INTERVAL });
    expect(h.clock.countTimers()).toBe(1);
  });

  it("records a result that lands after a turn started, without arming", async () => {
    const h = createHarness({ autoRespond: false });
    await h.enabledAndIdle(C);
    const manual = h.warmer.warmNow(C);
    await h.flush();
    h.warmer.onTurnStarted(C);
    h.pending[0]!.resolve(HIT);
    expect(await manual).toMatchObject({ ok: true, nextWarmAt: null });
    expect(h.timer(C)).toMatchObject({ nextWarmAt: null, lastWarmAt: START });
    expect(h.clock.countTimers()).toBe(0);
  });

  it("limits manual warms to one per second per conversation", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.warmer.warmNow(C);
    await h.clock.tickAsync(400);
    h.pushed.length = 0;
    expect(await h.warmer.warmNow(C)).toMatchObject({
      ok: false,
      reason: "rate-limited",
      retryAfterMs: 600,
    });
    expect(await h.warmer.warmNow("other")).toMatchObject({ ok: true });
    expect(h.pushed.map((p) => p.conversationId)).toEqual(["other"]);
    await h.clock.tickAsync(600);
    expect(await h.warmer.warmNow(C)).toMatchObject({ ok: true });
    expect(h.calls).toHaveLength(3);
  });
});

describe("a failed warm", () => {
  it("keeps the last good pct, shows the error and keeps the schedule", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.warmer.warmNow(C);
    await h.clock.tickAsync(2_000);
    h.setResponse(() => ({ error: "conversation has no history" }));
    h.pushed.length = 0;
    const result = await h.warmer.warmNow(C);
    expect(result).toEqual({ ok: false, reason: "refused", error: "conversation has no history" });
    expect(h.pushed).toHaveLength(1);
    const spec = h.pushed[0]!.spec;
    expect(stat(spec, "Last Cache %")).toBe("87%");
    expect(stat(spec, "Last error")).toBe("conversation has no history");
    expect(timerOf(spec)).toMatchObject({
      lastWarmAt: START,
      nextWarmAt: START + 2_000 + INTERVAL,
    });
  });

  it("survives a provider that throws or rejects, and clears the error on the next success", async () => {
    const h = createHarness({ manualWarmMinGapMs: 0 });
    await h.enabledAndIdle(C);
    h.setResponse(() => {
      throw new Error("socket hang up");
    });
    expect(await h.warmer.warmNow(C)).toMatchObject({ reason: "failed", error: "socket hang up" });
    await h.clock.tickAsync(1_000);
    h.setResponse(() => Promise.reject(new Error("503 from provider")));
    expect(await h.warmer.warmNow(C)).toMatchObject({
      reason: "failed",
      error: "503 from provider",
    });
    expect(stat(h.spec(C), "Last error")).toBe("503 from provider");
    expect(h.timer(C).nextWarmAt).toBe(START + 1_000 + INTERVAL);
    h.setResponse(() => HIT);
    await h.clock.tickAsync(INTERVAL);
    expect(h.calls).toHaveLength(3);
    expect(stat(h.spec(C), "Last error")).toBe("—");
    expect(h.timer(C).lastWarmAt).toBe(START + 1_000 + INTERVAL);
  });

  it("treats a provider result of the wrong shape as a failure", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    h.setResponse(() => ({ inputTokens: "lots" }) as never);
    expect(await h.warmer.warmNow(C)).toMatchObject({
      ok: false,
      reason: "failed",
      error: "warm service returned an invalid result",
    });
  });

  it("times out a provider that never answers after 30 s by default, and ignores its late answer", async () => {
    const h = createHarness({ autoRespond: false });
    await h.enabledAndIdle(C);
    let settled = false;
    const manual = h.warmer.warmNow(C).finally(() => {
      settled = true;
    });
    await h.clock.tickAsync(29_999);
    expect(settled).toBe(false);
    await h.clock.tickAsync(1);
    expect(await manual).toEqual({
      ok: false,
      reason: "timeout",
      error: "warm service did not answer within 30000 ms",
    });
    expect(h.timer(C)).toMatchObject({ lastWarmAt: null, nextWarmAt: START + 30_000 + INTERVAL });
    h.pending[0]!.resolve(HIT);
    await h.flush();
    expect(h.timer(C).lastWarmAt).toBeNull();
    // The conversation is not wedged: the next warm goes to the provider again.
    await h.clock.tickAsync(INTERVAL);
    expect(h.calls).toHaveLength(2);
  });
});

describe("settings persistence", () => {
  it("stores enabled and interval under settings:<id> and a new warmer reads them back", async () => {
    const h = createHarness();
    await h.warmer.setEnabled(C, true);
    await h.warmer.setIntervalMs(C, 90_000);
    expect(JSON.parse((await h.storage.get(`settings:${C}`))!)).toMatchObject({
      enabled: true,
      intervalMs: 90_000,
    });
    const restarted = createHarness({ storage: h.storage });
    await restarted.warmer.ensureLoaded(C);
    expect(restarted.warmer.getState(C)).toMatchObject({ enabled: true, intervalMs: 90_000 });
    await restarted.warmer.onTurnSettled(C);
    expect(restarted.timer(C).nextWarmAt).toBe(START + 90_000);
  });

  it("applies concurrent toggles in call order", async () => {
    const h = createHarness();
    await Promise.all([
      h.warmer.toggleEnabled(C),
      h.warmer.toggleEnabled(C),
      h.warmer.toggleEnabled(C),
    ]);
    expect(h.warmer.getState(C).enabled).toBe(true);
    expect(JSON.parse((await h.storage.get(`settings:${C}`))!).enabled).toBe(true);
  });

  it("reports a failed write and leaves the conversation as it was", async () => {
    const h = createHarness({
      storage: {
        get: async () => null,
        set: async () => {
          throw new Error("disk full");
        },
      },
    });
    await h.warmer.onTurnSettled(C);
    h.pushed.length = 0;
    await expect(h.warmer.setEnabled(C, true)).rejects.toThrow("disk full");
    expect(h.warmer.getState(C)).toMatchObject({ enabled: false, nextWarmAt: null });
    expect(h.pushed).toHaveLength(0);
    expect(h.clock.countTimers()).toBe(0);
  });

  it("reports a failed read on a settings change and tries again next time", async () => {
    let failReads = true;
    const h = createHarness({
      storage: {
        get: async () => {
          if (failReads) throw new Error("io error");
          return null;
        },
        set: async () => {},
      },
    });
    await expect(h.warmer.setEnabled(C, true)).rejects.toThrow("io error");
    expect(h.warmer.getState(C).enabled).toBe(false);
    failReads = false;
    await h.warmer.setEnabled(C, true);
    expect(h.warmer.getState(C).enabled).toBe(true);
  });
});

describe("closing a conversation", () => {
  it("stops the timer, persists warming off and drops a warm still in flight", async () => {
    const h = createHarness({ autoRespond: false });
    await h.enabledAndIdle(C);
    const manual = h.warmer.warmNow(C);
    await h.flush();
    await h.warmer.onConversationClosed(C);
    expect(await manual).toMatchObject({ ok: false, reason: "closed" });
    expect(h.clock.countTimers()).toBe(0);
    expect(JSON.parse((await h.storage.get(`settings:${C}`))!).enabled).toBe(false);
    h.pending[0]!.resolve(HIT);
    await h.clock.tickAsync(INTERVAL * 2);
    expect(h.warmer.getState(C)).toMatchObject({ enabled: false, lastWarmAt: null });
    expect(h.calls).toHaveLength(1);
  });
  it("drops a provider answer that lands in the same tick as the close, at any microtask", async () => {
    for (let microtasks = 0; microtasks < 8; microtasks++) {
      const h = createHarness({ autoRespond: false });
      await h.enabledAndIdle(C);
      const manual = h.warmer.warmNow(C);
      await h.flush();
      h.pending[0]!.resolve(HIT);
      for (let i = 0; i < microtasks; i++) await Promise.resolve();
      const closing = h.warmer.onConversationClosed(C);
      await manual;
      await closing;
      expect(h.warmer.getState(C).lastWarmAt, `after ${microtasks} microtasks`).toBeNull();
      expect(h.clock.countTimers()).toBe(0);
    }
  });
});

describe("closing while settings are read or written", () => {
  /** Memory storage whose reads wait until the test lets them through. */
  function gatedStorage() {
    const values = new Map<string, string>();
    const waiting: Array<() => void> = [];
    return {
      values,
      release: () => {
        for (const go of waiting.splice(0)) go();
      },
      storage: {
        get: (key: string) =>
          new Promise<string | null>((resolve) =>
            waiting.push(() => resolve(values.get(key) ?? null)),
          ),
        set: async (key: string, value: string) => {
          values.set(key, value);
        },
      },
    };
  }

  it("neither arms nor warms a conversation closed while its settings load", async () => {
    const gate = gatedStorage();
    gate.values.set(`settings:${C}`, JSON.stringify({ enabled: true, intervalMs: INTERVAL }));
    const h = createHarness({ storage: gate.storage });
    const settled = h.warmer.onTurnSettled(C, { modelName: "m1" });
    const manual = h.warmer.warmNow(C);
    const closing = h.warmer.onConversationClosed(C);
    await h.flush();
    gate.release();
    await h.flush();
    gate.release();
    await Promise.all([settled, closing]);
    expect(await manual).toMatchObject({ ok: false, reason: "closed" });
    expect(h.clock.countTimers()).toBe(0); // not even a timer that would fire into nothing
    await h.clock.tickAsync(INTERVAL * 3);
    expect(h.calls).toHaveLength(0);
    expect(h.clock.countTimers()).toBe(0);
  });

  it("does not arm a conversation closed while enabling it is being written", async () => {
    let finishWrite: () => void = () => {};
    const h = createHarness({
      storage: {
        get: async () => null,
        set: () => new Promise<void>((resolve) => (finishWrite = resolve)),
      },
    });
    await h.warmer.onTurnSettled(C, { modelName: "m1" });
    const enabling = h.warmer.setEnabled(C, true);
    await h.flush();
    const closing = h.warmer.onConversationClosed(C);
    finishWrite();
    await enabling;
    expect(h.clock.countTimers()).toBe(0);
    await h.flush();
    finishWrite();
    await closing;
    await h.clock.tickAsync(INTERVAL * 3);
    expect(h.calls).toHaveLength(0);
    expect(h.clock.countTimers()).toBe(0);
  });
});

describe("the warmer's dependencies", () => {
  it("reads onSurfaceChange at call time, so it can be swapped after creation", async () => {
    const h = createHarness();
    const seen: Array<string | undefined> = [];
    h.deps.onSurfaceChange = (id) => seen.push(id);
    await h.warmer.setEnabled(C, true);
    expect(seen).toEqual([C]);
    expect(h.pushed).toHaveLength(0);
  });

  it("keeps warming when the surface listener throws", async () => {
    const h = createHarness();
    h.deps.onSurfaceChange = () => {
      throw new Error("listener bug");
    };
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(INTERVAL);
    expect(h.calls).toHaveLength(1);
    expect(h.warmer.getState(C).nextWarmAt).toBe(START + 2 * INTERVAL);
  });

  it("stops every timer on dispose", async () => {
    const h = createHarness();
    await h.enabledAndIdle("a");
    await h.enabledAndIdle("b");
    h.warmer.dispose();
    expect(h.clock.countTimers()).toBe(0);
    await h.clock.tickAsync(INTERVAL * 2);
    expect(h.calls).toHaveLength(0);
  });

  it("arms nothing and warms nothing once disposed, whatever arrives later", async () => {
    const h = createHarness();
    await h.warmer.setEnabled(C, true);
    h.warmer.dispose();
    await h.warmer.onTurnSettled(C, { modelName: "m1" });
    expect(h.clock.countTimers()).toBe(0);
    h.warmer.onTurnStarted(C);
    await h.warmer.onTurnSettled(C, { modelName: "m1" });
    expect(await h.warmer.warmNow(C)).toMatchObject({ ok: false, reason: "closed" });
    await h.clock.tickAsync(INTERVAL * 2);
    expect(h.clock.countTimers()).toBe(0);
    expect(h.calls).toHaveLength(0);
  });
});

describe("spend guard", () => {
  it("stops after the idle cap of automatic warms and says why; a settle resumes", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(INTERVAL * 20);
    expect(h.calls).toHaveLength(15);
    expect(h.timer(C).nextWarmAt).toBeNull();
    expect(stat(h.spec(C), "Schedule")).toBe(
      "Paused: 15 automatic warms since the last turn (idle cap 15)",
    );

    await h.warmer.onTurnSettled(C);
    expect(stat(h.spec(C), "Schedule")).toBe("Scheduled");
    await h.clock.tickAsync(INTERVAL * 20);
    expect(h.calls).toHaveLength(30);
  });

  it("resumes on a manual warm and on re-enabling, with the count reset", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(INTERVAL * 15);
    expect(h.timer(C).nextWarmAt).toBeNull();
    await h.warmer.warmNow(C);
    expect(h.timer(C).nextWarmAt).toBe(h.clock.now + INTERVAL);
    await h.clock.tickAsync(INTERVAL * 20);
    expect(h.calls).toHaveLength(15 + 1 + 15);

    await h.warmer.setEnabled(C, false);
    await h.warmer.setEnabled(C, true);
    expect(h.timer(C).nextWarmAt).toBe(h.clock.now + INTERVAL);
  });

  it("pauses after two automatic warms that read nothing; a good warm between resets it", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    const script = [MISS, HIT, MISS, MISS, HIT];
    h.setResponse(() => script.shift() ?? HIT);
    await h.clock.tickAsync(INTERVAL * 10);
    expect(h.calls).toHaveLength(4);
    expect(stat(h.spec(C), "Schedule")).toBe(
      "Paused: the cache was not retained (2 warms in a row read nothing)",
    );
    await h.warmer.onTurnSettled(C);
    expect(h.timer(C).nextWarmAt).toBe(h.clock.now + INTERVAL);
  });

  it("treats 0 as unlimited for both limits", async () => {
    const h = createHarness();
    await h.storage.set(`settings:${C}`, JSON.stringify({ enabled: true, intervalMs: INTERVAL }));
    await h.storage.set(`spend-limits:${C}`, JSON.stringify({ idleWarmCap: 0, deadWarmLimit: 0 }));
    h.setResponse(() => MISS);
    await h.warmer.onTurnSettled(C);
    await h.clock.tickAsync(INTERVAL * 40);
    expect(h.calls).toHaveLength(40);
  });

  it("takes new limits per conversation, persists them and lifts a pause", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await setSpendLimits(h.warmer, C, { idleWarmCap: 2 });
    await h.clock.tickAsync(INTERVAL * 5);
    expect(h.calls).toHaveLength(2);
    expect(stat(h.spec(C), "Schedule")).toBe(
      "Paused: 2 automatic warms since the last turn (idle cap 2)",
    );
    await setSpendLimits(h.warmer, C, { idleWarmCap: 0 });
    expect(h.timer(C).nextWarmAt).toBe(h.clock.now + INTERVAL);
    expect(JSON.parse((await h.storage.get(`spend-limits:${C}`))!)).toEqual({
      idleWarmCap: 0,
      deadWarmLimit: 2,
      policy: "adaptive",
    });
    expect(JSON.parse((await h.storage.get(`settings:${C}`))!)).toEqual({
      enabled: true,
      intervalMs: INTERVAL,
    });
    await expect(setSpendLimits(h.warmer, C, { deadWarmLimit: -1 })).rejects.toThrow(RangeError);
  });

  it("lifts a dead-cache pause when a looser limit no longer holds it, and persists", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    h.setResponse(() => MISS);
    await h.clock.tickAsync(INTERVAL * 3);
    expect(h.timer(C)).toMatchObject({ state: "paused", reason: "dead-cache" });
    await setSpendLimits(h.warmer, C, { deadWarmLimit: 5 });
    expect(h.timer(C)).toMatchObject({ state: "scheduled", nextWarmAt: h.clock.now + INTERVAL });
    expect(JSON.parse((await h.storage.get(`spend-limits:${C}`))!)).toMatchObject({
      deadWarmLimit: 5,
    });
  });

  it("keeps a pause the new limits still hold: a policy change alone grants no warm", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    h.setResponse(() => MISS);
    await h.clock.tickAsync(INTERVAL * 3);
    await setSpendLimits(h.warmer, C, { policy: "break-even" });
    expect(h.timer(C)).toMatchObject({ state: "paused", reason: "dead-cache" });
    expect(JSON.parse((await h.storage.get(`spend-limits:${C}`))!)).toMatchObject({
      policy: "break-even",
    });
    await h.clock.tickAsync(INTERVAL * 3);
    expect(h.calls).toHaveLength(2);
  });

  it("pauses at once when a lower idle cap is set after more warms than it allows", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(INTERVAL * 3);
    expect(h.calls).toHaveLength(3);
    await setSpendLimits(h.warmer, C, { idleWarmCap: 1 });
    expect(h.timer(C)).toMatchObject({ state: "paused", reason: "idle-cap", nextWarmAt: null });
    expect(stat(h.spec(C), "Schedule")).toBe(
      "Paused: 3 automatic warms since the last turn (idle cap 1)",
    );
    await h.clock.tickAsync(INTERVAL * 3);
    expect(h.calls).toHaveLength(3);
    // Raising it past the warms made lifts the pause, for the warms left under it.
    await setSpendLimits(h.warmer, C, { idleWarmCap: 4 });
    await h.clock.tickAsync(INTERVAL * 3);
    expect(h.calls).toHaveLength(4);
    expect(stat(h.spec(C), "Schedule")).toBe(
      "Paused: 4 automatic warms since the last turn (idle cap 4)",
    );
  });

  it("puts serverNow, the injected clock at build time, in the timer payload", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(12_345);
    expect(h.timer(C).serverNow).toBe(START + 12_345);
  });
});

describe("restarts", () => {
  it("leaves alone a stored schedule whose id the host would not accept", async () => {
    const before = createHarness();
    await before.enabledAndIdle("bad\nid");
    await before.enabledAndIdle("good");
    await before.flush();
    before.warmer.dispose();
    const after = createHarness({ storage: before.storage, start: START + 10_000 });
    const report = await after.warmer.resumeSchedules({ accepts: (id) => !id.includes("\n") });
    expect(report.resumed.map((r) => r.conversationId)).toEqual(["good"]);
    expect(after.warmer.stats().conversationsInMemory).toBe(1);
    await after.clock.tickAsync(INTERVAL);
    expect(after.calls.map((call) => call.conversationId)).toEqual(["good"]);
  });

  it("keeps what a restart needs while warming is on, and forgets it when it goes off", async () => {
    const h = createHarness();
    await h.enabledAndIdle(C);
    await h.flush();
    expect(JSON.parse((await h.storage.get(`schedule:${C}`))!)).toEqual({
      context: { cwd: "/repo", modelName: "m1" },
      lastTouchedAt: START,
      lastWarmAt: null,
      nextWarmAt: START + INTERVAL,
      lastPct: null,
      lastExpectedPct: null,
      pausedBy: null,
      autoWarmsSinceTurn: 0,
      deadWarmStreak: 0,
      lastTurnSettledAt: START,
      warmStartedAt: null,
      generating: false,
      history: [],
    });
    await h.clock.tickAsync(INTERVAL);
    expect(JSON.parse((await h.storage.get(`schedule:${C}`))!)).toMatchObject({
      lastTouchedAt: START + INTERVAL,
      lastWarmAt: START + INTERVAL,
      nextWarmAt: START + 2 * INTERVAL,
      lastPct: 87,
    });
    await h.warmer.setEnabled(C, false);
    await h.flush();
    // Off, the record stays only for the warm history (nothing to resume).
    expect(JSON.parse((await h.storage.get(`schedule:${C}`))!)).toMatchObject({
      nextWarmAt: null,
      history: [{ at: START + INTERVAL, trigger: "auto", cachePct: 87 }],
    });
    await h.warmer.setEnabled("never-warmed", true);
    await h.warmer.setEnabled("never-warmed", false);
    await h.flush();
    expect(await h.storage.get("schedule:never-warmed")).toBeNull();
  });

  it("resumes a schedule whose cache is alive at its old time, and not one whose cache died", async () => {
    const before = createHarness();
    await before.enabledAndIdle("dead");
    await before.clock.tickAsync(100_000);
    await before.enabledAndIdle("live");
    await before.flush();
    before.warmer.dispose();

    // Down from START + 100 s to START + 320 s: "dead" was last touched 320 s ago (TTL 300 s),
    // "live" 220 s ago, and its next warm was due at START + 340 s.
    const after = createHarness({ storage: before.storage, start: START + 320_000 });
    const report = await after.warmer.resumeSchedules();
    expect(report).toEqual({
      resumed: [{ conversationId: "live", at: START + 340_000 }],
      notResumed: [{ conversationId: "dead", reason: "cache-expired" }],
    });
    expect(after.timer("live")).toMatchObject({
      state: "scheduled",
      nextWarmAt: START + 340_000,
      model: "m1",
    });
    expect(after.timer("dead")).toMatchObject({
      state: "idle",
      reason: "cache-expired",
      nextWarmAt: null,
    });
    expect(stat(after.spec("dead"), "Schedule")).toBe(
      "Not resumed: the cache expired while the server was down",
    );
    await after.clock.tickAsync(20_000);
    expect(after.calls).toEqual([
      { conversationId: "live", opts: { cwd: "/repo", modelName: "m1" } },
    ]);
    await after.clock.tickAsync(INTERVAL * 3);
    expect(after.calls.filter((call) => call.conversationId === "dead")).toHaveLength(0);

    // A turn starts it again, and the reason goes.
    await after.warmer.onTurnSettled("dead", { modelName: "m1" });
    expect(after.timer("dead")).toMatchObject({ state: "scheduled", reason: null });
  });

  it("warms at once when the old time passed during the downtime but the cache lives", async () => {
    const before = createHarness();
    await before.enabledAndIdle(C);
    await before.clock.tickAsync(INTERVAL); // one warm: touched at START + 240 s
    await before.flush();
    before.warmer.dispose();
    const after = createHarness({ storage: before.storage, start: START + 2 * INTERVAL + 10_000 });
    await after.warmer.resumeSchedules();
    expect(after.timer(C)).toMatchObject({ state: "scheduled", nextWarmAt: after.clock.now });
    await after.clock.tickAsync(0);
    expect(after.calls).toHaveLength(1);
  });

  it("says a schedule waits for a turn when nothing was ever warmed or settled", async () => {
    const before = createHarness();
    await before.warmer.setEnabled(C, true);
    await before.flush();
    before.warmer.dispose();
    const after = createHarness({ storage: before.storage, start: START + 1_000 });
    expect(await after.warmer.resumeSchedules()).toEqual({
      resumed: [],
      notResumed: [{ conversationId: C, reason: "awaiting-turn" }],
    });
    expect(after.timer(C)).toMatchObject({ state: "idle", reason: "awaiting-turn" });
  });
});

describe("the log of a warm cycle", () => {
  it("has a line with the conversation for each warm, pause, failure and refusal", async () => {
    const lines: Array<{ level: string; attrs: Record<string, unknown> }> = [];
    const record =
      (level: string) =>
      (_msg: string, attrs: Record<string, unknown> = {}) =>
        lines.push({ level, attrs });
    const h = createHarness({
      logger: {
        debug: () => {},
        info: record("info"),
        warn: record("warn"),
        error: record("error"),
      },
      manualWarmMinGapMs: 0,
    });
    await setSpendLimits(h.warmer, C, { idleWarmCap: 2 });
    await h.enabledAndIdle(C);
    await h.clock.tickAsync(INTERVAL);
    h.setResponse(() => {
      throw new Error("provider down");
    });
    await h.clock.tickAsync(INTERVAL);
    h.warmer.onTurnStarted(C);
    await h.warmer.warmNow(C);
    const infos = lines.filter((l) => l.level === "info").map((l) => l.attrs);
    expect(infos).toContainEqual({
      conversationId: C,
      trigger: "auto",
      cachePct: 87,
      expectedCacheRate: 87,
      model: "m1",
      nextWarmAt: START + 2 * INTERVAL,
    });
    expect(lines).toContainEqual({
      level: "warn",
      attrs: { conversationId: C, trigger: "auto", reason: "failed", error: "provider down" },
    });
    expect(infos).toContainEqual({ conversationId: C, reason: "idle-cap" });
    expect(infos).toContainEqual({ conversationId: C, reason: "generating" });
  });
});
