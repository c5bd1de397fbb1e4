import { describe, expect, it } from "vitest";
import { SIM_PRICING } from "./modules/economics.js";
import { MAX_REMEMBERED_REFUSALS } from "./surface.js";
import { createHarness, INTERVAL, START, stat, timerOf } from "./testing/harness.js";

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

  it("refuses an interval past the model's cache lifetime, where it is known", async () => {
    const h = createHarness({ prices: { m1: SIM_PRICING } });
    await h.warmer.onTurnSettled(C, { modelName: "m1" });
    await expect(
      h.surface.invoke("cache-warming/set-interval", 291, { conversationId: C }),
    ).rejects.toThrow(
      /at most 290 s: m1's cache lives 300 s, so a later warm would find it expired/,
    );
    expect(h.warmer.getState(C).intervalMs).toBe(INTERVAL);
    // A model without a price-table entry keeps upstream's rule: any interval.
    await h.warmer.onTurnSettled(C, { modelName: "m2" });
    await h.surface.invoke("cache-warming/set-interval", 291, { conversationId: C });
    expect(h.warmer.getState(C).intervalMs).toBe(291_000);
  });

  it("answers getSpec at once while stored settings load, and pushes the full spec once they are in", async () => {
    const h = createHarness();
    await h.storage.set(`settings:${C}`, JSON.stringify({ enabled: true, intervalMs: 60_000 }));
    const changed: Array<string | undefined> = [];
    h.surface.subscribe((id) => changed.push(id));
    const first = h.surface.getSpec({ conversationId: C });
    expect(first.fields[0]).toMatchObject({ kind: "toggle", value: false });
    expect(timerOf(first)).toMatchObject({ state: "loading" });
    expect(stat(first, "Schedule")).toBe("Loading settings…");
    await h.flush();
    expect(changed).toEqual([C]);
    const loaded = h.surface.getSpec({ conversationId: C });
    expect(loaded.fields[0]).toMatchObject({ kind: "toggle", value: true });
    expect(loaded.fields[1]).toMatchObject({ kind: "number", value: 60 });
    expect(timerOf(loaded).state).not.toBe("loading");
    expect(changed).toEqual([C]); // loaded: no second read, no second push
  });

  it("prepare resolves once stored settings are in, so the first spec can be the full one", async () => {
    const h = createHarness();
    await h.storage.set(`settings:${C}`, JSON.stringify({ enabled: true, intervalMs: 60_000 }));
    await h.surface.prepare({ conversationId: C });
    expect(h.surface.getSpec({ conversationId: C }).fields[0]).toMatchObject({ value: true });
    await h.surface.prepare({}); // no conversation: nothing to load
  });

  it("shows a refused action in the spec until the next accepted one, and pushes it", async () => {
    const h = createHarness();
    await h.warmer.ensureLoaded(C);
    const changed: Array<string | undefined> = [];
    h.surface.subscribe((id) => changed.push(id));
    h.clock.tick(5_000);
    await expect(
      h.surface.invoke("cache-warming/set-interval", 0, { conversationId: C }),
    ).rejects.toThrow(/at least 1 s/);
    expect(changed).toEqual([C]);
    const spec = h.surface.getSpec({ conversationId: C });
    expect(stat(spec, "Last refusal")).toBe(
      "cache-warming/set-interval: interval must be at least 1 s",
    );
    expect(timerOf(spec).lastRefusal).toEqual({
      action: "cache-warming/set-interval",
      message: "interval must be at least 1 s",
      at: START + 5_000,
    });
    await h.surface.invoke("cache-warming/set-interval", 60, { conversationId: C });
    // The accepted change's own push (the warmer's) already shows it gone: no second one.
    expect(changed).toEqual([C]);
    expect(timerOf(h.pushed.at(-1)!.spec).lastRefusal).toBeNull();
    expect(stat(h.surface.getSpec({ conversationId: C }), "Last refusal")).toBe("—");
    expect(timerOf(h.surface.getSpec({ conversationId: C })).lastRefusal).toBeNull();
    // A storage failure is not a refusal written for the user: nothing is remembered.
    h.deps.storage = { ...h.storage, set: () => Promise.reject(new Error("disk full")) };
    await expect(
      h.surface.invoke("cache-warming/set-interval", 30, { conversationId: C }),
    ).rejects.toThrow(/disk full/);
    expect(stat(h.surface.getSpec({ conversationId: C }), "Last refusal")).toBe("—");
  });

  it("remembers at most MAX_REMEMBERED_REFUSALS conversations' refusals, forgetting the oldest", async () => {
    const h = createHarness();
    for (let i = 0; i <= MAX_REMEMBERED_REFUSALS; i++) {
      await h.surface
        .invoke("cache-warming/nope", undefined, { conversationId: `c${i}` })
        .catch(() => {});
    }
    expect(timerOf(h.surface.getSpec({ conversationId: "c0" })).lastRefusal).toBeNull();
    expect(timerOf(h.surface.getSpec({ conversationId: "c1" })).lastRefusal).not.toBeNull();
    expect(
      timerOf(h.surface.getSpec({ conversationId: `c${MAX_REMEMBERED_REFUSALS}` })).lastRefusal,
    ).not.toBeNull();
  });
});
