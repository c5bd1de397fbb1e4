// Upstream's extension wiring (`manifest`, `extension`), written against the shapes of
// upstream's kernel host rather than its packages: hooks and services are looked up by their
// ids, which is all upstream's bus uses, so this module needs none of upstream's packages to
// compile and plugs into upstream's host as it is.
import type { SurfaceProvider } from "@dispatch/surface-registry";
import { type Clock, systemClock } from "./clock.js";
import { type CacheWarmingSurface, createCacheWarmingSurface } from "./surface.js";
import type { WarmService } from "./warm-service.js";
import {
  type CacheWarmer,
  type CacheWarmerDeps,
  createCacheWarmer,
  type Logger,
  type SettingsStorage,
  type WarmCompletedPayload,
} from "./warmer.js";

interface EventHook<T> {
  readonly kind: "event";
  readonly id: string;
  readonly _payload?: T;
}
interface ServiceHandle<T> {
  readonly kind: "service";
  readonly id: string;
  readonly _type?: T;
}

/** Upstream's turn-lifecycle payload. */
export interface TurnLifecyclePayload {
  readonly conversationId: string;
  readonly cwd?: string;
  readonly modelName?: string;
}

const event = <T>(id: string): EventHook<T> => ({ kind: "event", id });
const service = <T>(id: string): ServiceHandle<T> => ({ kind: "service", id });

/** The hooks and services this extension uses, by upstream's ids. */
export const hooks = {
  turnStarted: event<TurnLifecyclePayload>("session-orchestrator/turn-started"),
  turnSettled: event<TurnLifecyclePayload>("session-orchestrator/turn-settled"),
  warmCompleted: event<WarmCompletedPayload>("session-orchestrator/warm-completed"),
  conversationClosed: event<{ readonly conversationId: string }>(
    "session-orchestrator/conversation-closed",
  ),
} as const;

export const services = {
  warm: service<WarmService>("session-orchestrator/warm"),
  surfaceRegistry: service<{ register(provider: SurfaceProvider): () => void }>(
    "surface-registry/registry",
  ),
  /** Provided by this extension: the warmer, for the HTTP warm route (`warmNow`). */
  warmer: service<CacheWarmer>("cache-warming/warmer"),
} as const;

/** The part of upstream's `HostAPI` this extension uses. */
export interface CacheWarmingHost {
  readonly on: <T>(hook: EventHook<T>, handler: (payload: T) => void | Promise<void>) => () => void;
  readonly getService: <T>(handle: ServiceHandle<T>) => T;
  readonly provideService: <T>(handle: ServiceHandle<T>, impl: T) => void;
  readonly storage: (namespace: string) => SettingsStorage;
  readonly logger: Logger;
}

export const manifest = {
  id: "cache-warming",
  name: "Cache Warming",
  version: "0.0.0",
  apiVersion: "^0.1.0",
  trust: "bundled",
  activation: "eager",
  dependsOn: ["session-orchestrator", "surface-registry"],
  capabilities: {},
  contributes: { services: ["cache-warming/surface", services.warmer.id] },
} as const;

/**
 * What a host app may add to the core when it wires the extension: rules (`STANDARD_RULES`),
 * a price table, a warm gate (`createWarmBudget`), limits. Without any, the warmer does what
 * upstream's does, plus `warmNow` and the machine-readable status.
 */
export type CacheWarmingOptions = Omit<
  CacheWarmerDeps,
  "warm" | "storage" | "logger" | "timers" | "now" | "onSurfaceChange"
>;

export function createCacheWarmingExtension(
  clock: Clock = systemClock,
  options: CacheWarmingOptions = {},
) {
  return {
    manifest,
    activate(host: CacheWarmingHost): void {
      const warmService = host.getService(services.warm);
      // The warmer notifies through the surface, which is built on the warmer.
      let surface: CacheWarmingSurface | undefined;
      const warmer = createCacheWarmer({
        warm: (conversationId, opts) => warmService.warm(conversationId, opts),
        storage: host.storage("cache-warming"),
        logger: host.logger,
        timers: clock.timers,
        now: clock.now,
        onSurfaceChange: (conversationId) => surface?.notifyChanged(conversationId),
        ...options,
      });
      surface = createCacheWarmingSurface(warmer, clock.now, options.rules);
      host.on(hooks.turnStarted, ({ conversationId }) => warmer.onTurnStarted(conversationId));
      host.on(hooks.turnSettled, ({ conversationId, cwd, modelName }) => {
        // The spreads only satisfy exactOptionalPropertyTypes: the warmer drops undefined fields.
        void warmer.onTurnSettled(conversationId, {
          // Stryker disable next-line ConditionalExpression: equivalent, see above
          ...(cwd === undefined ? {} : { cwd }),
          // Stryker disable next-line ConditionalExpression: equivalent, see above
          ...(modelName === undefined ? {} : { modelName }),
        });
      });
      host.on(hooks.warmCompleted, (payload) => warmer.onWarmCompleted(payload));
      // The synchronous part (cancel, warming off in memory) runs before the persist.
      host.on(hooks.conversationClosed, ({ conversationId }) => {
        void warmer.onConversationClosed(conversationId);
      });
      host.provideService(services.warmer, warmer);
      host.getService(services.surfaceRegistry).register(surface);
      host.logger.info("cache-warming: registered");
    },
  };
}

export const extension = createCacheWarmingExtension();
