// Edges of the core's shell, file by file: a timer backend that fires what it was told to
// cancel, what memory keeps and forgets, what is read and written how often, the warm path's
// echoes and log lines, and what a restart reads back.
import { createMemoryStorage } from "@dispatch/kv-storage";
import { describe, expect, it } from "vitest";
import { economicsFor, pricingFor } from "./model-cache.js";
import { DEFAULT_PRICES } from "./modules/economics.js";
import { setSpendLimits } from "./modules/spend-limits.js";
import { LOST_IN_RESTART, parseScheduleRecord, restoreSchedule, scheduleKey } from "./restart.js";
import { DEFAULT_CACHE_TTL_MS, type WarmHistoryEntry } from "./state.js";
import { createHarness, HIT, INTERVAL, MISS, START } from "./testing/harness.js";
import { initialState } from "./transitions.js";
import type { WarmResult } from "./warm-service.js";
import type { SettingsStorage } from "./warmer.js";

type Level = "debug" | "info" | "warn" | "error";

function recordingLogger() {
  const lines: Array<{ level: Level; message: string; attrs: unknown }> = [];
  const at = (level: Level) => (message: string, attrs?: unknown) => {
    lines.push({ level, message, attrs });
  };
  return {
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    lines,
  };
}

function countingStorage() {
  const inner = createMemoryStorage();
  const reads: string[] = [];
  const writes: string[] = [];
  const storage: SettingsStorage = {
    get: (key) => {
      reads.push(key);
      return inner.get(key);
    },
    set: (key, value) => {
      writes.push(key);
      return inner.set(key, value);
    },
    delete: (key) => inner.delete(key),
    keys: (prefix) => inner.keys(prefix),
  };
  return { storage, inner, reads, writes };
}

describe("the countdown with a timer backend that fires cancelled timers", () => {
  function leakyHarness() {
    const h = createHarness();
    // Cancelling does nothing: every timer ever set fires.
    h.deps.timers = {
      setTimer: (fn, ms) => Number(h.clock.setTimeout(fn, ms)),
      clearTimer: () => {},
    };
    return h;
  }

  it("never warms for a timer a turn cancelled, or one a re-arm replaced", async () => {
    const h = leakyHarness();
    await h.enabledAndIdle("c");
    h.warmer.onTurnStarted("c");
    await h.clock.tickAsync(INTERVAL);
    expect(h.calls).toHaveLength(0);
    await h.warmer.onTurnSettled("c");
    await h.clock.tickAsync(INTERVAL / 2);
    await h.warmer.setIntervalMs("c", 200_000); // re-arms from now: due at 320 s
    await h.clock.tickAsync(INTERVAL / 2);
    expect(h.calls).toHaveLength(0); // the replaced timer fired at 240 s, and was ignored
    await h.clock.tickAsync(80_000);
    expect(h.calls).toHaveLength(1);
  });

  it("never warms for a timer of a conversation that was closed", async () => {
    const h = leakyHarness();
    await h.enabledAndIdle("c");
    await h.warmer.onConversationClosed("c");
    await h.clock.tickAsync(INTERVAL * 2);
    expect(h.calls).toHaveLength(0);
  });
});

describe("what memory keeps", () => {
  it("forgets a closed conversation whose settings it never read, rather than showing made-up ones", async () => {
    const h = createHarness();
    h.warmer.onTurnStarted("c");
    await h.warmer.onConversationClosed("c");
    expect(h.warmer.isLoaded("c")).toBe(false);
  });

  it("holds nothing after dispose", async () => {
    const h = createHarness();
    await h.enabledAndIdle("a");
    await h.enabledAndIdle("b");
    h.warmer.dispose();
    expect(h.warmer.stats()).toMatchObject({ conversationsInMemory: 0, enabledConversations: 0 });
  });
});

describe("reads and writes", () => {
  it("reads a conversation's records once, however many callers ask at the same time", async () => {
    const counting = countingStorage();
    const h = createHarness({ storage: counting.storage });
    await Promise.all([
      h.warmer.ensureLoaded("c"),
      h.warmer.ensureLoaded("c"),
      h.warmer.warmNow("c"),
    ]);
    expect(counting.reads.filter((key) => key === "settings:c")).toHaveLength(1);
  });

  it("writes the schedule and the ledger only when they change", async () => {
    const counting = countingStorage();
    const h = createHarness({ storage: counting.storage });
    await h.warmer.setEnabled("c", true);
    await h.flush();
    expect(counting.writes.filter((key) => key === "ledger:c")).toHaveLength(0);
    h.warmer.onTurnStarted("c");
    await h.flush();
    const schedules = counting.writes.filter((key) => key === scheduleKey("c")).length;
    h.warmer.onTurnStarted("c"); // nothing a restart needs has changed
    await h.flush();
    expect(counting.writes.filter((key) => key === scheduleKey("c"))).toHaveLength(schedules);
    await h.warmer.onTurnSettled("c", { modelName: "sim" });
    await h.clock.tickAsync(INTERVAL);
    await h.flush();
    const ledgers = counting.writes.filter((key) => key === "ledger:c").length;
    expect(ledgers).toBeGreaterThan(0);
    await h.warmer.setIntervalMs("c", 120_000); // the ledger does not change
    await h.flush();
    expect(counting.writes.filter((key) => key === "ledger:c")).toHaveLength(ledgers);
  });

  it("gives a restored conversation its model's cache lifetime", async () => {
    const storage = createMemoryStorage();
    const before = createHarness({ storage });
    await before.warmer.setEnabled("c", true);
    await before.warmer.onTurnSettled("c", { modelName: "claude-sonnet-4" });
    await before.flush();
    before.warmer.dispose();
    const after = createHarness({ storage, start: START + 60_000 });
    await after.warmer.ensureLoaded("c");
    expect(after.warmer.getState("c").economics).toMatchObject({
      model: "claude-sonnet-4",
      cacheTtlMs: 300_000,
      maxIntervalMs: 290_000,
    });
  });
});

describe("the warm path", () => {
  it("keeps the model automatic warms replay when a manual warm of another model fails", async () => {
    const h = createHarness({ manualWarmMinGapMs: 0 });
    await h.enabledAndIdle("c");
    h.setResponse(() => ({ error: "no such model" }));
    await h.warmer.warmNow("c", { modelName: "other" });
    expect(h.warmer.getContext("c")).toEqual({ cwd: "/repo", modelName: "m1" });
    h.setResponse(() => HIT);
    await h.warmer.warmNow("c", { modelName: "other" });
    expect(h.warmer.getContext("c")).toEqual({ cwd: "/repo", modelName: "other" });
  });

  it("logs a pause only when a warm starts one", async () => {
    const log = recordingLogger();
    const h = createHarness({ logger: log.logger });
    await h.warmer.setEnabled("c", true);
    await setSpendLimits(h.warmer, "c", { idleWarmCap: 2 });
    await h.warmer.onTurnSettled("c");
    await h.clock.tickAsync(INTERVAL);
    expect(log.lines.filter((line) => line.message === "cache-warming: paused")).toHaveLength(0);
    await h.clock.tickAsync(INTERVAL);
    expect(log.lines.filter((line) => line.message === "cache-warming: paused")).toEqual([
      {
        level: "info",
        message: "cache-warming: paused",
        attrs: { conversationId: "c", reason: "idle-cap" },
      },
    ]);
    // A manual warm while paused lifts it; a failure after does not log a pause.
    h.setResponse(() => ({ error: "down" }));
    await h.warmer.warmNow("c");
    expect(log.lines.filter((line) => line.message === "cache-warming: paused")).toHaveLength(1);
  });

  it("records another warm that finished during its own, and drops its own echo", async () => {
    const h = createHarness({ autoRespond: false, manualWarmMinGapMs: 0 });
    await h.enabledAndIdle("c");
    const warming = h.warmer.warmNow("c");
    await h.flush();
    const own: WarmResult = { ...HIT };
    const other: WarmResult = { ...MISS };
    h.warmer.onWarmCompleted({ conversationId: "c", usage: other });
    h.warmer.onWarmCompleted({ conversationId: "c", usage: own });
    h.pending[0]?.resolve(own);
    await warming;
    expect(h.warmer.getState("c").history.map((entry) => entry.cachePct)).toEqual([87, 0]);
  });

  it("says in the debug log when it drops a warm that finished during a turn", async () => {
    const log = recordingLogger();
    const h = createHarness({ logger: log.logger });
    h.warmer.onTurnStarted("c");
    h.warmer.onWarmCompleted({ conversationId: "c", usage: HIT });
    expect(log.lines).toContainEqual({
      level: "debug",
      message: "cache-warming: dropping warm result (conversation active)",
      attrs: { conversationId: "c" },
    });
    expect(h.warmer.getState("c").history).toHaveLength(0);
  });
});

describe("what a restart reads back", () => {
  const entry = (at: number, error: string | null): WarmHistoryEntry => ({
    at,
    trigger: "auto",
    model: null,
    cachePct: error === null ? 87 : null,
    costUsd: null,
    error,
  });

  it("keeps a failed warm's message in the history, and at most the last 20 warms", () => {
    const history = Array.from({ length: 25 }, (_, i) => entry(i, i === 24 ? "boom" : null));
    const record = parseScheduleRecord(
      JSON.stringify({ lastTouchedAt: 1, generating: false, history, warmStartedAt: 5 }),
    );
    expect(record?.history).toHaveLength(25);
    expect(record?.history.at(-1)?.error).toBe("boom");
    const restored = restoreSchedule({ ...initialState(), enabled: true }, record);
    expect(restored.history).toHaveLength(20);
    // The warm that was in flight at the stop is the newest entry, with the reason in words.
    expect(restored.history.at(-1)).toMatchObject({ at: 5, error: LOST_IN_RESTART });
    expect(LOST_IN_RESTART).toBe("its answer was lost when the server stopped; counted as made");
    // Without a warm in flight the restore itself keeps the last 20.
    const settled = restoreSchedule(
      { ...initialState(), enabled: true },
      parseScheduleRecord(JSON.stringify({ lastTouchedAt: 1, history })),
    );
    expect(settled.history).toHaveLength(20);
    expect(settled.history.at(-1)?.error).toBe("boom");
  });
});

describe("model names", () => {
  it("strips only a date or -latest at the very end", () => {
    expect(pricingFor(DEFAULT_PRICES, "claude-sonnet-4-20250514")).not.toBeNull();
    expect(pricingFor(DEFAULT_PRICES, "claude-sonnet-4-20250514-preview")).toBeNull();
    expect(pricingFor(DEFAULT_PRICES, "claude-sonnet-4-latest-beta")).toBeNull();
    const economics = economicsFor(DEFAULT_PRICES, "claude-sonnet-4", DEFAULT_CACHE_TTL_MS);
    expect(economics.maxIntervalMs).toBe(290_000);
  });
});
