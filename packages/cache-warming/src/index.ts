export * from "./pure.js";
export { createCacheWarmingSurface } from "./surface.js";
export type { CacheWarmer, CacheWarmerDeps, Logger, Timers, WarmNowResult } from "./warmer.js";
export {
  createCacheWarmer,
  DEFAULT_MANUAL_WARM_MIN_GAP_MS,
  DEFAULT_WARM_TIMEOUT_MS,
} from "./warmer.js";
