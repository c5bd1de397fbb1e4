// What a conversation's model means for warming: how long the provider keeps its prompt cache,
// hence the longest interval whose warm still finds it alive. Looked up in a price table by
// upstream's model names; without a table every model's lifetime is the assumed default.

/** Per million tokens, and how long the provider keeps an untouched prefix. */
export interface ModelPricing {
  readonly inputPerMTok: number;
  readonly cacheWritePerMTok: number;
  readonly cacheReadPerMTok: number;
  readonly outputPerMTok: number;
  readonly cacheTtlMs: number;
  /** The provider caches by itself (no write premium to avoid): never warm. */
  readonly selfCaching?: boolean;
}

export type PriceTable = Readonly<Record<string, ModelPricing>>;

/** Where a model's prices come from: a table (matched as `pricingFor` says) or a catalog's lookup. */
export type PriceSource = PriceTable | ((model: string) => ModelPricing | null);

/** A table entry by exact key, never one the object inherits (`constructor`, `__proto__`…). */
function ownEntry(table: PriceTable, key: string): ModelPricing | null {
  return Object.hasOwn(table, key) ? (table[key] ?? null) : null;
}

/** A dated or `-latest` name's base: `claude-sonnet-4-20250514` → `claude-sonnet-4`. */
const DATED = /^(.+)-(?:\d{8}|latest)$/;

/**
 * The model's prices, by upstream's names too (`credential/model`: `claude/haiku`,
 * `openai/gpt-4`): the whole name, else the part after the last `/`; each exactly, or without
 * a date or `-latest` suffix. Nothing looser: `gpt-4o-mini` is never priced as `gpt-4o`.
 */
export function pricingFor(table: PriceTable, model: string | undefined): ModelPricing | null {
  if (model === undefined) return null;
  const bare = model.slice(model.lastIndexOf("/") + 1);
  for (const name of model === bare ? [model] : [model, bare]) {
    const base = DATED.exec(name)?.[1];
    const found = ownEntry(table, name) ?? (base === undefined ? null : ownEntry(table, base));
    if (found !== null) return found;
  }
  return null;
}

/**
 * A warm must reach the provider while the cache still lives; this much of the TTL is left
 * for the request's own trip and queueing.
 */
export const TTL_MARGIN_MS = 10_000;

/** What the conversation's model means for warming: its prices, cache lifetime, longest interval. */
export interface ModelEconomics {
  readonly model: string | null;
  /** null: prices unknown; warming works as before and the ledger only counts warms. */
  readonly pricing: ModelPricing | null;
  /** The model's cache lifetime, or (when unknown) the one assumed for restart decisions. */
  readonly cacheTtlMs: number;
  /** Whether `cacheTtlMs` is the model's own (from the price table) or only assumed. */
  readonly ttlKnown: boolean;
  /**
   * The longest interval whose warm still finds the cache alive (whole seconds); null when
   * the cache lifetime is unknown, where any interval stays allowed, as upstream's are.
   */
  readonly maxIntervalMs: number | null;
}

export function economicsFor(
  source: PriceSource,
  model: string | undefined,
  defaultCacheTtlMs: number,
): ModelEconomics {
  const pricing =
    typeof source !== "function"
      ? pricingFor(source, model)
      : model === undefined
        ? null
        : source(model);
  if (pricing === null) {
    return {
      model: model ?? null,
      pricing,
      cacheTtlMs: defaultCacheTtlMs,
      ttlKnown: false,
      maxIntervalMs: null,
    };
  }
  const cacheTtlMs = pricing.cacheTtlMs;
  const maxIntervalMs = Math.max(1_000, Math.floor((cacheTtlMs - TTL_MARGIN_MS) / 1_000) * 1_000);
  return { model: model ?? null, pricing, cacheTtlMs, ttlKnown: true, maxIntervalMs };
}

/** Why an interval this long cannot work, or null when it can. */
export function intervalTooLong(intervalMs: number, economics: ModelEconomics): string | null {
  if (economics.maxIntervalMs === null || intervalMs <= economics.maxIntervalMs) return null;
  // A known lifetime comes from a priced model, so the model has a name here.
  const whose = `${economics.model}'s`;
  return (
    `interval must be at most ${economics.maxIntervalMs / 1000} s: ${whose} cache lives ` +
    `${economics.cacheTtlMs / 1000} s, so a later warm would find it expired and pay to write it again`
  );
}
