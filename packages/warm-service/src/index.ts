export type { PromptCacheSimulatorOptions } from "./simulator.js";
export { createPromptCacheSimulator, DEFAULT_CACHE_TTL_MS } from "./simulator.js";
export type { WarmOptions, WarmOutcome, WarmResult, WarmService } from "./types.js";
export { isWarmFailure } from "./types.js";
