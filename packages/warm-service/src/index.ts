export type {
  WarmOptions,
  WarmOutcome,
  WarmResult,
  WarmService,
} from "@dispatch/cache-warming";
export { isWarmFailure } from "@dispatch/cache-warming";
export type { PromptCacheSimulator, PromptCacheSimulatorOptions } from "./simulator.js";
export { createPromptCacheSimulator, DEFAULT_CACHE_TTL_MS } from "./simulator.js";
