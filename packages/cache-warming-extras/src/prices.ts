// Extra: what a conversation's model means for warming. Its prices (what a warm costs, what a
// hit saves) and how long its provider keeps the prompt cache, hence the longest interval
// whose warm still finds the cache alive. Model names are read as providers and gateways
// write them (Anthropic's API, Bedrock, Vertex, OpenRouter, upstream's `credential/model`).
import * as z from "zod";

/** Per million tokens, and how long the provider keeps an untouched prefix. */
export interface ModelPricing {
  readonly inputPerMTok: number;
  readonly cacheWritePerMTok: number;
  readonly cacheReadPerMTok: number;
  readonly outputPerMTok: number;
  readonly cacheTtlMs: number;
  /** The provider caches by itself (no write premium to avoid): warming only costs. */
  readonly selfCaching?: boolean;
}

export type PriceTable = Readonly<Record<string, ModelPricing>>;

/** A table (matched by `pricingFor`) or a catalog's lookup. */
export type PriceSource = PriceTable | ((model: string) => ModelPricing | null);

/** Token usage of a warm, as the warm service reports it. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
}

const claude = (input: number, ttl = 300_000): ModelPricing => ({
  inputPerMTok: input,
  cacheWritePerMTok: input * 1.25,
  cacheReadPerMTok: input / 10,
  outputPerMTok: input * 5,
  cacheTtlMs: ttl,
});

/** The bundled simulator's model, priced like a mid-size model with explicit caching. */
export const SIM_PRICING: ModelPricing = claude(3);

/**
 * List prices (USD per million tokens; check them before relying on the dollars). Explicit
 * prompt caching (Anthropic): a 5-minute write costs 1.25× input, a read 0.1×. OpenAI and
 * Gemini cache by themselves, with no write premium, so warming them only costs.
 */
export const DEFAULT_PRICES: PriceTable = {
  // Upstream's `claude/<family>` names: the family's current model.
  opus: claude(5),
  sonnet: claude(3),
  haiku: claude(1),
  "claude-opus-4": claude(15),
  "claude-opus-4-1": claude(15),
  "claude-sonnet-4": claude(3),
  "claude-haiku-3-5": claude(0.8),
  "gpt-4o": {
    inputPerMTok: 2.5,
    cacheWritePerMTok: 2.5,
    cacheReadPerMTok: 1.25,
    outputPerMTok: 10,
    cacheTtlMs: 300_000,
    selfCaching: true,
  },
  "gemini-2.5-pro": {
    inputPerMTok: 1.25,
    cacheWritePerMTok: 1.25,
    cacheReadPerMTok: 0.31,
    outputPerMTok: 10,
    cacheTtlMs: 300_000,
    selfCaching: true,
  },
  sim: SIM_PRICING,
};

const pricingSchema = z.object({
  inputPerMTok: z.number().min(0),
  cacheWritePerMTok: z.number().min(0),
  cacheReadPerMTok: z.number().min(0),
  outputPerMTok: z.number().min(0),
  cacheTtlMs: z.number().int().min(1_000),
  selfCaching: z.boolean().exactOptional(),
});
export const priceTableSchema = z.record(z.string().min(1), pricingSchema);

/**
 * The names a model may be priced under, most exact first: the name as given; without a
 * gateway's or credential's prefix (`bedrock/…`, `openrouter/anthropic/…`, `claude/haiku`);
 * without Bedrock's region and vendor (`us.anthropic.…`) and version (`-v1:0`); without
 * Vertex's `@20250805` or a `-20250805` / `-latest` date; with OpenRouter's dots as dashes
 * (`claude-opus-4.1`). Never a looser prefix: `gpt-4o-mini` is not `gpt-4o`.
 */
export function modelNameForms(model: string): string[] {
  const forms = [model];
  const add = (name: string) => {
    if (name !== "" && !forms.includes(name)) forms.push(name);
  };
  let name = model.slice(model.lastIndexOf("/") + 1);
  add(name);
  name = name.replace(/^(?:(?:us|eu|apac|global)\.)?anthropic\./, "");
  name = name.replace(/-v\d+(?::\d+)?$/, "").replace(/@\d{8}$/, "");
  add(name);
  name = name.replace(/(\d)\.(\d)/g, "$1-$2");
  add(name);
  add(name.replace(/-(?:\d{8}|latest)$/, ""));
  return forms;
}

/** A table entry by exact key, never one the object inherits (`constructor`, `__proto__`…). */
function ownEntry(table: PriceTable, key: string): ModelPricing | null {
  return Object.hasOwn(table, key) ? (table[key] ?? null) : null;
}

/** The model's prices in `table` under the first of its name forms that has an entry. */
export function pricingFor(table: PriceTable, model: string | undefined): ModelPricing | null {
  if (model === undefined) return null;
  for (const form of modelNameForms(model)) {
    const found = ownEntry(table, form);
    if (found !== null) return found;
  }
  return null;
}

/** A warm must reach the provider while the cache lives: this much is left for its trip. */
export const TTL_MARGIN_MS = 10_000;

/** The providers' usual prompt-cache lifetime, assumed when a model's is unknown. */
export const DEFAULT_CACHE_TTL_MS = 300_000;

/** What a conversation's model means for warming. */
export interface ModelEconomics {
  readonly model: string | null;
  /** null: prices unknown (the ledger counts its warms unpriced, the budget at the dearest). */
  readonly pricing: ModelPricing | null;
  /** The model's cache lifetime, or (unknown) the one assumed for restart decisions. */
  readonly cacheTtlMs: number;
  readonly ttlKnown: boolean;
  /** The longest interval whose warm still finds the cache alive; null when unknown. */
  readonly maxIntervalMs: number | null;
}

export function economicsFor(
  source: PriceSource,
  model: string | undefined,
  defaultCacheTtlMs = DEFAULT_CACHE_TTL_MS,
): ModelEconomics {
  const pricing =
    model === undefined
      ? null
      : typeof source === "function"
        ? source(model)
        : pricingFor(source, model);
  if (pricing === null) {
    return {
      model: model ?? null,
      pricing,
      cacheTtlMs: defaultCacheTtlMs,
      ttlKnown: false,
      maxIntervalMs: null,
    };
  }
  const maxIntervalMs = Math.max(
    1_000,
    Math.floor((pricing.cacheTtlMs - TTL_MARGIN_MS) / 1_000) * 1_000,
  );
  return {
    model: model ?? null,
    pricing,
    cacheTtlMs: pricing.cacheTtlMs,
    ttlKnown: true,
    maxIntervalMs,
  };
}

/** Why an interval this long cannot work for this model, or null when it can. */
export function intervalTooLong(intervalMs: number, economics: ModelEconomics): string | null {
  if (economics.maxIntervalMs === null || intervalMs <= economics.maxIntervalMs) return null;
  return (
    `interval must be at most ${economics.maxIntervalMs / 1000} s: ${economics.model}'s cache lives ` +
    `${economics.cacheTtlMs / 1000} s, so a later warm would find it expired and pay to write it again`
  );
}

/** What one warm cost, in USD. */
export function warmCostUsd(usage: Usage, pricing: ModelPricing): number {
  const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  return (
    (uncached * pricing.inputPerMTok +
      usage.cacheWriteTokens * pricing.cacheWritePerMTok +
      usage.cacheReadTokens * pricing.cacheReadPerMTok +
      usage.outputTokens * pricing.outputPerMTok) /
    1e6
  );
}

/** What a turn that finds the cache alive saves over one that writes it again. */
export function savedByHitUsd(prefixTokens: number, pricing: ModelPricing): number {
  return (prefixTokens * (pricing.cacheWritePerMTok - pricing.cacheReadPerMTok)) / 1e6;
}

/** Distinct model names whose economics are kept, at most (names come from clients too). */
export const MAX_KNOWN_MODELS = 256;

/**
 * The economics of each model by name, computed once per name and kept for the last
 * MAX_KNOWN_MODELS names; `defaultModel` prices warms that name no model.
 */
export function createModelEconomics(options: {
  readonly prices?: PriceSource;
  readonly defaultModel?: string;
  readonly cacheTtlMs?: number;
}) {
  const prices = options.prices ?? {};
  const known = new Map<string, ModelEconomics>();
  const ttl = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const noModel = economicsFor(prices, options.defaultModel, ttl);
  return (model: string | undefined): ModelEconomics => {
    if (model === undefined) return noModel;
    let found = known.get(model);
    if (found === undefined) {
      if (known.size >= MAX_KNOWN_MODELS) known.delete(known.keys().next().value as string);
      found = economicsFor(prices, model, ttl);
      known.set(model, found);
    }
    return found;
  };
}

export type EconomicsOf = ReturnType<typeof createModelEconomics>;
