// The conversation-scoped `cache-warming` surface in upstream's provider shape (`catalogEntry`,
// `getSpec(ctx?)`, `invoke(actionId, payload, ctx)`, `subscribe`), so it registers in upstream's
// surface registry unchanged. `notifyChanged(conversationId)` is what the warmer's
// `onSurfaceChange` calls; subscribers are told which conversation changed.
import type { SurfaceProvider } from "@dispatch/surface-registry";
import type { SurfaceSpec } from "@dispatch/ui-contract";
import {
  ACTION_IDS,
  ActionRejectedError,
  buildCacheWarmingSpec,
  buildDefaultSpec,
  intervalMsFromPayload,
  parseSpendLimitsPayload,
  parseTogglePayload,
  SURFACE_ID,
  SURFACE_REGION,
  SURFACE_TITLE,
} from "./pure.js";
import type { CacheWarmer } from "./warmer.js";

export interface CacheWarmingSurface extends SurfaceProvider {
  subscribe(onChange: (conversationId?: string) => void): () => void;
  /** Tells every subscriber that this conversation's spec changed. */
  notifyChanged(conversationId?: string): void;
}

export function createCacheWarmingSurface(
  warmer: CacheWarmer,
  now: () => number,
): CacheWarmingSurface {
  const listeners = new Set<(conversationId?: string) => void>();

  function specOf(conversationId: string): SurfaceSpec {
    return buildCacheWarmingSpec(warmer.getState(conversationId), now());
  }

  return {
    catalogEntry: {
      id: SURFACE_ID,
      region: SURFACE_REGION,
      title: SURFACE_TITLE,
      scope: "conversation",
    },

    getSpec(context) {
      const conversationId = context?.conversationId;
      if (conversationId === undefined) return buildDefaultSpec();
      // Persisted settings are read once per conversation; until then the spec waits for them.
      if (warmer.isLoaded(conversationId)) return specOf(conversationId);
      return warmer.ensureLoaded(conversationId).then(() => specOf(conversationId));
    },

    async invoke(actionId, payload, context) {
      const conversationId = context?.conversationId;
      if (conversationId === undefined) {
        throw new ActionRejectedError(`${actionId} needs a conversationId`);
      }
      switch (actionId) {
        case ACTION_IDS.toggle: {
          const enabled = parseTogglePayload(payload);
          if (enabled === null) await warmer.toggleEnabled(conversationId);
          else await warmer.setEnabled(conversationId, enabled);
          return;
        }
        case ACTION_IDS.setInterval:
          // Refused, not clamped, past what the model's cache lifetime allows.
          await warmer.setIntervalMs(
            conversationId,
            intervalMsFromPayload(payload, warmer.getState(conversationId).economics),
          );
          return;
        case ACTION_IDS.setSpendLimits:
          await warmer.setSpendLimits(conversationId, parseSpendLimitsPayload(payload));
          return;
        case ACTION_IDS.warmNow: {
          const result = await warmer.warmNow(conversationId);
          if (!result.ok) throw new ActionRejectedError(result.error);
          return;
        }
        default:
          throw new ActionRejectedError(
            `unknown action "${actionId.slice(0, 64)}" on surface ${SURFACE_ID}`,
          );
      }
    },

    subscribe(onChange) {
      listeners.add(onChange);
      return () => {
        listeners.delete(onChange);
      };
    },

    notifyChanged(conversationId) {
      for (const listener of listeners) listener(conversationId);
    },
  };
}
