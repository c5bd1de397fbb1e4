import { DEFAULT_PRICES, SIM_PRICING } from "@dispatch/cache-warming-extras";
import { describe, expect, it } from "vitest";
import { catalogPrices, MAX_KNOWN, pricingFromCatalog } from "./catalog-prices.js";

const prices = (tier: "5m" | "1h" = "5m") =>
  catalogPrices({ overrides: { sim: SIM_PRICING }, fallback: DEFAULT_PRICES, tier });

describe("prices from the catalog", () => {
  it("finds upstream's names: credential/model, dated names, family names", () => {
    const lookup = prices();
    expect(lookup("claude/claude-sonnet-4-5")).toMatchObject({
      inputPerMTok: 3,
      cacheWritePerMTok: 3.75,
      cacheReadPerMTok: 0.3,
      outputPerMTok: 15,
      cacheTtlMs: 300_000,
    });
    expect(lookup("claude-sonnet-4-20250514")).toMatchObject({
      inputPerMTok: 3,
      cacheTtlMs: 300_000,
    });
    expect(lookup("claude/opus")).toMatchObject({ inputPerMTok: 5, cacheWritePerMTok: 6.25 });
    expect(lookup("claude/haiku")).toMatchObject({ inputPerMTok: 1, cacheReadPerMTok: 0.1 });
  });

  it("reads a family name as the family's current model in the catalog itself", () => {
    // No fallback table: only the catalog can answer.
    const lookup = catalogPrices({ overrides: {}, fallback: {}, tier: "5m" });
    expect(lookup("claude/opus")).toMatchObject({ inputPerMTok: 5, outputPerMTok: 25 });
    expect(lookup("claude/sonnet")).toMatchObject({ inputPerMTok: 3, outputPerMTok: 15 });
    expect(lookup("claude/haiku")).toMatchObject({ inputPerMTok: 1, outputPerMTok: 5 });
    expect(lookup("claude/bard")).toBeNull();
  });

  it("marks providers that charge no cache write as caching by themselves", () => {
    expect(prices()("opencode/gpt-4o")).toMatchObject({ selfCaching: true, inputPerMTok: 2.5 });
    expect(prices()("gemini-2.5-pro")).toMatchObject({ selfCaching: true });
  });

  it("keeps the prefix an hour on the 1-hour tier, at its write price, where the catalog has one", () => {
    expect(prices("1h")("claude/claude-opus-4-5")).toMatchObject({
      cacheWritePerMTok: 10,
      cacheTtlMs: 3_600_000,
    });
    expect(prices("1h")("gpt-4o")).toMatchObject({ selfCaching: true, cacheTtlMs: 300_000 });
  });

  it("prices overrides first and unknown names from the bundled table, or not at all", () => {
    const lookup = catalogPrices({
      overrides: { "claude-sonnet-4-5": { ...SIM_PRICING, inputPerMTok: 99 } },
      fallback: DEFAULT_PRICES,
      tier: "5m",
    });
    expect(lookup("claude/claude-sonnet-4-5")?.inputPerMTok).toBe(99);
    expect(prices()("sim")).toEqual(SIM_PRICING);
    expect(prices()("mystery-model")).toBeNull();
    expect(prices()("constructor")).toBeNull();
    expect(prices()("x/__proto__")).toBeNull();
  });

  it("decides the cache lifetime by its own rule whatever else a catalog entry says", () => {
    // A catalog update that adds fields, tiers or odd numbers changes dollars, never the TTL.
    const updated = {
      input_mtok: { base: 4, tiers: [{ start: 200_000, price: 8 }] },
      cache_read_mtok: 0.4,
      cache_write_mtok: 5,
      cache_write_1h_mtok: 8,
      output_mtok: 20,
      cache_ttl_seconds: 86_400,
      ttl: 1,
    };
    expect(pricingFromCatalog(updated, "5m")).toEqual({
      inputPerMTok: 4,
      cacheWritePerMTok: 5,
      cacheReadPerMTok: 0.4,
      outputPerMTok: 20,
      cacheTtlMs: 300_000,
    });
    expect(pricingFromCatalog(updated, "1h")?.cacheTtlMs).toBe(3_600_000);
    expect(pricingFromCatalog({ ...updated, cache_write_1h_mtok: undefined }, "1h")).toMatchObject({
      cacheWritePerMTok: 5,
      cacheTtlMs: 300_000,
    });
    expect(pricingFromCatalog({ output_mtok: 1 }, "5m")).toBeNull();
  });

  it("remembers at most MAX_KNOWN names, however many a client makes up", () => {
    const lookup = prices();
    for (let i = 0; i < MAX_KNOWN * 4; i++) expect(lookup(`made-up-${i}`)).toBeNull();
    expect(lookup.size()).toBe(MAX_KNOWN);
    expect(lookup("claude/claude-sonnet-4-5")?.inputPerMTok).toBe(3);
    expect(lookup.size()).toBe(MAX_KNOWN);
    // A name it knows is answered from memory: nothing else is forgotten for it.
    expect(lookup("claude/claude-sonnet-4-5")?.inputPerMTok).toBe(3);
    expect(lookup.size()).toBe(MAX_KNOWN);
  });
});
