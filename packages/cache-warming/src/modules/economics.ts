// Opt-in module: prices per model (the bundled table), what a warm costs and a hit saves, and
// the return estimate break-even decides with. Pure: prices, usage and gaps in; dollars out.
import * as z from "zod";
import type { ModelPricing, PriceTable } from "../model-cache.js";
import type { WarmResult } from "../warm-service.js";

/**
 * Defaults, from the providers' published list prices (USD per million tokens; check them
 * before relying on the dollars). Explicit prompt caching (Anthropic): a 5-minute cache write
 * costs 1.25× input, a read 0.1×. OpenAI and Gemini cache prompts by themselves, with no write
 * premium, so warming them only costs. `sim` prices the simulator like a mid-size model.
 */
/** The bundled simulator's model, priced like a mid-size model with explicit caching. */
export const SIM_PRICING: ModelPricing = {
  inputPerMTok: 3,
  cacheWritePerMTok: 3.75,
  cacheReadPerMTok: 0.3,
  outputPerMTok: 15,
  cacheTtlMs: 300_000,
};

/** Anthropic's family names as upstream's `claude/<family>` models use them (current models). */
const CLAUDE_FAMILIES: PriceTable = {
  opus: {
    inputPerMTok: 5,
    cacheWritePerMTok: 6.25,
    cacheReadPerMTok: 0.5,
    outputPerMTok: 25,
    cacheTtlMs: 300_000,
  },
  sonnet: {
    inputPerMTok: 3,
    cacheWritePerMTok: 3.75,
    cacheReadPerMTok: 0.3,
    outputPerMTok: 15,
    cacheTtlMs: 300_000,
  },
  haiku: {
    inputPerMTok: 1,
    cacheWritePerMTok: 1.25,
    cacheReadPerMTok: 0.1,
    outputPerMTok: 5,
    cacheTtlMs: 300_000,
  },
};

export const DEFAULT_PRICES: PriceTable = {
  ...CLAUDE_FAMILIES,
  "claude-opus-4": {
    inputPerMTok: 15,
    cacheWritePerMTok: 18.75,
    cacheReadPerMTok: 1.5,
    outputPerMTok: 75,
    cacheTtlMs: 300_000,
  },
  "claude-sonnet-4": {
    inputPerMTok: 3,
    cacheWritePerMTok: 3.75,
    cacheReadPerMTok: 0.3,
    outputPerMTok: 15,
    cacheTtlMs: 300_000,
  },
  "claude-haiku-3-5": {
    inputPerMTok: 0.8,
    cacheWritePerMTok: 1,
    cacheReadPerMTok: 0.08,
    outputPerMTok: 4,
    cacheTtlMs: 300_000,
  },
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

/** What one warm cost, in USD. */
export function warmCostUsd(usage: WarmResult, pricing: ModelPricing): number {
  const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  return (
    (uncached * pricing.inputPerMTok +
      usage.cacheWriteTokens * pricing.cacheWritePerMTok +
      usage.cacheReadTokens * pricing.cacheReadPerMTok +
      usage.outputTokens * pricing.outputPerMTok) /
    1e6
  );
}

/** What a turn that finds the cache alive saves over one that must write it again. */
export function savedByHitUsd(prefixTokens: number, pricing: ModelPricing): number {
  return (prefixTokens * (pricing.cacheWritePerMTok - pricing.cacheReadPerMTok)) / 1e6;
}

// ---- the break-even policy ----------------------------------------------------------------

/** The Schedule stat's words when a policy (break-even or adaptive) paused: `not-worth-it`. */
export function describePolicyPause(state: { readonly pausedBy: string | null }) {
  return state.pausedBy === "not-worth-it"
    ? "Paused: the next warm would likely cost more than it saves"
    : undefined;
}

/**
 * Idle gaps (ms) standing in for a conversation with no history of its own, fitted to
 * public counts of real agent sessions: most gaps are short (563 of 637, 88%, under 5
 * minutes: 23 of these 26), returns after 10–60 minutes still happen (15 and 40 minutes),
 * and some absences last hours (4 hours). Each weighs as one observed gap; a conversation's
 * own gaps outweigh them as they accumulate.
 */
export const PRIOR_GAPS_MS: readonly number[] = [
  10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 45_000, 50_000, 60_000, 70_000, 80_000, 90_000,
  100_000, 110_000, 120_000, 140_000, 160_000, 180_000, 200_000, 220_000, 240_000, 260_000, 280_000,
  900_000, 2_400_000, 14_400_000,
];

/** Gaps a conversation keeps for its own estimate. */
export const MAX_GAPS = 50;

/**
 * Whether to go on warming, `idleMs` into an idle stretch, just after the cache was last
 * touched (by a warm, or by the turn itself at 0). The cache lives until t+TTL; going on
 * means warms at t+I, t+2I, … (each made only while still idle), which keep it alive for
 * returns after t+TTL. Go on while, for some horizon k, the expected saving beats the
 * expected cost:
 *   P(return in (t+TTL, t+kI+TTL] | idle > t) · saving  >  warm · Σ_{j=1..k} P(idle > t+jI | idle > t).
 * Probabilities come from the conversation's own idle gaps plus the prior.
 */
export function worthWarmingOn(input: {
  idleMs: number;
  intervalMs: number;
  cacheTtlMs: number;
  gapsMs: readonly number[];
  warmCostUsd: number;
  savedByHitUsd: number;
  horizon: number;
  /** Defaults to PRIOR_GAPS_MS. */
  priorGapsMs?: readonly number[];
}): boolean {
  const gaps = [...input.gapsMs, ...(input.priorGapsMs ?? PRIOR_GAPS_MS)];
  const beyond = (ms: number) => gaps.filter((gap) => gap > ms).length;
  const alive = beyond(input.idleMs);
  if (alive === 0) return false; // nobody ever came back this late
  const { idleMs: t, intervalMs: interval, cacheTtlMs: ttl } = input;
  let cost = 0;
  for (let k = 1; k <= input.horizon; k++) {
    cost += (beyond(t + k * interval) / alive) * input.warmCostUsd;
    const returned = (beyond(t + ttl) - beyond(t + k * interval + ttl)) / alive;
    if (returned * input.savedByHitUsd > cost) return true;
  }
  return false;
}

// ---- what a conversation's model implies ----------------------------------------------------
