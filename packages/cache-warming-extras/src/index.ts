// The extras beyond upstream's warmer, each plugged in through the core's hooks and keeping its
// own state: restart resume, the spend guard and its policies, the ledger and prices, the global
// budget, the model's limits, the status words and history, refusals, the manual rate limit,
// the enabled cap, the one-timer scheduler. `createStandardWarmer` composes them all.
export {
  type Bucket,
  type Budget,
  createBudget,
  DEFAULT_RESERVED_PREFIX_TOKENS,
} from "./budget.js";
export { DEFAULT_WARM_TIMEOUT_MS, withDeadline } from "./deadline.js";
export { createEnabledCap } from "./enabled-cap.js";
export type { Extra, ExtraDeps, Pause } from "./extra.js";
export {
  createLedger,
  describeLedger,
  type Ledger,
  type LedgerView,
  ledgerView,
  MAX_GAPS,
} from "./ledger.js";
export { createModelLimits } from "./model-limits.js";
export {
  type AdaptiveAccount,
  adaptiveBound,
  adaptiveStop,
  EMPTY_ACCOUNT,
  type GapCosts,
  gapCosts,
  learnedStop,
  optimumCost,
  safeStop,
  stopAfterCost,
  worstRatio,
} from "./policies.js";
export {
  createModelEconomics,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_PRICES,
  economicsFor,
  type ModelEconomics,
  type ModelPricing,
  modelNameForms,
  type PriceSource,
  type PriceTable,
  priceTableSchema,
  pricingFor,
  SIM_PRICING,
  warmCostUsd,
} from "./prices.js";
export { createRateLimit } from "./rate-limit.js";
export { createWriteQueue, type RecordStorage } from "./records.js";
export { ActionRejected, createRefusals, type Refusal } from "./refusals.js";
export { createRestart, decideResume, type ResumeReport } from "./restart.js";
export { createScheduler, DEFAULT_BATCH_SIZE } from "./scheduler.js";
export {
  createSpendGuard,
  DEFAULT_DEAD_WARM_LIMIT,
  DEFAULT_IDLE_WARM_CAP,
  SET_POLICY,
  SET_SPEND_LIMITS,
  type SpendLimits,
  type SpendLimitsChange,
  WARM_POLICIES,
  type WarmPolicy,
} from "./spend-guard.js";
export { createStandardWarmer, type StandardOptions, type StandardWarmer } from "./standard.js";
export {
  createStatus,
  type HistoryEntry,
  LOST_IN_RESTART,
  MAX_HISTORY,
  type ScheduleState,
} from "./status.js";
