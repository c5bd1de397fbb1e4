// The conversation-scoped `cache-warming` surface in upstream's provider shape (`catalogEntry`,
// `getSpec(ctx?)`, `invoke(actionId, payload, ctx)`, `subscribe`), so it registers in upstream's
// surface registry unchanged. `notifyChanged(conversationId)` is what the warmer's
// `onSurfaceChange` calls; subscribers are told which conversation changed.
//
// Upstream's WebSocket transport sends `getSpec(ctx)` as it is and swallows what `invoke`
// rejects with, so: `getSpec` always answers synchronously (from memory: a conversation whose
// stored settings are still loading says so, and an update follows once they are in), and a
// refusal is also written into the spec itself (`Last refusal`), pushed to every subscriber.
import type { SurfaceProvider } from "@dispatch/surface-registry";
import type { SurfaceSpec } from "@dispatch/ui-contract";
import { ActionRejectedError, intervalMsFromPayload, parseTogglePayload } from "./payloads.js";
import { ACTION_IDS, buildDefaultSpec, SURFACE_ID, SURFACE_REGION, SURFACE_TITLE } from "./pure.js";
import type { WarmRules } from "./rules.js";
import { buildCacheWarmingSpec, type Refusal } from "./spec.js";
import type { CacheWarmer } from "./warmer.js";

export interface CacheWarmingSurface extends SurfaceProvider {
  getSpec(context?: { readonly conversationId?: string }): SurfaceSpec;
  invoke(
    actionId: string,
    payload?: unknown,
    context?: { readonly conversationId?: string },
  ): Promise<void>;
  subscribe(onChange: (conversationId?: string) => void): () => void;
  /** Tells every subscriber that this conversation's spec changed. */
  notifyChanged(conversationId?: string): void;
  /** Resolves once the conversation's stored settings are in memory (this repo's registry waits). */
  prepare(context?: { readonly conversationId?: string }): Promise<void>;
}

/** Conversations whose last refusal is remembered; the oldest is forgotten past it. */
export const MAX_REMEMBERED_REFUSALS = 1000;

/**
 * `rules`: the opt-in rules the warmer runs (its `rules` dep), so the spec shows what they add.
 */
export function createCacheWarmingSurface(
  warmer: CacheWarmer,
  now: () => number,
  rules?: WarmRules,
): CacheWarmingSurface {
  const listeners = new Set<(conversationId?: string) => void>();
  // The last refusal per conversation, until its next accepted action (insertion-ordered).
  const refusals = new Map<string, Refusal>();

  function notifyChanged(conversationId?: string): void {
    for (const listener of listeners) listener(conversationId);
  }

  function remember(conversationId: string, refusal: Refusal | null): void {
    refusals.delete(conversationId);
    if (refusal === null) return;
    refusals.set(conversationId, refusal);
    if (refusals.size > MAX_REMEMBERED_REFUSALS) {
      refusals.delete(refusals.keys().next().value as string);
    }
  }

  async function apply(conversationId: string, actionId: string, payload: unknown) {
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
      case ACTION_IDS.warmNow: {
        const result = await warmer.warmNow(conversationId);
        if (!result.ok) throw new ActionRejectedError(result.error);
        return;
      }
      default: {
        // Own keys only: `constructor` or `__proto__` is an unknown action, not a function.
        const actions = rules?.actions ?? {};
        const action = Object.hasOwn(actions, actionId) ? actions[actionId] : undefined;
        if (action !== undefined) return action(warmer, conversationId, payload);
        throw new ActionRejectedError(
          `unknown action "${actionId.slice(0, 64)}" on surface ${SURFACE_ID}`,
        );
      }
    }
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
      const loading = !warmer.isLoaded(conversationId);
      if (loading) {
        // Stored settings are read once per conversation; the spec that has them follows.
        warmer.ensureLoaded(conversationId).then(
          () => notifyChanged(conversationId),
          () => {}, // the warmer logs it; the next getSpec tries again
        );
      }
      return buildCacheWarmingSpec(warmer.getState(conversationId), now(), {
        loading,
        lastRefusal: refusals.get(conversationId) ?? null,
        ...(rules === undefined ? {} : { rules }),
      });
    },

    async prepare(context) {
      if (context?.conversationId !== undefined) await warmer.ensureLoaded(context.conversationId);
    },

    async invoke(actionId, payload, context) {
      const conversationId = context?.conversationId;
      if (conversationId === undefined) {
        throw new ActionRejectedError(`${actionId} needs a conversationId`);
      }
      // Forgotten before the action runs, so the one push its change makes already shows it
      // gone; a refusal of this action is remembered again below.
      remember(conversationId, null);
      try {
        await apply(conversationId, actionId, payload);
      } catch (error) {
        if (error instanceof ActionRejectedError) {
          remember(conversationId, {
            action: actionId.slice(0, 64),
            message: error.message,
            at: now(),
          });
          notifyChanged(conversationId);
        }
        throw error;
      }
    },

    subscribe(onChange) {
      listeners.add(onChange);
      return () => {
        listeners.delete(onChange);
      };
    },

    notifyChanged,
  };
}
