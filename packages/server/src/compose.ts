// The composition root: the one place that picks real clocks, storage and the simulator.
import { join } from "node:path";
import {
  type CacheWarmer,
  type CacheWarmingSurface,
  type Clock,
  conversationView,
  createCacheWarmer,
  createCacheWarmingSurface,
  type Logger,
  SURFACE_ID,
  settingsKey,
  systemClock,
} from "@dispatch/cache-warming";
import {
  createScheduler,
  createWarmBudget,
  DEFAULT_PRICES,
  forgetUnwatched,
  isDefaultRecord,
  SIM_PRICING,
  STANDARD_RULES,
  spendLimitsKey,
} from "@dispatch/cache-warming/modules";
import {
  createMemoryStorage,
  type KeyValueStorage,
  openSqliteStorage,
  withoutDefaults,
} from "@dispatch/kv-storage";
import { createSurfaceRegistry, type SurfaceRegistry } from "@dispatch/surface-registry";
import {
  createAccessPolicy,
  createApp,
  listen,
  type RunningTransport,
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
  warmer: CacheWarmer;
  registry: SurfaceRegistry;
  close(): Promise<void>;
}

/** The records a user's action writes (upstream's settings and the spend limits). */
export function isSettingKey(key: string): boolean {
  return key.startsWith(settingsKey("")) || key.startsWith(spendLimitsKey(""));
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
          // What a client is told was saved is synced to the disk before the answer; the
          // schedule, ledger and budget records a warm writes survive a crash, not a power loss.
          durable: isSettingKey,
        })
      : null;
  // Settings equal to the defaults are not stored: reading nothing gives the same.
  const storage = withoutDefaults(
    overrides.storage ?? database ?? createMemoryStorage(),
    isDefaultRecord,
  );
  // Pushes go out after the answer to whoever made the change (and one per conversation).
  const registry = createSurfaceRegistry(logger, { defer: clock.defer ?? queueMicrotask });
  const simulator =
    overrides.warm === undefined
      ? createPromptCacheSimulator({ now: clock.now, ttlMs: config.cacheTtlMs })
      : null;
  const warmService = overrides.warm ?? (simulator as PromptCacheSimulator);
  // The warmer notifies through the surface, which is built on the warmer.
  let surface: CacheWarmingSurface | undefined;
  // Settings kept in memory do not outlive a restart; neither need the schedules.
  const persistSchedules = overrides.storage !== undefined || database !== null;
  const warmer = createCacheWarmer({
    warm: (conversationId, opts) => warmService.warm(conversationId, opts),
    storage,
    logger,
    // One host timer for every conversation's schedule, fired in bounded batches.
    // Stryker disable next-line ObjectLiteral,ConditionalExpression: tests' fake clocks have no defer; scheduler.test.ts covers batches with one
    timers: createScheduler(clock.timers, clock.now, clock.defer ? { defer: clock.defer } : {}),
    now: clock.now,
    onSurfaceChange: (conversationId) => surface?.notifyChanged(conversationId),
    manualWarmMinGapMs: config.manualWarmMinGapMs,
    cacheTtlMs: config.cacheTtlMs,
    // Prices from the catalog; the simulator's model lives as long as the simulator keeps
    // caches; yours (DISPATCH_PRICES) override both; the bundled table covers the rest.
    prices: catalogPrices({
      overrides: { sim: { ...SIM_PRICING, cacheTtlMs: config.cacheTtlMs }, ...config.prices },
      fallback: DEFAULT_PRICES,
      tier: config.cacheTier,
    }),
    // The ledger, the spend guard and the policies.
    rules: STANDARD_RULES,
    // On the simulator, warms that name no model are the simulator's.
    ...(simulator === null ? {} : { defaultModel: "sim" }),
    // Every warm call, over all conversations, from one calls- and dollars-a-minute budget.
    warmGate: createWarmBudget({
      now: clock.now,
      logger,
      maxWarmsPerMinute: config.maxWarmsPerMinute,
      maxUsdPerMinute: config.maxUsdPerMinute,
      storage,
      persistSchedules,
    }),
    maxEnabledConversations: config.maxEnabledConversations,
    persistSchedules,
    // Conversations nobody watches, with nothing running, leave memory.
    // Memory release: a conversation nobody watches leaves memory once it holds only defaults.
    mayForget: forgetUnwatched({
      isObserved: (conversationId) => registry.hasSubscribers(SURFACE_ID, conversationId),
    }),
  });
  registry.onLastUnsubscribe((surfaceId, conversationId) => {
    if (surfaceId === SURFACE_ID) warmer.release(conversationId);
  });
  surface = createCacheWarmingSurface(warmer, clock.now, STANDARD_RULES);
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
          await warmer.ensureLoaded(conversationId);
          const view = conversationView(
            conversationId,
            warmer.getState(conversationId),
            clock.now(),
            STANDARD_RULES,
          );
          warmer.release(conversationId);
          return view;
        },
        invokeAction: async (conversationId, actionId, payload) => {
          await (surface as CacheWarmingSurface).invoke(actionId, payload, { conversationId });
        },
        dev: config.devRoutes
          ? {
              turn: (conversationId, phase, ctx) =>
                phase === "started"
                  ? warmer.onTurnStarted(conversationId)
                  : void warmer.onTurnSettled(conversationId, ctx),
              setHistory: (conversationId, present) =>
                simulator?.setHistory(conversationId, present),
            }
          : undefined,
        warmer,
        policy,
        logger,
        stats: () => ({
          ...warmer.stats(),
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
    await warmer.drainWrites();
    database?.close();
    throw error;
  }
  sockets = transport.sockets;
  // Enabled schedules whose cache can still be alive pick up where they were.
  const resume = await warmer.resumeSchedules({
    accepts: (id) => conversationIdSchema.safeParse(id).success,
  });
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
    registry,
    async close() {
      // Stop timers and abandon in-flight warms first, so nothing fires into closed sockets.
      warmer.dispose();
      await warmer.drainWrites();
      await transport.close();
      database?.close();
    },
  };
}
