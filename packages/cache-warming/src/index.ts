// Upstream's exports, then the few this core adds: `warmNow`'s result, the hook seam the
// extras plug into, the surface provider, and the extension that takes extras.
export {
  type CacheWarmingSurface,
  createCacheWarmingExtension,
  createSurfaceProvider,
  extension,
  manifest,
} from "./extension.js";
export {
  buildConversationSpec,
  buildDefaultSpec,
  type ConversationContext,
  type ConversationSettings,
  type ConversationState,
  computeCachePct,
  computeExpectedCacheRate,
  DEFAULT_INTERVAL_MS,
  isTokenCurrent,
  MIN_INTERVAL_MS,
  msToSeconds,
  parseIntervalPayload,
  parseSettings,
  secondsToMs,
  serializeSettings,
  settingsKey,
  shouldWarm,
  TIMER_RENDERER_ID,
  type WarmerHooks,
  type WarmNowResult,
  type WarmResult,
} from "./pure.js";
export {
  type CacheWarmer,
  type CacheWarmerDeps,
  createCacheWarmer,
  type TimerDeps,
} from "./warmer.js";
