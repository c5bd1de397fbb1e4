// The warm service's shapes, as upstream's session-orchestrator declares them (structurally),
// and a stand-in provider: the prompt-cache simulator.
import type { WarmResult } from "@dispatch/cache-warming";

/** Providers keep a prompt cache this long after its last read or write, by default. */
export const DEFAULT_CACHE_TTL_MS = 300_000;

/** A refusal (generating, no history, unknown model) comes back as `{ error }`, not a throw. */
export type WarmOutcome = WarmResult | { readonly error: string };

export interface WarmOptions {
  readonly cwd?: string;
  readonly modelName?: string;
}

/** Sends one cheap request that reads (and so refreshes) the conversation's cached prefix. */
export interface WarmService {
  readonly warm: (conversationId: string, opts?: WarmOptions) => Promise<WarmOutcome>;
}

export function isWarmFailure(outcome: WarmOutcome): outcome is { readonly error: string } {
  return "error" in outcome;
}

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
  /**
   * How long a warm takes to answer, as a real provider's does (its cache is read when the
   * request arrives, at once). 0 (the default) answers in the same turn of the event loop.
   */
  latencyMs?: number;
  /** The timer the latency waits on (a fake clock's in tests). Needed when `latencyMs` > 0. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** Told of every warm it takes on, as it arrives: what a provider would bill. */
  onBilled?: (conversationId: string, modelName: string) => void;
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
    options.onBilled?.(conversationId, model);
    const key = `${model}\u0000${conversationId}`;
    const now = options.now();
    const expiresAt = expiresAtByKey.get(key);
    const hit = expiresAt !== undefined && now < expiresAt;
    expiresAtByKey.set(key, now + ttlMs);
    if (expiresAtByKey.size > sweepAt) {
      for (const [stale, at] of expiresAtByKey) if (at <= now) expiresAtByKey.delete(stale);
      sweepAt = Math.max(10_000, expiresAtByKey.size * 2);
    }
    const usage = {
      inputTokens: prefixTokens + promptTokens,
      outputTokens: 1,
      cacheReadTokens: hit ? prefixTokens : 0,
      cacheWriteTokens: hit ? 0 : prefixTokens,
    };
    const latency = options.latencyMs ?? 0;
    if (latency <= 0 || options.setTimer === undefined) return usage;
    const setTimer = options.setTimer;
    return new Promise((resolve) => setTimer(() => resolve(usage), latency));
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
