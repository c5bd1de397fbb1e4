// The standalone server's warmer: the core's, with every extra plugged in, in the order their
// hooks run. Refusers first (the budget last of them: it reserves), then what a warm records:
// the status, the ledger (the policies read its facts; it stores the warm as sent, so no hook
// after it may refuse), the spend guard, the refusal memory.
import {
  type CacheWarmer,
  type CacheWarmerDeps,
  type CacheWarmingSurface,
  createCacheWarmer,
  createSurfaceProvider,
  DEFAULT_INTERVAL_MS,
  type WarmerHooks,
} from "@dispatch/cache-warming";
import { createBudget } from "./budget.js";
import { createEnabledCap } from "./enabled-cap.js";
import type { Extra } from "./extra.js";
import { createLedger } from "./ledger.js";
import { createModelLimits } from "./model-limits.js";
import { createModelEconomics, type ModelPricing, type PriceSource } from "./prices.js";
import { createRateLimit } from "./rate-limit.js";
import { createWriteQueue, type RecordStorage } from "./records.js";
import { createRefusals, SET_INTERVAL, TOGGLE, WARM_NOW } from "./refusals.js";
import { createRestart, type ResumeReport } from "./restart.js";
import {
  createSpendGuard,
  DEFAULT_DEAD_WARM_LIMIT,
  DEFAULT_IDLE_WARM_CAP,
  type SpendLimits,
  type SpendLimitsChange,
  type WarmPolicy,
} from "./spend-guard.js";
import { createStatus } from "./status.js";
import { createStoreHealth } from "./store-health.js";

export interface StandardOptions
  extends Omit<CacheWarmerDeps, "hooks" | "onSurfaceChange" | "storage"> {
  readonly storage: RecordStorage;
  /** Records outlive the process (false: storage in memory, so none is written). */
  readonly persist: boolean;
  readonly prices?: PriceSource;
  /** The price-table entry for warms that name no model (the provider's default model). */
  readonly defaultModel?: string;
  /** Assumed cache lifetime of a model whose prices do not say. */
  readonly cacheTtlMs?: number;
  /** The price unpriced warms are reserved and charged at. */
  readonly dearest: ModelPricing;
  readonly defaultPolicy?: WarmPolicy;
  /** Least time between two manual warms of one conversation; 0 = no limit. */
  readonly manualWarmMinGapMs: number;
  readonly maxWarmsPerMinute: number;
  readonly maxUsdPerMinute: number;
  /** Conversations with warming on at once; 0 = no limit. */
  readonly maxEnabledConversations: number;
  /** Whether somebody watches a conversation (memory release keeps it). */
  readonly isObserved?: (conversationId: string) => boolean;
}

export function createStandardWarmer(options: StandardOptions) {
  const hooks: WarmerHooks[] = [];
  let surface: CacheWarmingSurface | null = null;
  const inMemory = new Set<string>();
  let warmCalls = 0;
  // The list is read at every event, so extras made with the warmer join it afterwards.
  const health = createStoreHealth(options);
  const warmer: CacheWarmer = createCacheWarmer({
    ...options,
    storage: health.storage,
    hooks,
    onSurfaceChange: (conversationId) => surface?.notify(conversationId),
  });
  const queue = createWriteQueue();
  const economicsOf = createModelEconomics(options);
  const deps = { ...options, storage: health.storage, warmer, queue, economicsOf };

  const ledger = createLedger(deps);
  const guard = createSpendGuard({
    ...deps,
    ledger,
    ...(options.defaultPolicy === undefined ? {} : { defaultPolicy: options.defaultPolicy }),
  });
  const budget = createBudget({
    ...deps,
    ledger,
    maxWarmsPerMinute: () => options.maxWarmsPerMinute,
    maxUsdPerMinute: () => options.maxUsdPerMinute,
  });
  const model = createModelLimits(deps);
  const rateLimit = createRateLimit({ now: options.now, minGapMs: options.manualWarmMinGapMs });
  // The rate limit keeps its own times (pruned as they pass): it holds no conversation.
  let resuming: Promise<unknown> = Promise.resolve();
  const cap = createEnabledCap({
    ...deps,
    maxEnabled: options.maxEnabledConversations,
    resumed: () => resuming,
  });
  const refusals = createRefusals(deps);
  const loaders: Extra[] = [ledger, guard];
  const restart = createRestart({
    ...deps,
    loadExtras: async (id) => {
      await Promise.all(loaders.map((extra) => extra.load?.(id)));
    },
  });
  const status = createStatus({
    ...deps,
    explainers: [model, guard, budget],
    loading: (id) => !restart.isLoaded(id),
    notResumed: restart.notResumed,
  });
  loaders.push(status);
  // The cap first: a refused enable touches no other extra.
  const extras: Extra[] = [cap, restart, rateLimit, model, budget, status, ledger, guard, refusals];
  const counted: WarmerHooks = {
    warmStarted: () => {
      warmCalls += 1;
    },
    changed: (id) => void inMemory.add(id),
  };
  // A store that cannot write refuses a warm before anything else counts it.
  hooks.push(counted, health.hooks, ...extras.map((extra) => extra.hooks));

  const base = createSurfaceProvider(warmer, hooks);
  const known = [
    TOGGLE,
    SET_INTERVAL,
    WARM_NOW,
    ...hooks.flatMap((h) => Object.keys(h.actions ?? {})),
  ];
  surface = {
    ...refusals.wrap(base, [...new Set(known)]),
    // The registry waits for it before a subscriber's first spec: the stored settings are in.
    prepare: async (context?: { readonly conversationId?: string }) => {
      if (context?.conversationId !== undefined)
        await restart.load(context.conversationId).catch(() => {});
    },
  } as CacheWarmingSurface;

  /** Forgets a conversation nobody watches once it holds nothing but what is stored. */
  function release(id: string): void {
    if (options.isObserved?.(id) !== false) return;
    const state = warmer.getState(id);
    const limits: SpendLimits = guard.limits(id);
    if (state.enabled || state.active || state.intervalMs !== DEFAULT_INTERVAL_MS) return;
    if (
      limits.idleWarmCap !== DEFAULT_IDLE_WARM_CAP ||
      limits.deadWarmLimit !== DEFAULT_DEAD_WARM_LIMIT
    )
      return;
    if (extras.some((extra) => extra.holds?.(id) === true)) return;
    if (!warmer.release(id)) return;
    for (const extra of extras) extra.forget?.(id);
    inMemory.delete(id);
  }

  return {
    warmer,
    surface,
    /**
     * A manual warm from a client, answered once what it recorded (ledger, history) is in the
     * store, so a crash right after the answer keeps it; an id nobody watches leaves memory
     * again after it.
     */
    async warmNow(id: string, opts?: Parameters<CacheWarmer["warmNow"]>[1]) {
      const result = await warmer.warmNow(id, opts);
      await queue.drain();
      release(id);
      return result;
    },
    release,
    /** Reads a conversation's stored settings and records (once). */
    load: (id: string) => restart.load(id),
    /** After start: the budget as the last run left it, then every stored schedule. */
    resume(accepts?: (id: string) => boolean): Promise<ResumeReport> {
      const resumed = budget
        .restore()
        .then(() => restart.resumeAll(accepts === undefined ? {} : { accepts }));
      resuming = resumed.catch(() => {});
      return resumed;
    },
    setSpendLimits: (id: string, change: SpendLimitsChange) => guard.setLimits(id, change),
    /** One conversation as `GET /cache-warming/:id` answers it: what the surface shows. */
    view(id: string) {
      const spec = surface?.getSpec({ conversationId: id });
      const timer = spec?.fields.find((f) => f.kind === "custom")?.payload as Record<
        string,
        unknown
      >;
      const state = warmer.getState(id);
      return {
        conversationId: id,
        enabled: state.enabled,
        intervalMs: state.intervalMs,
        lastPct: state.lastPct,
        lastExpectedPct: state.lastExpectedPct,
        ...timer,
        spendLimits: guard.limits(id),
        schedule: status.describe(id),
      };
    },
    /** Resolves once every read under way, and every record queued so far, is done. */
    async drain() {
      await restart.idle();
      await queue.drain();
    },
    /** After `warmer.dispose()`: the budget as it stands, and every record, stored. */
    async close() {
      await restart.idle();
      await budget.flush();
      await queue.drain();
    },
    stats: () => ({
      warmCalls,
      budgetRefusals: budget.refusals(),
      enabledRefusals: cap.refusals(),
      conversationsInMemory: inMemory.size,
      pendingWrites: queue.size,
      enabledConversations: cap.count(),
    }),
    budget,
    guard,
    status,
    health,
  };
}

export type StandardWarmer = ReturnType<typeof createStandardWarmer>;
