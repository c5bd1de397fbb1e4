// Upstream's exports first (same names), then this package's additions.

// ---- additions ----
export { type Clock, systemClock } from "./clock.js";
export {
  type CacheWarmingHost,
  type CacheWarmingOptions,
  createCacheWarmingExtension,
  extension,
  hooks,
  manifest,
  services,
  type TurnLifecyclePayload,
} from "./extension.js";
export {
  economicsFor,
  intervalTooLong,
  type ModelEconomics,
  type ModelPricing,
  type PriceSource,
  type PriceTable,
  pricingFor,
  TTL_MARGIN_MS,
} from "./model-cache.js";
export {
  ActionRejectedError,
  intervalMsFromPayload,
  parseTogglePayload,
} from "./payloads.js";
export {
  ACTION_IDS,
  buildConversationSpec,
  buildDefaultSpec,
  type ConversationContext,
  type ConversationSettings,
  type ConversationState,
  clampIntervalMs,
  computeCachePct,
  computeExpectedCacheRate,
  DEFAULT_INTERVAL_MS,
  isTokenCurrent,
  MAX_INTERVAL_MS,
  MIN_INTERVAL_MS,
  msToSeconds,
  parseIntervalPayload,
  parseSettings,
  SURFACE_ID,
  SURFACE_REGION,
  SURFACE_TITLE,
  secondsToMs,
  serializeSettings,
  settingsKey,
  shouldWarm,
  TIMER_RENDERER_ID,
} from "./pure.js";
export {
  decideResume,
  LOST_IN_RESTART,
  parseScheduleRecord,
  type ResumeDecision,
  restoreSchedule,
  type ScheduleRecord,
  scheduleKey,
  scheduleRecordOf,
} from "./restart.js";
export { combineRules, NO_RULES, type WarmRules } from "./rules.js";
export {
  buildCacheWarmingSpec,
  conversationView,
  describeSchedule,
  type Refusal,
  type ScheduleState,
  type ScheduleStatus,
  type SpecExtras,
  scheduleStatus,
  type TimerPayload,
  timerPayloadOf,
} from "./spec.js";
export {
  type CacheWarmingState,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_DEAD_WARM_LIMIT,
  DEFAULT_IDLE_WARM_CAP,
  DEFAULT_SPEND_LIMITS,
  EMPTY_LEDGER,
  effectiveIntervalMs,
  type Ledger,
  MAX_HISTORY,
  type NotResumedReason,
  type PauseReason,
  type SpendLimits,
  type SpendLimitsChange,
  settingsOf,
  shouldSchedule,
  spendLimitsOf,
  WARM_POLICIES,
  type WarmAttempt,
  type WarmFailureReason,
  type WarmHistoryEntry,
  type WarmPolicy,
  type WarmTrigger,
} from "./state.js";
export {
  type CacheWarmingSurface,
  createCacheWarmingSurface,
  MAX_REMEMBERED_REFUSALS,
} from "./surface.js";
export {
  initialState,
  type ManualWarmRefusal,
  recordWarm,
  refuseManualWarm,
} from "./transitions.js";
export {
  isWarmFailure,
  type WarmOptions,
  type WarmOutcome,
  type WarmResult,
  type WarmService,
} from "./warm-service.js";
export {
  type CacheWarmer,
  type CacheWarmerDeps,
  createCacheWarmer,
  DEFAULT_MANUAL_WARM_MIN_GAP_MS,
  DEFAULT_WARM_TIMEOUT_MS,
  type LogAttributes,
  type Logger,
  type ResumeOptions,
  type ResumeReport,
  type SettingsStorage,
  type TimerDeps,
  type WarmCompletedPayload,
  type WarmerStats,
  type WarmGate,
  type WarmNowResult,
} from "./warmer.js";
