import { describe, expect, it } from "vitest";
import { createHarness, INTERVAL, START } from "./testing/harness.js";

const C = "conv-1";

describe("cache-warming surface actions", () => {
  it("flips with a bare toggle and sets with an explicit one", async () => {
    const h = createHarness();
    await h.surface.invoke("cache-warming/toggle", undefined, { conversationId: C });
    expect(h.warmer.getState(C).enabled).toBe(true);
    await h.surface.invoke("cache-warming/toggle", { value: true }, { conversationId: C });
    expect(h.warmer.getState(C).enabled).toBe(true);
    await h.surface.invoke("cache-warming/toggle", null, { conversationId: C });
    expect(h.warmer.getState(C).enabled).toBe(false);
  });

  it("sets the interval in seconds from a number or { value }", async () => {
    const h = createHarness();
    await h.surface.invoke("cache-warming/set-interval", 90, { conversationId: C });
    expect(h.warmer.getState(C).intervalMs).toBe(90_000);
    await h.surface.invoke("cache-warming/set-interval", { value: 30 }, { conversationId: C });
    expect(h.warmer.getState(C).intervalMs).toBe(30_000);
  });

  it.each([
    ["cache-warming/set-interval", 0, /at least 1 s/],
    ["cache-warming/set-interval", 1.5, /whole number/],
    ["cache-warming/set-interval", "60", /set-interval expects/],
    ["cache-warming/set-interval", { value: "60" }, /set-interval expects/],
    ["cache-warming/set-interval", 86_401, /at most 86400 s/],
    [
      "cache-warming/set-interval",
      291,
      /at most 290 s: the provider's cache lives 300 s, so a later warm would find it expired/,
    ],
    ["cache-warming/toggle", "on", /toggle expects/],
    ["cache-warming/set-spend-limits", {}, /give idleWarmCap, deadWarmLimit and\/or policy/],
    ["cache-warming/set-spend-limits", { policy: "cheap" }, /policy: /],
    ["cache-warming/set-spend-limits", { idleWarmCap: -1 }, /idleWarmCap: /],
    ["cache-warming/set-spend-limits", { deadWarmLimit: 1.5 }, /deadWarmLimit: /],
    ["cache-warming/nope", undefined, /unknown action/],
  ])("refuses %s with %o and changes nothing", async (actionId, payload, message) => {
    const h = createHarness();
    await expect(h.surface.invoke(actionId, payload, { conversationId: C })).rejects.toThrow(
      message,
    );
    expect(h.warmer.getState(C)).toMatchObject({ enabled: false, intervalMs: INTERVAL });
    expect(h.pushed).toHaveLength(0);
  });

  it("sets the spend limits from { idleWarmCap, deadWarmLimit }", async () => {
    const h = createHarness();
    await h.surface.invoke(
      "cache-warming/set-spend-limits",
      {
        idleWarmCap: 4,
        deadWarmLimit: 0,
      },
      { conversationId: C },
    );
    expect(h.warmer.getState(C)).toMatchObject({ idleWarmCap: 4, deadWarmLimit: 0 });
  });

  it("refuses actions without a conversation", async () => {
    const h = createHarness();
    await expect(h.surface.invoke("cache-warming/toggle", undefined, {})).rejects.toThrow(
      /needs a conversationId/,
    );
  });

  it("warms through warmNow from the Warm now button, and reports a refusal", async () => {
    const h = createHarness();
    await h.warmer.setEnabled(C, true);
    await h.surface.invoke("cache-warming/warm-now", undefined, { conversationId: C });
    expect(h.warmer.getState(C)).toMatchObject({ lastWarmAt: START, nextWarmAt: START + INTERVAL });
    h.warmer.onTurnStarted(C);
    await expect(
      h.surface.invoke("cache-warming/warm-now", undefined, { conversationId: C }),
    ).rejects.toThrow(/turn is generating/);
    expect(h.calls).toHaveLength(1);
  });

  it("loads persisted settings before the first spec", async () => {
    const h = createHarness();
    await h.storage.set(`settings:${C}`, JSON.stringify({ enabled: true, intervalMs: 60_000 }));
    await h.surface.getSpec({ conversationId: C });
    expect(h.spec(C).fields[0]).toMatchObject({ kind: "toggle", value: true });
    expect(h.spec(C).fields[1]).toMatchObject({ kind: "number", value: 60 });
  });
});
