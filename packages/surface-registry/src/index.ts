import type {
  CatalogEntry,
  SurfaceContext,
  SurfaceProvider,
  SurfaceSpec,
} from "@dispatch/ui-contract";

/** An error whose message is meant for the client (unknown surface, bad action payload…). */
export class SurfaceError extends Error {}

export type SpecListener = (spec: SurfaceSpec, context: SurfaceContext) => void;

export interface Subscription {
  /** The spec at the moment of subscribing; later ones go to the listener. */
  spec: SurfaceSpec;
  /** The context the surface is keyed by (conversationId dropped for global surfaces). */
  context: SurfaceContext;
  unsubscribe(): void;
}

export interface SurfaceRegistry {
  register(provider: SurfaceProvider): void;
  catalog(): CatalogEntry[];
  onCatalogChange(listener: (catalog: CatalogEntry[]) => void): () => void;
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
}

interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
}

const GLOBAL_KEY = "";

export function createSurfaceRegistry(logger: Logger): SurfaceRegistry {
  const providers = new Map<string, SurfaceProvider>();
  // surfaceId → context key (conversationId, or "" for a global surface) → listeners
  const listeners = new Map<string, Map<string, Set<SpecListener>>>();
  const catalogListeners = new Set<(catalog: CatalogEntry[]) => void>();
  let builds = 0;

  function providerFor(surfaceId: string): SurfaceProvider {
    const provider = providers.get(surfaceId);
    if (!provider) throw new SurfaceError(`unknown surface "${surfaceId}"`);
    return provider;
  }

  /** Global surfaces ignore the conversation; conversation surfaces are keyed by it. */
  function scoped(provider: SurfaceProvider, context: SurfaceContext): SurfaceContext {
    if (provider.entry.scope !== "conversation" || context.conversationId === undefined) return {};
    return { conversationId: context.conversationId };
  }

  function build(provider: SurfaceProvider, context: SurfaceContext): SurfaceSpec {
    builds += 1;
    return provider.getSpec(context);
  }

  function push(provider: SurfaceProvider, key: string, group: Set<SpecListener>): void {
    const context: SurfaceContext = key === GLOBAL_KEY ? {} : { conversationId: key };
    const spec = build(provider, context);
    for (const listener of group) {
      try {
        listener(spec, context);
      } catch (error) {
        logger.error("surface listener threw", { surfaceId: provider.entry.id, error });
      }
    }
  }

  const registry: SurfaceRegistry = {
    register(provider) {
      providers.set(provider.entry.id, provider);
      const catalog = registry.catalog();
      for (const listener of catalogListeners) listener(catalog);
    },

    catalog() {
      return [...providers.values()].map((provider) => ({ ...provider.entry }));
    },

    onCatalogChange(listener) {
      catalogListeners.add(listener);
      return () => catalogListeners.delete(listener);
    },

    async subscribe(surfaceId, context, listener) {
      const provider = providerFor(surfaceId);
      const scopedContext = scoped(provider, context);
      await provider.prepare?.(scopedContext);
      const key = scopedContext.conversationId ?? GLOBAL_KEY;
      let bySurface = listeners.get(surfaceId);
      if (!bySurface) {
        bySurface = new Map();
        listeners.set(surfaceId, bySurface);
      }
      let group = bySurface.get(key);
      if (!group) {
        group = new Set();
        bySurface.set(key, group);
      }
      group.add(listener);
      const spec = build(provider, scopedContext);
      return {
        spec,
        context: scopedContext,
        unsubscribe() {
          group.delete(listener);
          if (group.size === 0 && bySurface.get(key) === group) bySurface.delete(key);
        },
      };
    },

    async invoke(surfaceId, context, actionId, payload) {
      const provider = providerFor(surfaceId);
      await provider.invoke(scoped(provider, context), actionId, payload);
    },

    notifyChanged(surfaceId, conversationId) {
      const provider = providers.get(surfaceId);
      const bySurface = listeners.get(surfaceId);
      if (!provider || !bySurface) return;
      if (conversationId === undefined) {
        for (const [key, group] of bySurface) push(provider, key, group);
        return;
      }
      const group = bySurface.get(conversationId);
      if (group) push(provider, conversationId, group);
    },

    specBuilds() {
      return builds;
    },
  };
  return registry;
}
