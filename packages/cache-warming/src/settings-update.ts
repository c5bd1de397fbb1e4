// Changing a conversation's settings: persisted first and only then applied, so a failed
// write leaves the conversation exactly as it was. Upstream's `{ enabled, intervalMs }` and
// the spend limits live under separate keys; only the one that changes is written.
import type { Conversation, Conversations } from "./conversations.js";
import type { Countdown } from "./countdown.js";
import { ActionRejectedError } from "./payloads.js";
import { clampIntervalMs, MIN_INTERVAL_MS, serializeSettings, settingsKey } from "./pure.js";
import type { SettingsIo } from "./settings-io.js";
import { type CacheWarmingState, settingsOf } from "./state.js";
import type { CacheWarmer, CacheWarmerDeps } from "./warmer.js";
import type { WriteQueue } from "./write-queue.js";

export interface SettingsUpdateHost {
  readonly deps: CacheWarmerDeps;
  readonly conversations: Conversations;
  readonly io: SettingsIo;
  readonly writes: WriteQueue;
  readonly countdown: Countdown;
  readonly isShutDown: () => boolean;
  notify(id: string): void;
}

export type SettingsSetters = Pick<
  CacheWarmer,
  "setEnabled" | "setIntervalMs" | "toggleEnabled" | "changeSettings"
> & {
  /** Enables refused because `maxEnabledConversations` were enabled already. */
  readonly enabledRefusals: () => number;
};

export function createSettingsSetters(host: SettingsUpdateHost): SettingsSetters {
  const { deps, conversations, io, writes, countdown } = host;
  let enabledRefusals = 0;
  const settingRecords = (deps.rules?.records ?? []).filter((kept) => kept.setting === true);

  async function update(
    id: string,
    change: (state: CacheWarmingState) => Partial<CacheWarmingState>,
  ): Promise<CacheWarmingState> {
    const c = conversations.open(id);
    if (host.isShutDown()) return c.state;
    await io.load(c);
    return writes.enqueue(id, async () => {
      const before = c.state;
      const delta = change(before);
      const after: CacheWarmingState = { ...before, ...delta };
      const changedSetting = settingRecords.find(
        (kept) => kept.recordOf(after) !== kept.recordOf(before),
      );
      const limitsChanged = changedSetting !== undefined;
      const enabling = after.enabled && !before.enabled;
      if (enabling) refuseOverEnabledCap(c);
      // Counted from now, so enables racing each other cannot pass the cap together.
      if (enabling) conversations.reserveEnabled(id);
      try {
        const record = changedSetting?.recordOf(after);
        if (changedSetting !== undefined && record != null) {
          await deps.storage.set(changedSetting.key(id), record);
        } else {
          await deps.storage.set(settingsKey(id), serializeSettings(settingsOf(after)));
        }
      } catch (error) {
        conversations.trackEnabled(c);
        throw error;
      }
      if (!conversations.isCurrent(c)) return after;
      c.state = { ...c.state, ...delta };
      if (enabling || limitsChanged) {
        c.state = deps.rules?.settingsChanged?.(c.state, { enabling, limitsChanged }) ?? c.state;
      }
      if (after.intervalMs !== before.intervalMs) countdown.rearm(c);
      else countdown.reconcile(c);
      host.notify(id);
      return c.state;
    });
  }

  function refuseOverEnabledCap(c: Conversation): void {
    const max = deps.maxEnabledConversations ?? 0;
    if (max <= 0 || conversations.enabledCount < max) return;
    enabledRefusals += 1;
    deps.logger.warn("cache-warming: refused to enable warming", {
      conversationId: c.id,
      maxEnabledConversations: max,
    });
    conversations.releaseIfIdle(c);
    throw new ActionRejectedError(
      `at most ${max} conversations may have warming enabled at once; disable one first`,
    );
  }

  return {
    async setEnabled(id, enabled) {
      return settingsOf(await update(id, () => ({ enabled })));
    },
    async setIntervalMs(id, intervalMs) {
      const clamped = Number.isFinite(intervalMs) ? clampIntervalMs(intervalMs) : MIN_INTERVAL_MS;
      return settingsOf(
        await update(id, (state) => ({
          intervalMs: Math.min(clamped, state.economics.maxIntervalMs ?? clamped),
        })),
      );
    },
    async toggleEnabled(id) {
      return settingsOf(await update(id, (state) => ({ enabled: !state.enabled })));
    },
    async changeSettings(id, change) {
      return { ...(await update(id, change)) };
    },
    enabledRefusals: () => enabledRefusals,
  };
}
