// Upstream's extension: the manifest, the wiring of the warmer to the host's lifecycle events,
// and the conversation-scoped `cache-warming` surface. Written against the shapes of
// upstream's kernel host (hooks and services are looked up by id, all its bus uses), so it
// needs none of upstream's packages to compile and plugs into upstream's host as it is.
import type { SurfaceProvider } from "@dispatch/surface-registry";
import type { SurfaceSpec } from "@dispatch/ui-contract";
import {
  buildConversationSpec,
  buildDefaultSpec,
  type ConversationContext,
  parseIntervalPayload,
  SURFACE,
  secondsToMs,
  type WarmCompletedPayload,
  type WarmerHooks,
  type WarmOutcome,
} from "./pure.js";
import {
  type CacheWarmer,
  type CacheWarmerDeps,
  createCacheWarmer,
  type Logger,
  type TimerDeps,
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
const event = <T>(id: string): EventHook<T> => ({ kind: "event", id });
const service = <T>(id: string): ServiceHandle<T> => ({ kind: "service", id });

/** Upstream's turn lifecycle payload. */
interface TurnPayload extends ConversationContext {
  readonly conversationId: string;
}

/** The events and services this extension uses, by upstream's ids. */
export const hooks = {
  turnStarted: event<TurnPayload>("session-orchestrator/turn-started"),
  turnSettled: event<TurnPayload>("session-orchestrator/turn-settled"),
  warmCompleted: event<WarmCompletedPayload>("session-orchestrator/warm-completed"),
  conversationClosed: event<{ readonly conversationId: string }>(
    "session-orchestrator/conversation-closed",
  ),
} as const;

export const services = {
  warm: service<{ warm(id: string, opts?: ConversationContext): Promise<WarmOutcome> }>(
    "session-orchestrator/warm",
  ),
  surfaceRegistry: service<{ register(provider: SurfaceProvider): () => void }>(
    "surface-registry/registry",
  ),
  /** Provided here: the warmer, for the HTTP warm route (`warmNow`). */
  warmer: service<CacheWarmer>("cache-warming/warmer"),
} as const;

/** The part of upstream's `HostAPI` this extension uses. */
export interface CacheWarmingHost {
  readonly on: <T>(hook: EventHook<T>, handler: (payload: T) => void) => unknown;
  readonly getService: <T>(handle: ServiceHandle<T>) => T;
  readonly provideService: <T>(handle: ServiceHandle<T>, impl: T) => void;
  readonly storage: (namespace: string) => CacheWarmerDeps["storage"];
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

export interface CacheWarmingSurface extends SurfaceProvider {
  getSpec(context?: { readonly conversationId?: string }): SurfaceSpec;
  /** Tells every subscriber that this conversation's spec changed. */
  notify(conversationId?: string): void;
}

/**
 * The `cache-warming` surface of one warmer: upstream's five fields as each extra shows them
 * (`hooks[].spec`), and its actions: toggle, set-interval, and the extras' own.
 */
export function createSurfaceProvider(
  warmer: CacheWarmer,
  extras: readonly WarmerHooks[] = [],
): CacheWarmingSurface {
  const subscribers = new Set<(conversationId?: string) => void>();

  function getSpec(context?: { readonly conversationId?: string }): SurfaceSpec {
    const id = context?.conversationId;
    if (id === undefined) return buildDefaultSpec();
    const state = warmer.getState(id);
    let spec = buildConversationSpec(
      state.enabled,
      state.intervalMs,
      state.lastPct,
      state.lastExpectedPct,
      state.nextWarmAt,
      state.lastWarmAt,
    );
    for (const extra of extras) if (extra.spec) spec = extra.spec(id, spec, state);
    return spec;
  }

  async function invoke(
    actionId: string,
    payload?: unknown,
    context?: { conversationId?: string },
  ) {
    const id = context?.conversationId;
    if (id === undefined) return;
    for (const extra of extras) {
      // Own keys only: `constructor` or `__proto__` names no action.
      if (extra.actions !== undefined && Object.hasOwn(extra.actions, actionId)) {
        return extra.actions[actionId]?.(id, payload);
      }
    }
    if (actionId === "cache-warming/toggle") {
      await warmer.setEnabled(id, !warmer.getState(id).enabled);
    }
    if (actionId === "cache-warming/set-interval") {
      const seconds = parseIntervalPayload(payload);
      const ms = seconds === null ? null : secondsToMs(seconds);
      if (ms !== null) await warmer.setIntervalMs(id, ms);
    }
  }

  return {
    catalogEntry: { ...SURFACE, scope: "conversation" },
    getSpec,
    invoke,
    subscribe(onChange) {
      subscribers.add(onChange);
      return () => {
        subscribers.delete(onChange);
      };
    },
    notify(conversationId) {
      for (const onChange of subscribers) onChange(conversationId);
    },
  };
}

/** The host's real timers, under upstream's numeric timer ids. */
function hostTimers(): TimerDeps {
  const timeouts = new Map<number, ReturnType<typeof setTimeout>>();
  let nextTimerId = 1;
  const clearTimer = (id: number) => {
    clearTimeout(timeouts.get(id));
    timeouts.delete(id);
  };
  const setTimer = (fn: () => void, ms: number) => {
    const id = nextTimerId++;
    const fire = () => {
      timeouts.delete(id);
      fn();
    };
    timeouts.set(id, setTimeout(fire, ms));
    return id;
  };
  return { setTimer, clearTimer };
}

/** The extension with extras plugged in (`hooks`); without any it is upstream's. */
export function createCacheWarmingExtension(
  options: { readonly hooks?: readonly WarmerHooks[] } = {},
) {
  const extras = options.hooks ?? [];
  return {
    manifest,
    activate(host: CacheWarmingHost): void {
      const warmService = host.getService(services.warm);
      let surface: CacheWarmingSurface | undefined;
      const warmer = createCacheWarmer({
        warm: (conversationId, opts) => warmService.warm(conversationId, opts),
        storage: host.storage("cache-warming"),
        logger: host.logger,
        timers: hostTimers(),
        now: () => Date.now(),
        onSurfaceChange: (conversationId) => surface?.notify(conversationId),
        hooks: extras,
      });
      surface = createSurfaceProvider(warmer, extras);
      host.on(hooks.turnStarted, ({ conversationId }) => warmer.onTurnStarted(conversationId));
      // The warmer keeps the payload's cwd and model only.
      host.on(hooks.turnSettled, (turn) => warmer.onTurnSettled(turn.conversationId, turn));
      host.on(hooks.warmCompleted, (payload) => warmer.onWarmCompleted(payload));
      // The cancel and the in-memory off happen before the store; only the store is awaited.
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
