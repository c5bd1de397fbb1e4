// What an operator reads in the log: one line per warm, refusal, failure, pause and resume,
// each naming its conversation, at the level that says how much it matters.
import { createMemoryStorage } from "@dispatch/kv-storage";
import { describe, expect, it } from "vitest";
import { setSpendLimits } from "./modules/spend-limits.js";
import { createHarness, INTERVAL, MISS, START } from "./testing/harness.js";

type Level = "debug" | "info" | "warn" | "error";
interface Line {
  level: Level;
  message: string;
  attrs: Record<string, unknown> | undefined;
}

function recordingLogger() {
  const lines: Line[] = [];
  const at =
    (level: Level) =>
    (message: string, attrs?: Record<string, unknown>): void => {
      lines.push({ level, message, attrs });
    };
  return {
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    lines,
    /** Lines logged since the last call, without the `err` objects (checked separately). */
    take(): Line[] {
      const taken = lines.splice(0);
      return taken.map(({ level, message, attrs }) => {
        if (attrs === undefined || !("err" in attrs)) return { level, message, attrs };
        const { err: _err, ...rest } = attrs;
        return { level, message, attrs: rest };
      });
    },
  };
}

describe("warmer log lines", () => {
  it("logs each warm with its outcome, and a pause once when it starts", async () => {
    const log = recordingLogger();
    const h = createHarness({ logger: log.logger });
    await h.warmer.setEnabled("c1", true);
    h.warmer.onTurnStarted("c1");
    await h.warmer.onTurnSettled("c1", { cwd: "/repo", modelName: "m1" });
    expect(log.take()).toEqual([
      { level: "debug", message: "cache-warming: turn started", attrs: { conversationId: "c1" } },
      { level: "debug", message: "cache-warming: turn settled", attrs: { conversationId: "c1" } },
    ]);

    await h.clock.tickAsync(INTERVAL);
    expect(log.take()).toEqual([
      { level: "debug", message: "cache-warming: firing warm", attrs: { conversationId: "c1" } },
      {
        level: "info",
        message: "cache-warming: warmed",
        attrs: {
          conversationId: "c1",
          trigger: "auto",
          cachePct: 87,
          expectedCacheRate: h.warmer.getState("c1").lastExpectedPct,
          model: "m1",
          nextWarmAt: START + 2 * INTERVAL,
        },
      },
    ]);

    h.setResponse(() => ({ error: "no history" }));
    await h.warmer.warmNow("c1");
    h.setResponse(() => {
      throw new Error("provider down");
    });
    await h.clock.tickAsync(INTERVAL);
    expect(log.take()).toEqual([
      {
        level: "info",
        message: "cache-warming: the provider refused a warm",
        attrs: { conversationId: "c1", trigger: "manual", error: "no history" },
      },
      { level: "debug", message: "cache-warming: firing warm", attrs: { conversationId: "c1" } },
      {
        level: "warn",
        message: "cache-warming: warm failed",
        attrs: { conversationId: "c1", trigger: "auto", reason: "failed", error: "provider down" },
      },
    ]);

    // Uncached warms in a row trip the dead-cache breaker: the pause is logged once.
    h.setResponse(() => MISS);
    await h.clock.tickAsync(10 * INTERVAL);
    const pauses = log.take().filter((line) => line.message === "cache-warming: paused");
    expect(pauses).toEqual([
      {
        level: "info",
        message: "cache-warming: paused",
        attrs: { conversationId: "c1", reason: "dead-cache" },
      },
    ]);
  });

  it("logs a manual warm refused before it reaches the provider", async () => {
    const log = recordingLogger();
    const h = createHarness({ logger: log.logger });
    await h.enabledAndIdle("c1");
    h.warmer.onTurnStarted("c1");
    log.take();
    await h.warmer.warmNow("c1");
    expect(log.take()).toEqual([
      {
        level: "info",
        message: "cache-warming: manual warm refused",
        attrs: { conversationId: "c1", reason: "generating" },
      },
    ]);
  });

  it("warns once a minute while the warm budget refuses, however many are refused", async () => {
    const log = recordingLogger();
    const h = createHarness({ logger: log.logger });
    h.deps.maxWarmsPerMinute = 1;
    await h.clock.tickAsync(60_000); // the bucket fills up to one warm
    for (const id of ["a", "b", "c"]) await h.enabledAndIdle(id);
    await h.warmer.warmNow("a");
    log.take();
    await h.warmer.warmNow("b");
    await h.warmer.warmNow("c");
    expect(log.take()).toEqual([
      {
        level: "debug",
        message: "cache-warming: warm refused by the budget",
        attrs: { conversationId: "b" },
      },
      {
        level: "warn",
        message: "cache-warming: warm budget spent, refusing warms",
        attrs: { conversationId: "b", maxWarmsPerMinute: 1, refusedSoFar: 1 },
      },
      {
        level: "debug",
        message: "cache-warming: warm refused by the budget",
        attrs: { conversationId: "c" },
      },
    ]);
    await h.clock.tickAsync(59_999);
    log.take();
    await h.warmer.warmNow("c");
    expect(log.take().map((line) => line.level)).toEqual(["debug"]);
    await h.clock.tickAsync(1);
    await h.warmer.warmNow("c"); // a minute after the last warm: allowed
    await h.warmer.warmNow("b");
    expect(log.take().filter((line) => line.level === "warn")).toEqual([
      {
        level: "warn",
        message: "cache-warming: warm budget spent, refusing warms",
        attrs: { conversationId: "b", maxWarmsPerMinute: 1, refusedSoFar: 4 },
      },
    ]);
  });

  it("warns when enabling passes the cap of enabled conversations", async () => {
    const log = recordingLogger();
    const h = createHarness({ logger: log.logger });
    h.deps.maxEnabledConversations = 1;
    await h.warmer.setEnabled("a", true);
    log.take();
    await expect(h.warmer.setEnabled("b", true)).rejects.toThrow(
      "at most 1 conversations may have warming enabled at once; disable one first",
    );
    expect(log.take()).toEqual([
      {
        level: "warn",
        message: "cache-warming: refused to enable warming",
        attrs: { conversationId: "b", maxEnabledConversations: 1 },
      },
    ]);
    expect(h.warmer.stats().enabledRefusals).toBe(1);
  });

  it("logs storage failures with the error, and a surface listener that throws", async () => {
    const log = recordingLogger();
    const storage = createMemoryStorage();
    const broken = new Error("disk full");
    const h = createHarness({ logger: log.logger, storage });
    await h.enabledAndIdle("c1");
    log.take();
    storage.set = async () => {
      throw broken;
    };
    await h.warmer.warmNow("c1");
    await h.flush();
    const failures = log.lines.filter((line) => line.level === "error");
    // Each failed write is logged (and retried with the next change).
    expect(new Set(failures.map((line) => line.message))).toEqual(
      new Set([
        "cache-warming: could not store the schedule",
        "cache-warming: could not store the ledger",
      ]),
    );
    for (const line of failures) expect(line.attrs).toEqual({ conversationId: "c1", err: broken });
    log.take();
    h.deps.onSurfaceChange = () => {
      throw broken;
    };
    await h.warmer.warmNow("c1");
    await h.clock.tickAsync(1_000);
    await h.warmer.warmNow("c1");
    expect(log.lines.filter((line) => line.level === "error")[0]).toEqual({
      level: "error",
      message: "cache-warming: surface change listener threw",
      attrs: { conversationId: "c1", err: broken },
    });
  });

  it("logs settings it could not load", async () => {
    const log = recordingLogger();
    const storage = createMemoryStorage();
    const broken = new Error("unreadable");
    storage.get = async () => {
      throw broken;
    };
    const h = createHarness({ logger: log.logger, storage });
    await h.warmer.onTurnSettled("c1");
    expect(log.lines.filter((line) => line.level === "error")).toEqual([
      {
        level: "error",
        message: "cache-warming: could not load settings",
        attrs: { conversationId: "c1", err: broken },
      },
    ]);
  });

  it("logs each schedule a restart resumes, and each it does not", async () => {
    const storage = createMemoryStorage();
    const before = createHarness({ storage });
    await before.enabledAndIdle("c1");
    await before.flush();
    before.warmer.dispose();
    const restart = async (at: number) => {
      const log = recordingLogger();
      const after = createHarness({ storage, logger: log.logger, start: at });
      await after.warmer.resumeSchedules();
      after.warmer.dispose();
      return log.take().filter((line) => line.message.startsWith("cache-warming: schedule"));
    };
    expect(await restart(START + 60_000)).toEqual([
      {
        level: "info",
        message: "cache-warming: schedule resumed",
        attrs: { conversationId: "c1", at: START + INTERVAL },
      },
    ]);
    expect(await restart(START + 3_600_000)).toEqual([
      {
        level: "info",
        message: "cache-warming: schedule not resumed",
        attrs: { conversationId: "c1", reason: "cache-expired" },
      },
    ]);
  });

  it("logs a paused schedule a restart keeps paused, and a stored id it leaves alone", async () => {
    const storage = createMemoryStorage();
    const before = createHarness({ storage });
    await setSpendLimits(before.warmer, "c1", { idleWarmCap: 1 });
    await before.enabledAndIdle("c1");
    await before.clock.tickAsync(INTERVAL);
    await before.enabledAndIdle("bad\nid");
    await before.flush();
    before.warmer.dispose();
    const log = recordingLogger();
    const after = createHarness({ storage, logger: log.logger, start: START + INTERVAL + 1_000 });
    await after.warmer.resumeSchedules({ accepts: (id) => !id.includes("\n") });
    after.warmer.dispose();
    expect(log.take().filter((line) => /schedule/.test(line.message))).toEqual([
      {
        level: "info",
        message: "cache-warming: schedule stays paused",
        attrs: { conversationId: "c1", reason: "idle-cap" },
      },
      {
        level: "warn",
        message: "cache-warming: stored schedule of an invalid id left alone",
        attrs: { conversationId: '"bad\\nid"' },
      },
    ]);
  });
});
