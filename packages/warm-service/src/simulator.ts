import {
  DEFAULT_CACHE_TTL_MS,
  type WarmOptions,
  type WarmOutcome,
  type WarmService,
} from "@dispatch/cache-warming";

// One default TTL for the simulator and the warmer's price-less models.
export { DEFAULT_CACHE_TTL_MS };

export interface PromptCacheSimulatorOptions {
  /** Epoch-ms clock; inject a fake one in tests. */
  now: () => number;
  /** How long a cached prefix lives after its last read or write. */
  ttlMs?: number;
  /** Size of every conversation's cached prefix. */
  prefixTokens?: number;
  /** Uncached tokens each warm request adds after the prefix. */
  promptTokens?: number;
  /** When given, a warm naming another model is refused like a real provider would. */
  knownModels?: readonly string[];
}

/**
 * A stand-in for a provider's prompt cache, so the server runs and demos without an API key:
 * each conversation (per model) has a cached prefix that expires `ttlMs` after it was last
 * touched. A warm inside the TTL reads the prefix (cachePct ≈ 100) and refreshes it; a warm
 * after expiry writes it again (cachePct 0). A real provider adapter replaces it by
 * implementing the same `WarmService` signature.
 */
export interface PromptCacheSimulator extends WarmService {
  /** A conversation without history is refused as upstream refuses it: `{ error: "no history" }`. */
  setHistory(conversationId: string, present: boolean): void;
  /** Prefixes it remembers, expired ones not yet forgotten included: its memory's bound. */
  cachedPrefixes(): number;
}

export function createPromptCacheSimulator(
  options: PromptCacheSimulatorOptions,
): PromptCacheSimulator {
  const ttlMs = options.ttlMs ?? DEFAULT_CACHE_TTL_MS;
  const prefixTokens = options.prefixTokens ?? 12_000;
  const promptTokens = options.promptTokens ?? 16;
  const expiresAtByKey = new Map<string, number>();
  const withoutHistory = new Set<string>();
  // Expired prefixes are forgotten once the map doubles, so distinct ids cannot grow it forever.
  let sweepAt = 10_000;

  async function warm(conversationId: string, opts?: WarmOptions): Promise<WarmOutcome> {
    if (withoutHistory.has(conversationId)) return { error: "no history" };
    const model = opts?.modelName ?? "default";
    if (options.knownModels && !options.knownModels.includes(model)) {
      return { error: `unknown model "${model}"` };
    }
    const key = `${model}\u0000${conversationId}`;
    const now = options.now();
    const expiresAt = expiresAtByKey.get(key);
    const hit = expiresAt !== undefined && now < expiresAt;
    expiresAtByKey.set(key, now + ttlMs);
    if (expiresAtByKey.size > sweepAt) {
      for (const [stale, at] of expiresAtByKey) if (at <= now) expiresAtByKey.delete(stale);
      sweepAt = Math.max(10_000, expiresAtByKey.size * 2);
    }
    return {
      inputTokens: prefixTokens + promptTokens,
      outputTokens: 1,
      cacheReadTokens: hit ? prefixTokens : 0,
      cacheWriteTokens: hit ? 0 : prefixTokens,
    };
  }
  return {
    warm,
    setHistory(conversationId, present) {
      if (present) withoutHistory.delete(conversationId);
      else withoutHistory.add(conversationId);
    },
    cachedPrefixes: () => expiresAtByKey.size,
  };
}
