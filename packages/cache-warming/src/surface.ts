import type { SurfaceProvider } from "@dispatch/ui-contract";
import {
  ACTION_IDS,
  buildCacheWarmingSpec,
  parseIntervalPayload,
  parseSpendLimitsPayload,
  parseTogglePayload,
  SURFACE_ID,
  SURFACE_REGION,
  SURFACE_TITLE,
} from "./pure.js";
import type { CacheWarmer } from "./warmer.js";

/** The conversation-scoped `cache-warming` surface, backed by one warmer. */
export function createCacheWarmingSurface(warmer: CacheWarmer, now: () => number): SurfaceProvider {
  return {
    entry: { id: SURFACE_ID, region: SURFACE_REGION, title: SURFACE_TITLE, scope: "conversation" },

    async prepare({ conversationId }) {
      if (conversationId !== undefined) await warmer.ensureLoaded(conversationId);
    },

    getSpec({ conversationId }) {
      const state = conversationId === undefined ? null : warmer.getState(conversationId);
      return buildCacheWarmingSpec(state, now());
    },

    async invoke({ conversationId }, actionId, payload) {
      if (conversationId === undefined) {
        throw new Error(`${actionId} needs a conversationId`);
      }
      switch (actionId) {
        case ACTION_IDS.toggle: {
          const enabled = parseTogglePayload(payload);
          if (enabled === null) await warmer.toggleEnabled(conversationId);
          else await warmer.setEnabled(conversationId, enabled);
          return;
        }
        case ACTION_IDS.setInterval:
          await warmer.setIntervalMs(conversationId, parseIntervalPayload(payload));
          return;
        case ACTION_IDS.setSpendLimits:
          await warmer.setSpendLimits(conversationId, parseSpendLimitsPayload(payload));
          return;
        case ACTION_IDS.warmNow: {
          const result = await warmer.warmNow(conversationId);
          if (!result.ok) throw new Error(result.error);
          return;
        }
        default:
          throw new Error(`unknown action "${actionId}" on surface ${SURFACE_ID}`);
      }
    },
  };
}
