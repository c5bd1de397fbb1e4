// The cost ledger, the break-even policy and the model's cache lifetime, as a user meets them:
// what the surface says, when the provider is called, what is stored.
import { createMemoryStorage } from "@dispatch/kv-storage";
import { describe, expect, it } from "vitest";
import { economicsFor, type PriceTable, pricingFor } from "../model-cache.js";
import { intervalMsFromPayload } from "../payloads.js";
import { createHarness, INTERVAL, START, stat, timerOf } from "../testing/harness.js";
import { DEFAULT_PRICES, SIM_PRICING, warmCostUsd, worthWarmingOn } from "./economics.js";
import { setSpendLimits } from "./spend-limits.js";

const C = "conv-1";
// Round numbers, so every dollar below can be checked by hand.
const PRICES: PriceTable = {
  "p-model": {
    inputPerMTok: 10,
    cacheWritePerMTok: 12.5,
    cacheReadPerMTok: 1,
    outputPerMTok: 50,
    cacheTtlMs: 300_000,
  },
  "hour-model": {
    inputPerMTok: 10,
    cacheWritePerMTok: 20,
    cacheReadPerMTok: 1,
    outputPerMTok: 50,
    cacheTtlMs: 3_600_000,
  },
  "self-model": {
    inputPerMTok: 10,
    cacheWritePerMTok: 10,
    cacheReadPerMTok: 5,
    outputPerMTok: 50,
    cacheTtlMs: 300_000,
    selfCaching: true,
  },
};
/** A warm that reads a 100 000-token prefix and writes one output token. */
const READ_ALL = {
  inputTokens: 100_000,
  outputTokens: 1,
  cacheReadTokens: 100_000,
  cacheWriteTokens: 0,
};

function harness(storage = createMemoryStorage()) {
  const h = createHarness({ prices: PRICES, storage, respond: () => READ_ALL });
  return {
    ...h,
    async idleOn(model: string) {
      await h.warmer.setEnabled(C, true);
      await h.warmer.onTurnSettled(C, { modelName: model });
    },
  };
}

describe("the ledger", () => {
  it("charges each warm at its usage and credits a turn the warms kept the cache for", async () => {
    const h = harness();
    await h.idleOn("p-model");
    await h.clock.tickAsync(2 * INTERVAL); // warms at 240 s and 480 s
    expect(h.calls).toHaveLength(2);
    // Each warm: 100 000 read × $1 + 1 output × $50, per million = $0.10005.
    expect(timerOf(h.spec(C)).ledger).toEqual({
      spentUsd: 0.2001,
      savedUsd: 0,
      netUsd: -0.2001,
      warms: 2,
      turnsSaved: 0,
    });
    // 600 s after the last turn the cache lives only because of the 480 s warm: the turn
    // saves writing 100 000 tokens ($1.25) less reading them ($0.10).
    await h.clock.tickAsync(600_000 - 2 * INTERVAL);
    h.warmer.onTurnStarted(C);
    expect(timerOf(h.spec(C)).ledger).toEqual({
      spentUsd: 0.2001,
      savedUsd: 1.15,
      netUsd: 0.9499,
      warms: 2,
      turnsSaved: 1,
    });
    expect(stat(h.spec(C), "Warming cost")).toBe("spent $0.2001, saved $1.1500 (1 turn)");
    // A turn within the TTL of the last one found the cache alive by itself: no credit.
    await h.warmer.onTurnSettled(C, { modelName: "p-model" });
    await h.clock.tickAsync(90_000);
    h.warmer.onTurnStarted(C);
    expect(timerOf(h.spec(C)).ledger).toMatchObject({ savedUsd: 1.15, turnsSaved: 1 });
    expect(h.warmer.getState(C).gapsMs).toEqual([600_000, 90_000]);
  });

  it("credits nothing to a warm when the turn came while the last turn's cache still lived", async () => {
    const h = harness();
    await h.idleOn("p-model");
    await h.clock.tickAsync(INTERVAL + 20_000); // a warm at 240 s, the turn at 260 s
    h.warmer.onTurnStarted(C);
    expect(timerOf(h.spec(C)).ledger).toMatchObject({ warms: 1, savedUsd: 0, turnsSaved: 0 });
  });

  it("is stored, and a restarted warmer reads it back", async () => {
    const storage = createMemoryStorage();
    const h = harness(storage);
    await h.idleOn("p-model");
    await h.clock.tickAsync(INTERVAL);
    await h.warmer.drainWrites();
    expect(JSON.parse((await storage.get(`ledger:${C}`)) ?? "null")).toMatchObject({
      ledger: { warms: 1, spentUsd: 0.10005 },
    });
    const after = harness(storage);
    await after.warmer.ensureLoaded(C);
    expect(after.warmer.getState(C).ledger).toMatchObject({ warms: 1, spentUsd: 0.10005 });
  });

  it("counts warms of a model without prices and says the dollars are unknown", async () => {
    const h = harness();
    await h.idleOn("no-such-model");
    await h.clock.tickAsync(INTERVAL);
    expect(h.calls).toHaveLength(1); // warming works as before
    expect(timerOf(h.spec(C)).ledger).toEqual({
      spentUsd: null,
      savedUsd: null,
      netUsd: null,
      warms: 1,
      turnsSaved: 0,
    });
    expect(stat(h.spec(C), "Warming cost")).toBe("1 warms, 0 turns saved; prices unknown");
  });

  it("prices a warm's uncached input, cache write, cache read and output", () => {
    const pricing = PRICES["p-model"]!;
    const usage = {
      inputTokens: 1_000,
      outputTokens: 10,
      cacheReadTokens: 600,
      cacheWriteTokens: 300,
    };
    // 100 uncached × 10 + 300 × 12.5 + 600 × 1 + 10 × 50 = 5 850 per million.
    expect(warmCostUsd(usage, pricing)).toBeCloseTo(0.00585, 12);
  });
});

describe("the break-even decision", () => {
  // Four gaps longer than 240 s: one ends by 480 s, one more by 720 s, two last all day.
  const gapsMs = [300_000, 600_000, 86_400_000, 86_400_000];
  const decide = (savedByHitUsd: number) =>
    worthWarmingOn({
      idleMs: 240_000,
      intervalMs: 240_000,
      cacheTtlMs: 240_000,
      gapsMs,
      priorGapsMs: [],
      warmCostUsd: 1,
      savedByHitUsd,
      horizon: 1,
    });

  it("goes on exactly while the chance of a return before the next warm pays for it", () => {
    // Idle 240 s: 1 in 4 returns before 720 s, 3 in 4 are still idle at 480 s and pay a warm.
    // Worth it while ¼ · saving > ¾ · warm, so the break-even saving is 3 warms.
    expect(decide(3.000_001)).toBe(true);
    expect(decide(3)).toBe(false);
    expect(decide(2.999_999)).toBe(false);
  });

  it("stops an idle conversation that the prior says will not come back", async () => {
    const h = harness();
    await setSpendLimits(h.warmer, C, { policy: "break-even", idleWarmCap: 0 });
    await h.idleOn("p-model");
    await h.clock.tickAsync(24 * INTERVAL);
    // With only the prior to go on: after the 12-minute warm the next return it knows is at
    // 40 minutes, 1 in 3 of those still idle; six warms of $0.10 for a third of $1.15 do not pay.
    expect(h.calls).toHaveLength(3);
    expect(timerOf(h.spec(C))).toMatchObject({
      state: "paused",
      reason: "not-worth-it",
      policy: "break-even",
    });
    expect(stat(h.spec(C), "Schedule")).toBe(
      "Paused: the next warm would likely cost more than it saves",
    );
    // Under the fixed policy the same conversation warms every interval.
    const fixed = harness();
    await setSpendLimits(fixed.warmer, C, { policy: "fixed", idleWarmCap: 0 });
    await fixed.idleOn("p-model");
    await fixed.clock.tickAsync(24 * INTERVAL);
    expect(fixed.calls).toHaveLength(24);
  });

  it("keeps the idle cap under break-even", async () => {
    const h = harness();
    await setSpendLimits(h.warmer, C, { policy: "break-even", idleWarmCap: 3 });
    await h.idleOn("p-model");
    await h.clock.tickAsync(10 * INTERVAL);
    expect(h.calls).toHaveLength(3);
    expect(timerOf(h.spec(C))).toMatchObject({ state: "paused", reason: "idle-cap" });
  });
});

describe("the model's cache lifetime", () => {
  it("takes a catalog's lookup as well as a table", () => {
    const asked: string[] = [];
    const lookup = (model: string) => {
      asked.push(model);
      return model === "hour-model" ? { ...SIM_PRICING, cacheTtlMs: 3_600_000 } : null;
    };
    expect(economicsFor(lookup, "hour-model", 300_000)).toMatchObject({
      ttlKnown: true,
      cacheTtlMs: 3_600_000,
      maxIntervalMs: 3_590_000,
    });
    expect(economicsFor(lookup, "other", 300_000)).toMatchObject({
      pricing: null,
      ttlKnown: false,
    });
    // No model named: the lookup is not asked at all.
    expect(economicsFor(lookup, undefined, 300_000).pricing).toBeNull();
    expect(asked).toEqual(["hour-model", "other"]);
  });

  it("refuses an interval that would reach the cache dead, and shows the real maximum", async () => {
    const h = harness();
    await setSpendLimits(h.warmer, C, { policy: "fixed" });
    await h.idleOn("hour-model");
    const number = () => h.spec(C).fields.find((f) => f.kind === "number");
    expect(number()).toMatchObject({ max: 3_590 });
    await h.surface.invoke("cache-warming/set-interval", 3_590, { conversationId: C });
    expect(timerOf(h.spec(C)).nextWarmAt).toBe(START + 3_590_000);
    await h.warmer.onTurnSettled(C, { modelName: "p-model" });
    expect(number()).toMatchObject({ max: 290 });
    // The stored 3 590 s would outlive this model's cache: the timer waits 290 s instead.
    expect(timerOf(h.spec(C))).toMatchObject({ intervalMs: 290_000, nextWarmAt: START + 290_000 });
    const pushes = h.pushed.length;
    await expect(
      h.surface.invoke("cache-warming/set-interval", 291, { conversationId: C }),
    ).rejects.toThrow(
      "interval must be at most 290 s: p-model's cache lives 300 s, so a later warm would find it expired and pay to write it again",
    );
    expect(h.pushed).toHaveLength(pushes);
  });

  it("leaves margin for the warm's own trip", () => {
    const economics = economicsFor(PRICES, "p-model", 300_000);
    expect(intervalMsFromPayload(290, economics)).toBe(290_000);
    expect(() => intervalMsFromPayload(291, economics)).toThrow(/at most 290 s/);
  });
});

describe("a model whose provider caches by itself", () => {
  it("is never warmed, automatically or by hand, and the status says why", async () => {
    const h = harness();
    await h.idleOn("self-model");
    await h.clock.tickAsync(3_600_000);
    const manual = await h.warmer.warmNow(C);
    expect(manual).toMatchObject({ ok: false, reason: "refused" });
    expect(h.calls).toHaveLength(0);
    expect(timerOf(h.spec(C))).toMatchObject({
      state: "paused",
      reason: "self-caching",
      nextWarmAt: null,
    });
    expect(stat(h.spec(C), "Schedule")).toBe("Not warming: this model's provider caches by itself");
    // Asking for it by name on a warm of another model is refused too.
    await h.warmer.onTurnSettled(C, { modelName: "p-model" });
    expect(await h.warmer.warmNow(C, { modelName: "self-model" })).toMatchObject({ ok: false });
    expect(h.calls).toHaveLength(0);
  });
});

describe("the default price table and name matching", () => {
  const PRICE = DEFAULT_PRICES["claude-sonnet-4"] as NonNullable<PriceTable[string]>;
  it("documents the defaults: Anthropic-style write 1.25x and read 0.1x, two self-caching providers", () => {
    expect(Object.keys(DEFAULT_PRICES).sort()).toEqual([
      "claude-haiku-3-5",
      "claude-opus-4",
      "claude-sonnet-4",
      "gemini-2.5-pro",
      "gpt-4o",
      "haiku",
      "opus",
      "sim",
      "sonnet",
    ]);
    for (const name of [
      "claude-opus-4",
      "claude-sonnet-4",
      "claude-haiku-3-5",
      "opus",
      "sonnet",
      "haiku",
    ]) {
      const p = DEFAULT_PRICES[name];
      expect(p?.cacheWritePerMTok).toBeCloseTo((p?.inputPerMTok ?? 0) * 1.25, 9);
      expect(p?.cacheReadPerMTok).toBeCloseTo((p?.inputPerMTok ?? 0) * 0.1, 9);
      expect(p?.selfCaching).toBeUndefined();
    }
    expect(DEFAULT_PRICES["gpt-4o"]?.selfCaching).toBe(true);
    expect(DEFAULT_PRICES["gemini-2.5-pro"]?.selfCaching).toBe(true);
  });

  it("matches a model exactly, by upstream's credential/model name, or without a date suffix; nothing looser", () => {
    const table: PriceTable = {
      haiku: { ...PRICE, inputPerMTok: 1 },
      "claude-sonnet-4": { ...PRICE, inputPerMTok: 3 },
      "gpt-4o": { ...PRICE, inputPerMTok: 5 },
      "openai/gpt-4": { ...PRICE, inputPerMTok: 6 },
    };
    expect(pricingFor(table, "haiku")?.inputPerMTok).toBe(1);
    expect(pricingFor(table, "claude/haiku")?.inputPerMTok).toBe(1);
    expect(pricingFor(table, "claude-sonnet-4-20250514")?.inputPerMTok).toBe(3);
    expect(pricingFor(table, "anthropic/claude-sonnet-4-latest")?.inputPerMTok).toBe(3);
    // The whole name wins over its model part.
    expect(pricingFor(table, "openai/gpt-4")?.inputPerMTok).toBe(6);
    expect(pricingFor(table, "azure/gpt-4o")?.inputPerMTok).toBe(5);
    // Never one model priced as another.
    expect(pricingFor(table, "gpt-4o-mini")).toBeNull();
    expect(pricingFor(table, "claude-sonnet-4-5")).toBeNull();
    expect(pricingFor(table, "claude/haiku-4")).toBeNull();
    expect(pricingFor(table, undefined)).toBeNull();
  });

  it("prices upstream's claude/<family> models from the bundled table", () => {
    expect(pricingFor(DEFAULT_PRICES, "claude/haiku")).toMatchObject({
      inputPerMTok: 1,
      cacheTtlMs: 300_000,
    });
    expect(pricingFor(DEFAULT_PRICES, "claude/sonnet")).toMatchObject({ inputPerMTok: 3 });
    expect(pricingFor(DEFAULT_PRICES, "claude/opus")).toMatchObject({ inputPerMTok: 5 });
    expect(pricingFor(DEFAULT_PRICES, "opencode/deepseek-v4-flash")).toBeNull();
  });

  it.each([
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "isPrototypeOf",
    "__defineGetter__",
    "x/constructor",
  ])("never finds %s on the object prototype", (model) => {
    expect(pricingFor(DEFAULT_PRICES, model)).toBeNull();
    expect(economicsFor(DEFAULT_PRICES, model, 300_000)).toMatchObject({
      pricing: null,
      ttlKnown: false,
      maxIntervalMs: null,
    });
  });

  it("counts a return exactly at a moment as not yet returned, and gives up once nobody came back that late", () => {
    const input = {
      intervalMs: 240_000,
      cacheTtlMs: 300_000,
      warmCostUsd: 0.001,
      savedByHitUsd: 1,
      horizon: 1,
      priorGapsMs: [],
    };
    // The only gap ends exactly at t + TTL + I: inside the next warm's reach.
    expect(worthWarmingOn({ ...input, idleMs: 0, gapsMs: [540_000] })).toBe(true);
    // Exactly at t + TTL: the cache the last touch left was still alive then; no warm needed.
    expect(worthWarmingOn({ ...input, idleMs: 0, gapsMs: [300_000] })).toBe(false);
    // Idle longer than every gap ever seen.
    expect(worthWarmingOn({ ...input, idleMs: 600_000, gapsMs: [540_000] })).toBe(false);
    expect(worthWarmingOn({ ...input, idleMs: 540_000, gapsMs: [540_000] })).toBe(false);
  });
});
