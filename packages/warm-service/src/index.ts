export type { PromptCacheSimulatorOptions } from "./simulator.ts";
export { createPromptCacheSimulator, DEFAULT_CACHE_TTL_MS } from "./simulator.ts";
export type { WarmOptions, WarmResult, WarmService, WarmUsage } from "./types.ts";
export { isWarmFailure } from "./types.ts";
