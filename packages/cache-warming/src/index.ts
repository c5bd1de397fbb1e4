export * from "./pure.ts";
export { createCacheWarmingSurface } from "./surface.ts";
export type { CacheWarmer, CacheWarmerDeps, Logger, Timers, WarmNowResult } from "./warmer.ts";
export {
	createCacheWarmer,
	DEFAULT_MANUAL_WARM_MIN_GAP_MS,
	DEFAULT_WARM_TIMEOUT_MS,
} from "./warmer.ts";
