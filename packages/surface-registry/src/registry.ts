// Surface providers register here; transports subscribe, invoke and receive pushes.
// `register` / `getCatalog` / `getSurface` and the provider shape are upstream's surface
// registry API, so a provider written for upstream registers here unchanged. Scoped pushes are
// this package's addition: a provider's change callback may name the conversation that
// changed, and then only that conversation's subscribers get a freshly built spec.
import type { SurfaceCatalog, SurfaceCatalogEntry, SurfaceSpec } from "@dispatch/ui-contract";

/** What a surface is asked for: conversation-scoped surfaces get the focused conversation. */
export interface SurfaceContext {
  readonly conversationId?: string;
}

/** Upstream's provider interface. */
export interface SurfaceProvider {
  readonly catalogEntry: SurfaceCatalogEntry;
  getSpec(context?: SurfaceContext): SurfaceSpec | Promise<SurfaceSpec>;
  /** Rejects with an Error whose message is safe to show the client. */
  invoke(actionId: string, payload?: unknown, context?: SurfaceContext): void | Promise<void>;
  /**
   * This repo's addition: resolves once the provider can answer `getSpec` for this context
   * in full (stored settings loaded). The registry waits for it before a subscriber's first
   * spec; upstream's transport does not call it and gets the provider's loading spec first.
   */
  prepare?(context?: SurfaceContext): void | Promise<void>;
  /**
   * Calls `onChange` after every visible change. Upstream calls it without arguments (every
   * subscriber refetches); a provider may pass the conversation that changed.
   */
  subscribe?(onChange: (conversationId?: string) => void): () => void;
}

/** An error whose message is meant for the client (unknown surface, bad action payload…). */
export class SurfaceError extends Error {
  /** Transports show the message of errors marked `expose`, and hide the rest. */
  readonly expose = true;
}

export type SpecListener = (spec: SurfaceSpec, context: SurfaceContext) => void;

export interface Subscription {
  /** The spec at the moment of subscribing; later ones go to the listener. */
  readonly spec: SurfaceSpec;
  /** The context the surface is keyed by (conversationId dropped for global surfaces). */
  readonly context: SurfaceContext;
  unsubscribe(): void;
}

export interface SurfaceRegistry {
  /** Last registration of an id wins; the returned disposer removes only that provider. */
  register(provider: SurfaceProvider): () => void;
  getCatalog(): SurfaceCatalog;
  getSurface(id: string): SurfaceProvider | undefined;
  onCatalogChange(listener: (catalog: SurfaceCatalog) => void): () => void;
  subscribe(
    surfaceId: string,
    context: SurfaceContext,
    listener: SpecListener,
  ): Promise<Subscription>;
  invoke(
    surfaceId: string,
    context: SurfaceContext,
    actionId: string,
    payload: unknown,
  ): Promise<void>;
  /**
   * Pushes the new spec to the subscribers of one conversation's surface, building it once.
   * Without a conversationId every subscriber of the surface gets a fresh spec.
   */
  notifyChanged(surfaceId: string, conversationId?: string): void;
  /** Specs built so far: lets tests and benchmarks check that pushes stay scoped. */
  specBuilds(): number;
  /** Whether anyone subscribes to this surface for this conversation. */
  hasSubscribers(surfaceId: string, conversationId: string): boolean;
  /** Called when the last subscriber of a conversation's surface leaves. */
  onLastUnsubscribe(listener: (surfaceId: string, conversationId: string) => void): () => void;
}

interface Logger {
  error(message: string, attrs?: { readonly err?: unknown; readonly [key: string]: unknown }): void;
}

// Stryker disable next-line StringLiteral: any key no conversation id can take works
const GLOBAL_KEY = "";
/** In the deferred queue: every subscriber of the surface (conversation ids cannot be "*"). */
// Stryker disable next-line StringLiteral: any key no conversation id can take works
const EVERYONE = "*";
const silentLogger: Logger = { error() {} };

interface Registration {
  readonly provider: SurfaceProvider;
  readonly stopListening: () => void;
}

export interface RegistryOptions {
  /**
   * Runs pushes later, after pending I/O (`setImmediate`): whoever changed the state (an HTTP
   * warm, say) answers without waiting for the fan-out, and changes of one conversation in
   * the same turn go out as one update. Default: right away.
   */
  readonly defer?: (fn: () => void) => void;
}

export function createSurfaceRegistry(
  logger: Logger = silentLogger,
  options: RegistryOptions = {},
): SurfaceRegistry {
  const registrations = new Map<string, Registration>();
  // surfaceId → context key (conversationId, or "" for a global surface) → listeners, each
  // with the count of changes announced before it joined (its spec already showed them).
  const listeners = new Map<string, Map<string, Map<SpecListener, number>>>();
  const catalogListeners = new Set<(catalog: SurfaceCatalog) => void>();
  const lastUnsubscribeListeners = new Set<(surfaceId: string, conversationId: string) => void>();
  let builds = 0;
  // Changes announced so far: a deferred push skips listeners that joined after its change.
  let announced = 0;
  // surfaceId → conversation keys waiting for a deferred push ("*" = every subscriber), each
  // with the count at its latest change.
  let waiting: Map<string, Map<string, number>> | null = null;

  function providerFor(surfaceId: string): SurfaceProvider {
    const registration = registrations.get(surfaceId);
    if (!registration) throw new SurfaceError(`unknown surface "${surfaceId.slice(0, 64)}"`);
    return registration.provider;
  }

  /** Global surfaces ignore the conversation; conversation surfaces are keyed by it. */
  function scoped(provider: SurfaceProvider, context: SurfaceContext): SurfaceContext {
    if (provider.catalogEntry.scope === "global" || context.conversationId === undefined) {
      return {};
    }
    return { conversationId: context.conversationId };
  }

  function build(
    provider: SurfaceProvider,
    context: SurfaceContext,
  ): SurfaceSpec | Promise<SurfaceSpec> {
    builds += 1;
    return provider.getSpec(context);
  }

  function deliver(
    surfaceId: string,
    spec: SurfaceSpec,
    context: SurfaceContext,
    group: Map<SpecListener, number>,
    changedAt: number,
  ) {
    for (const [listener, joinedAt] of group) {
      if (joinedAt >= changedAt) continue;
      try {
        listener(spec, context);
      } catch (err) {
        logger.error("surface listener threw", { surfaceId, err });
      }
    }
  }

  function push(
    provider: SurfaceProvider,
    key: string,
    group: Map<SpecListener, number>,
    changedAt: number,
  ): void {
    const surfaceId = provider.catalogEntry.id;
    const context: SurfaceContext = key === GLOBAL_KEY ? {} : { conversationId: key };
    const spec = build(provider, context);
    if (!(spec instanceof Promise)) {
      deliver(surfaceId, spec, context, group, changedAt);
      return;
    }
    spec.then(
      (built) => deliver(surfaceId, built, context, group, changedAt),
      (err: unknown) => logger.error("surface spec failed", { surfaceId, err }),
    );
  }

  /** Builds one spec per changed conversation and hands it to that conversation's listeners. */
  function pushNow(surfaceId: string, conversationId: string | undefined, changedAt: number): void {
    const provider = registrations.get(surfaceId)?.provider;
    const bySurface = listeners.get(surfaceId);
    if (!provider || !bySurface) return;
    if (conversationId === undefined) {
      for (const [key, group] of bySurface) push(provider, key, group, changedAt);
      return;
    }
    const group = bySurface.get(conversationId);
    if (group) push(provider, conversationId, group, changedAt);
  }

  function flushWaiting(): void {
    const batch = waiting;
    waiting = null;
    if (batch === null) return;
    for (const [surfaceId, keys] of batch) {
      const everyone = keys.get(EVERYONE);
      if (everyone !== undefined) pushNow(surfaceId, undefined, everyone);
      else for (const [key, changedAt] of keys) pushNow(surfaceId, key, changedAt);
    }
  }

  function catalogChanged(): void {
    const catalog = registry.getCatalog();
    for (const listener of catalogListeners) listener(catalog);
  }

  const registry: SurfaceRegistry = {
    register(provider) {
      const id = provider.catalogEntry.id;
      registrations.get(id)?.stopListening();
      const stopListening =
        provider.subscribe?.((conversationId) => registry.notifyChanged(id, conversationId)) ??
        (() => {});
      const registration: Registration = { provider, stopListening };
      registrations.set(id, registration);
      catalogChanged();
      let disposed = false;
      return () => {
        if (disposed) return;
        disposed = true;
        stopListening();
        if (registrations.get(id) !== registration) return;
        registrations.delete(id);
        catalogChanged();
      };
    },

    getCatalog() {
      return [...registrations.values()].map(({ provider }) => provider.catalogEntry);
    },

    getSurface(id) {
      return registrations.get(id)?.provider;
    },

    onCatalogChange(listener) {
      catalogListeners.add(listener);
      return () => catalogListeners.delete(listener);
    },

    async subscribe(surfaceId, context, listener) {
      const provider = providerFor(surfaceId);
      const scopedContext = scoped(provider, context);
      const key = scopedContext.conversationId ?? GLOBAL_KEY;
      await provider.prepare?.(scopedContext);
      // A provider that must load first answers with a promise; once it has loaded, the spec
      // is built again in the same tick the listener joins, so no change falls in between.
      let spec = build(provider, scopedContext);
      if (spec instanceof Promise) {
        await spec;
        spec = build(provider, scopedContext);
      }
      let bySurface = listeners.get(surfaceId);
      if (!bySurface) {
        bySurface = new Map();
        listeners.set(surfaceId, bySurface);
      }
      let group = bySurface.get(key);
      if (!group) {
        group = new Map();
        bySurface.set(key, group);
      }
      const joined = group;
      const surfaces = bySurface;
      joined.set(listener, announced);
      const unsubscribe = () => {
        if (!joined.delete(listener)) return;
        // A group leaves the map only once empty, so an emptied group is still the mapped one.
        if (joined.size > 0) return;
        surfaces.delete(key);
        if (key === GLOBAL_KEY) return;
        for (const notifyLast of lastUnsubscribeListeners) notifyLast(surfaceId, key);
      };
      if (!(spec instanceof Promise)) return { spec, context: scopedContext, unsubscribe };
      // Still loading (storage slower than one round): wait, keeping the listener on success.
      try {
        return { spec: await spec, context: scopedContext, unsubscribe };
      } catch (err) {
        unsubscribe();
        throw err;
      }
    },

    async invoke(surfaceId, context, actionId, payload) {
      const provider = providerFor(surfaceId);
      await provider.invoke(actionId, payload, scoped(provider, context));
    },

    notifyChanged(surfaceId, conversationId) {
      announced += 1;
      const defer = options.defer;
      if (defer) {
        if (waiting === null) {
          waiting = new Map();
          defer(flushWaiting);
        }
        const keys = waiting.get(surfaceId) ?? new Map<string, number>();
        keys.set(conversationId ?? EVERYONE, announced);
        waiting.set(surfaceId, keys);
        return;
      }
      pushNow(surfaceId, conversationId, announced);
    },

    specBuilds() {
      return builds;
    },

    hasSubscribers(surfaceId, conversationId) {
      return (listeners.get(surfaceId)?.get(conversationId)?.size ?? 0) > 0;
    },

    onLastUnsubscribe(listener) {
      lastUnsubscribeListeners.add(listener);
      return () => lastUnsubscribeListeners.delete(listener);
    },
  };
  return registry;
}
