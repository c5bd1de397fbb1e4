// Model prices from a maintained catalog (Pydantic's genai-prices, bundled data, no network),
// with this server's own rules on top: the cache lifetime and whether warming can help at all
// are decided here, never read from the catalog, so a catalog update changes dollars only.
import { type ModelPricing, type PriceTable, pricingFor } from "@dispatch/cache-warming-extras";
import { calcPrice } from "@pydantic/genai-prices";

/** Anthropic's cache tiers: writes live 5 minutes (1.25× input) or an hour (2× input). */
export const CACHE_TIERS = ["5m", "1h"] as const;
export type CacheTier = (typeof CACHE_TIERS)[number];

const TIER_TTL_MS: Record<CacheTier, number> = { "5m": 300_000, "1h": 3_600_000 };

/** Upstream's family names (`claude/sonnet`) mean the family's current model. */
function familyModel(name: string): string {
  switch (name) {
    case "opus":
      return "claude-opus-4-5";
    case "sonnet":
      return "claude-sonnet-4-5";
    case "haiku":
      return "claude-haiku-4-5";
    default:
      return name;
  }
}

type CatalogPrice = number | { readonly base: number } | undefined;

/** A catalog price per million tokens; tiered prices by their first tier (prefixes < 200k). */
function perMTok(price: CatalogPrice): number | null {
  if (typeof price === "number") return price;
  return price === undefined ? null : price.base;
}

interface CatalogPrices {
  readonly input_mtok?: CatalogPrice;
  readonly output_mtok?: CatalogPrice;
  readonly cache_read_mtok?: CatalogPrice;
  readonly cache_write_mtok?: CatalogPrice;
  readonly cache_write_1h_mtok?: CatalogPrice;
}

/**
 * The catalog's entry as this server prices warms. A model whose provider charges no cache
 * write caches prompts by itself (OpenAI, Gemini): warming it only costs, so it is marked
 * `selfCaching` and never warmed. The others keep their prefix for the tier's lifetime; the
 * 1-hour tier where the catalog lists its write price, else the 5-minute one.
 */
export function pricingFromCatalog(prices: CatalogPrices, tier: CacheTier): ModelPricing | null {
  const input = perMTok(prices.input_mtok);
  if (input === null) return null;
  const output = perMTok(prices.output_mtok) ?? input;
  const read = perMTok(prices.cache_read_mtok) ?? input;
  const hourWrite = tier === "1h" ? perMTok(prices.cache_write_1h_mtok) : null;
  const write = hourWrite ?? perMTok(prices.cache_write_mtok);
  if (write === null) {
    return {
      inputPerMTok: input,
      cacheWritePerMTok: input,
      cacheReadPerMTok: read,
      outputPerMTok: output,
      cacheTtlMs: TIER_TTL_MS["5m"],
      selfCaching: true,
    };
  }
  return {
    inputPerMTok: input,
    cacheWritePerMTok: write,
    cacheReadPerMTok: read,
    outputPerMTok: output,
    cacheTtlMs: TIER_TTL_MS[hourWrite === null ? "5m" : tier],
  };
}

/** Model names whose prices are kept, at most. */
export const MAX_KNOWN = 256;

export interface CatalogOptions {
  /** Models priced by this table first (`DISPATCH_PRICES`, the simulator's `sim`). */
  readonly overrides: PriceTable;
  /** Names the catalog does not know fall back to this table (matched the same way). */
  readonly fallback: PriceTable;
  readonly tier: CacheTier;
}

/**
 * A lookup for the warmer's `prices`: overrides, then the catalog by upstream's names
 * (`credential/model`: the part after the last `/`; family names `opus`/`sonnet`/`haiku` as
 * their current model), then the fallback table. Answers are kept (one catalog search a name,
 * for the last MAX_KNOWN names).
 */
export function catalogPrices(
  options: CatalogOptions,
): ((model: string) => ModelPricing | null) & { readonly size: () => number } {
  const known = new Map<string, ModelPricing | null>();
  const fromCatalog = (model: string): ModelPricing | null => {
    const bare = model.slice(model.lastIndexOf("/") + 1);
    const id = familyModel(bare);
    // Stryker disable next-line ObjectLiteral: only the model's prices are read, not what this usage costs
    const found = calcPrice({ input_tokens: 1 }, id);
    return found === null
      ? null
      : pricingFromCatalog(found.model.prices as CatalogPrices, options.tier);
  };
  const lookup = (model: string): ModelPricing | null => {
    if (!known.has(model)) {
      // Names come from clients too: keep at most MAX_KNOWN, forgetting the oldest.
      if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value as string);
      known.set(
        model,
        pricingFor(options.overrides, model) ??
          fromCatalog(model) ??
          pricingFor(options.fallback, model),
      );
    }
    return known.get(model) ?? null;
  };
  return Object.assign(lookup, { size: () => known.size });
}
