// The opt-in modules (`@dispatch/cache-warming/modules`): nothing in the core imports them. The
// standalone server composes all of them; a host app picks what it wants:
// - `STANDARD_RULES` (or `spendGuardRules`, `breakEvenRules`, `ledgerRules`): warming rules;
// - `createWarmBudget`: a global calls- and dollars-a-minute budget, as the warmer's `warmGate`;
// - `createScheduler`: one host timer for every conversation's countdown, as the warmer's `timers`;
// - `DEFAULT_PRICES`: prices and cache lifetimes per model, as the warmer's `prices`.
export {
  ADAPTIVE_BUDGET,
  adaptiveRules,
  adaptiveStop,
  learnedStop,
  optimumCost,
  safeStop,
  stopAfterCost,
} from "./adaptive.js";
export { BREAK_EVEN_HORIZON, breakEvenRules, worthGoingOn } from "./break-even.js";
export {
  DEFAULT_PRICES,
  describePolicyPause,
  priceTableSchema,
  SIM_PRICING,
  savedByHitUsd,
  warmCostUsd,
  worthWarmingOn,
} from "./economics.js";
export { type BudgetDecision, takeFromBudget, type WarmBudget } from "./global-budget.js";
export { ledgerRules, recordTurnStart } from "./ledger.js";
export {
  describeLedger,
  type LedgerTimerKeys,
  type LedgerView,
  ledgerFields,
  ledgerTimerKeys,
  ledgerView,
} from "./ledger-view.js";
export { forgetUnwatched, type MemoryReleaseOptions } from "./memory-release.js";
export { createScheduler, DEFAULT_BATCH_SIZE, type SchedulerOptions } from "./scheduler.js";
export {
  applySpendGuard,
  DEFAULT_POLICY,
  describeGuardPause,
  GUARDED_DEFAULTS,
  isDefaultRecord,
  parseSpendLimits,
  resetIdleStretch,
  serializeSpendLimits,
  spendGuardRules,
  spendLimitsKey,
} from "./spend-guard.js";
export {
  definedOnly,
  parseSpendLimitsPayload,
  SET_SPEND_LIMITS,
  setSpendLimits,
  spendLimitsActions,
  spendLimitsSchema,
  warmPolicySchema,
} from "./spend-limits.js";
export { STANDARD_RULES } from "./standard.js";
export { createWarmBudget, type WarmBudgetOptions } from "./warm-budget.js";
