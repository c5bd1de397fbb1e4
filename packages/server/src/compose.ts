// The composition root: the one place that picks real clocks, storage and the simulator, and
// composes the core warmer with every extra (@dispatch/cache-warming-extras).
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { type CacheWarmer, type CacheWarmerDeps, settingsKey } from "@dispatch/cache-warming";
import {
  createScheduler,
  createStandardWarmer,
  DEFAULT_PRICES,
  type ModelPricing,
  SIM_PRICING,
  type StandardWarmer,
  withDeadline,
} from "@dispatch/cache-warming-extras";
import {
  createMemoryStorage,
  type KeyValueStorage,
  openSqliteStorage,
  withoutDefaults,
} from "@dispatch/kv-storage";
import { createSurfaceRegistry, type SurfaceRegistry } from "@dispatch/surface-registry";
import {
  type Clock,
  createAccessPolicy,
  createApp,
  listen,
  type RunningTransport,
  systemClock,
  type TransportLimits,
} from "@dispatch/transport-http";
import { conversationIdSchema } from "@dispatch/ui-contract-schemas";
import {
  createPromptCacheSimulator,
  type PromptCacheSimulator,
  type WarmService,
} from "@dispatch/warm-service";
import { catalogPrices } from "./catalog-prices.js";
import type { ServerConfig } from "./config.js";
import { createLogger } from "./logger.js";

type Logger = CacheWarmerDeps["logger"];

export interface ServerOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Replaces the prompt-cache simulator (a real provider adapter, or a test double). */
  warm?: WarmService;
  storage?: KeyValueStorage;
  transportLimits?: Partial<TransportLimits>;
}

export interface DispatchServer {
  httpUrl: string;
  wsUrl: string;
  /** Where each listener is really bound, as the kernel reports it. */
  addresses(): ReturnType<RunningTransport["addresses"]>;
  /** The core's warmer (upstream's API, `warmNow`). */
  warmer: CacheWarmer;
  /** The extras around it: the view of a conversation, spend limits, stats, records. */
  warming: StandardWarmer;
  registry: SurfaceRegistry;
  close(): Promise<void>;
}

/**
 * The simulator's bill: a line per warm (epoch-ms, id, model), appended before the warm goes on,
 * so a kill -9 right after keeps it (the page cache outlives the process).
 */
function billTo(path: string, now: () => number) {
  return (conversationId: string, modelName: string) =>
    appendFileSync(
      path,
      `${now()}\t${JSON.stringify(conversationId)}\t${JSON.stringify(modelName)}\n`,
    );
}

/** The records a user's action, or a warm's reservation, writes: synced before the answer. */
export function isSettingKey(key: string): boolean {
  return (
    key.startsWith(settingsKey("")) || key.startsWith("spend-limits:") || key === "warm-budget"
  );
}

/** The dearest price the server knows: what an unpriced model is reserved and charged at. */
export function dearestPricing(table: Readonly<Record<string, ModelPricing>>): ModelPricing {
  const entries = Object.values(table);
  const most = (key: keyof Omit<ModelPricing, "selfCaching">) =>
    Math.max(...entries.map((pricing) => pricing[key]));
  return {
    inputPerMTok: most("inputPerMTok"),
    cacheWritePerMTok: most("cacheWritePerMTok"),
    cacheReadPerMTok: most("cacheReadPerMTok"),
    outputPerMTok: most("outputPerMTok"),
    cacheTtlMs: 300_000,
  };
}

/** A stored value that says no more than its absence (a store may drop it). */
function isDefaultRecord(config: ServerConfig) {
  const settings = JSON.stringify({ enabled: false, intervalMs: 240_000 });
  const limits = JSON.stringify({
    idleWarmCap: 15,
    deadWarmLimit: 2,
    policy: config.defaultPolicy,
  });
  return (key: string, value: string) =>
    (key.startsWith("settings:") && value === settings) ||
    (key.startsWith("spend-limits:") && value === limits);
}

export async function startDispatchServer(
  config: ServerConfig,
  overrides: ServerOverrides = {},
): Promise<DispatchServer> {
  const clock = overrides.clock ?? systemClock;
  // Stryker disable next-line all: tests pass their own logger; lifecycle.test.ts reads the default's JSON lines from the bundle
  const logger = overrides.logger ?? createLogger({ level: "info", pretty: false });
  const database =
    overrides.storage === undefined && config.dataDir !== null
      ? openSqliteStorage(join(config.dataDir, "cache-warming.db"), {
          legacyJsonPath: join(config.dataDir, "settings.json"),
          // What a client is told was saved, and a warm's reservation, are synced to the disk
          // before the answer; what a warm records is committed, unsynced, within a turn.
          durable: isSettingKey,
        })
      : null;
  // Settings equal to the defaults are not stored: reading nothing gives the same.
  const storage = withoutDefaults(
    overrides.storage ?? database ?? createMemoryStorage(),
    isDefaultRecord(config),
  );
  // Pushes go out after the answer to whoever made the change (and one per conversation).
  const registry = createSurfaceRegistry(logger, { defer: clock.defer ?? queueMicrotask });
  const simulator =
    overrides.warm === undefined
      ? createPromptCacheSimulator({
          now: clock.now,
          ttlMs: config.cacheTtlMs,
          latencyMs: config.simulatorLatencyMs,
          setTimer: clock.timers.setTimer,
          ...(config.simulatorBillPath === null
            ? {}
            : { onBilled: billTo(config.simulatorBillPath, clock.now) }),
        })
      : null;
  // A provider that never answers fails the warm at a deadline, and shutdown answers at once.
  const provider = withDeadline(
    (conversationId, opts) =>
      (overrides.warm ?? (simulator as PromptCacheSimulator)).warm(conversationId, opts),
    { timers: clock.timers },
  );
  const prices = { sim: { ...SIM_PRICING, cacheTtlMs: config.cacheTtlMs }, ...config.prices };
  const warming = createStandardWarmer({
    // Upstream's orchestrator: a warm's completion is reported before the warm answers.
    warm: async (conversationId, opts) => {
      // A conversation a turn is generating is refused, as upstream's orchestrator refuses it.
      if (warming.warmer.getState(conversationId).active) {
        return { error: "conversation is generating" };
      }
      const outcome = await provider(conversationId, opts);
      if (!("error" in outcome)) warming.warmer.onWarmCompleted({ conversationId, usage: outcome });
      return outcome;
    },
    storage,
    logger,
    // One host timer for every conversation's schedule, fired in bounded batches.
    // Stryker disable next-line ObjectLiteral,ConditionalExpression: tests' fake clocks have no defer; scheduler.test.ts covers batches with one
    timers: createScheduler(clock.timers, clock.now, clock.defer ? { defer: clock.defer } : {}),
    now: clock.now,
    // Settings kept in memory do not outlive a restart; neither need the records.
    persist: overrides.storage !== undefined || database !== null,
    // Prices from the catalog; the simulator's model lives as long as the simulator keeps
    // caches; yours (DISPATCH_PRICES) override both; the bundled table covers the rest.
    prices: catalogPrices({ overrides: prices, fallback: DEFAULT_PRICES, tier: config.cacheTier }),
    dearest: dearestPricing({ ...DEFAULT_PRICES, ...config.prices }),
    cacheTtlMs: config.cacheTtlMs,
    // On the simulator, warms that name no model are the simulator's.
    ...(simulator === null ? {} : { defaultModel: "sim" }),
    defaultPolicy: config.defaultPolicy,
    manualWarmMinGapMs: config.manualWarmMinGapMs,
    maxWarmsPerMinute: config.maxWarmsPerMinute,
    maxUsdPerMinute: config.maxUsdPerMinute,
    maxEnabledConversations: config.maxEnabledConversations,
    // Memory release: a conversation nobody watches leaves memory once it holds only defaults.
    isObserved: (conversationId) => registry.hasSubscribers("cache-warming", conversationId),
  });
  const { warmer, surface } = warming;
  registry.onLastUnsubscribe((surfaceId, conversationId) => {
    if (surfaceId === "cache-warming") warming.release(conversationId);
  });
  registry.register(surface);

  const policy = createAccessPolicy({
    extraOrigins: config.allowedOrigins,
    extraHosts: config.allowedHosts,
    localNames: config.localNames,
  });
  // Bound late: the stats read the transport, which serves the app.
  let sockets = () => 0;
  // Both ports are bound before any schedule resumes: a start that fails (a port in use) has
  // made no provider call and logged no resume.
  let transport: Awaited<ReturnType<typeof listen>>;
  try {
    transport = await listen({
      app: createApp({
        conversationState: async (conversationId) => {
          await warming.load(conversationId);
          const view = warming.view(conversationId);
          warming.release(conversationId);
          return view;
        },
        invokeAction: async (conversationId, actionId, payload) => {
          await surface.invoke(actionId, payload, { conversationId });
        },
        dev: config.devRoutes
          ? {
              turn: (conversationId, phase, ctx) =>
                phase === "started"
                  ? warmer.onTurnStarted(conversationId)
                  : warmer.onTurnSettled(conversationId, ctx),
              setHistory: (conversationId, present) =>
                simulator?.setHistory(conversationId, present),
            }
          : undefined,
        warmer: warming,
        policy,
        logger,
        health: () => warming.health.look(),
        stats: () => ({
          ...warming.stats(),
          sockets: sockets(),
          // Store transactions so far, and of those the ones synced to the disk itself.
          ...(database === null
            ? {}
            : { commits: database.commits(), syncedCommits: database.syncedCommits() }),
        }),
      }),
      registry,
      policy,
      logger,
      host: config.host,
      httpPort: config.httpPort,
      wsPort: config.wsPort,
      clock,
      limits: { maxSocketsPerAddress: config.maxSocketsPerAddress, ...overrides.transportLimits },
    });
  } catch (error) {
    warmer.dispose();
    provider.abandonAll();
    await warming.drain();
    database?.close();
    throw error;
  }
  sockets = transport.sockets;
  // Enabled schedules whose cache can still be alive pick up where they were.
  const resume = await warming.resume((id) => conversationIdSchema.safeParse(id).success);
  if (resume.resumed.length > 0 || resume.notResumed.length > 0) {
    logger.info("cache-warming: schedules after restart", {
      resumed: resume.resumed.length,
      notResumed: resume.notResumed.length,
    });
  }
  return {
    httpUrl: transport.httpUrl,
    wsUrl: transport.wsUrl,
    addresses: transport.addresses,
    warmer,
    warming,
    registry,
    async close() {
      // Stop timers and abandon in-flight warms first, so nothing fires into closed sockets.
      warmer.dispose();
      provider.abandonAll();
      await warming.close();
      await transport.close();
      database?.close();
    },
  };
}
