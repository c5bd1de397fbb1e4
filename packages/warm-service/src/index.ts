export type {
  PromptCacheSimulator,
  PromptCacheSimulatorOptions,
  WarmOptions,
  WarmOutcome,
  WarmService,
} from "./simulator.js";
export { createPromptCacheSimulator, DEFAULT_CACHE_TTL_MS, isWarmFailure } from "./simulator.js";
