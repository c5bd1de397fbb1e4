// Opt-in module, shell half: the global warm budgets as the warmer's `WarmGate`. Every warm
// call, manual or automatic, over all conversations, takes one call from a calls-a-minute
// bucket while a dollars-a-minute bucket is above zero; a warm's cost is taken when it answers.
// Stored (`warm-budget`, at most once a second and at dispose) so a restart does not hand out a
// fresh minute.

import type { ModelPricing } from "../model-cache.js";
import type { WarmResult } from "../warm-service.js";
import type { Logger, SettingsStorage, WarmGate } from "../warmer.js";
import { createWriteQueue } from "../write-queue.js";
import { warmCostUsd } from "./economics.js";
import {
  BUDGET_KEY,
  type BudgetRecord,
  chargeUsd,
  mayStartUsd,
  parseBudgetRecord,
  takeFromBudget,
  type WarmBudget,
} from "./global-budget.js";

export interface WarmBudgetOptions {
  readonly now: () => number;
  readonly logger: Logger;
  /** Read on every warm, so a host may change the limits while running. 0 = no limit. */
  readonly maxWarmsPerMinute?: number;
  readonly maxUsdPerMinute?: number;
  /** Where the budget outlives a restart; without it (or with `persistSchedules: false`) it lives in memory. */
  readonly storage?: Pick<SettingsStorage, "get" | "set">;
  readonly persistSchedules?: boolean;
}

export function createWarmBudget(options: WarmBudgetOptions): WarmGate {
  const calls = () => options.maxWarmsPerMinute ?? 0;
  const dollars = () => options.maxUsdPerMinute ?? 0;
  let budget: WarmBudget = { tokens: calls(), at: options.now() };
  let usdBudget: WarmBudget = { tokens: dollars(), at: options.now() };
  const writes = createWriteQueue();
  // A crash forgets at most a second of spending.
  let writtenAt = Number.NEGATIVE_INFINITY;
  let restored = false;
  let tookAny = false;
  let refused = 0;
  let lastWarningAt = Number.NEGATIVE_INFINITY;

  function store(force: boolean): void {
    const now = options.now();
    const limited = calls() > 0 || dollars() > 0;
    const storage = options.storage;
    if (!limited || storage === undefined || options.persistSchedules === false) return;
    // A gate that neither read the stored budget nor spent any has nothing to say about it
    // (a start that failed must not overwrite it with a fresh minute).
    if (!restored && !tookAny) return;
    if (!force && now - writtenAt < 1_000) return;
    writtenAt = now;
    const record: BudgetRecord = { calls: budget, usd: usdBudget };
    void writes
      .enqueue(BUDGET_KEY, () => storage.set(BUDGET_KEY, JSON.stringify(record)))
      .catch((err: unknown) => {
        options.logger.error("cache-warming: could not store the warm budget", { err });
      });
  }

  return {
    take(conversationId) {
      const now = options.now();
      const usd = mayStartUsd(usdBudget, now, dollars());
      usdBudget = usd.budget;
      const decision = usd.ok ? takeFromBudget(budget, now, calls()) : { ...usd, budget };
      budget = decision.budget;
      if (decision.ok) {
        tookAny = true;
        store(false);
        return { ok: true };
      }
      refused += 1;
      options.logger.debug("cache-warming: warm refused by the budget", { conversationId });
      // At most one warning a minute: under attack the refusals would flood the log.
      if (now - lastWarningAt >= 60_000) {
        lastWarningAt = now;
        options.logger.warn("cache-warming: warm budget spent, refusing warms", {
          conversationId,
          maxWarmsPerMinute: calls(),
          refusedSoFar: refused,
        });
      }
      const seconds = Math.ceil(decision.retryAfterMs / 1000);
      const limit = usd.ok ? `${calls()} a minute` : `$${dollars()} a minute`;
      return {
        ok: false,
        retryAfterMs: decision.retryAfterMs,
        error: `the server's warm budget (${limit}) is spent; retry in ${seconds} s`,
      };
    },
    charge(usage: WarmResult, pricing: ModelPricing | null) {
      if (pricing === null) return;
      usdBudget = chargeUsd(usdBudget, options.now(), dollars(), warmCostUsd(usage, pricing));
    },
    async restore() {
      const stored = parseBudgetRecord((await options.storage?.get(BUDGET_KEY)) ?? null);
      restored = true;
      if (stored !== null) {
        budget = stored.calls;
        usdBudget = stored.usd;
      }
    },
    flush: () => store(true),
    drain: () => writes.drain(),
    refusals: () => refused,
  };
}
