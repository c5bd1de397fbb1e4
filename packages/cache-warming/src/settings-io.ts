// What the warmer reads and writes per conversation: upstream's `settings:<id>`, the spend
// limits, the schedule record and each rule's own record, all through one write queue per conversation so
// a later write never overtakes an earlier one. Records are written after the change they
// describe and never block it.
import type { Conversation, Conversations } from "./conversations.js";
import { parseSettings, serializeSettings, settingsKey } from "./pure.js";
import { parseScheduleRecord, restoreSchedule, scheduleKey, scheduleRecordOf } from "./restart.js";
import type { CacheWarmingState } from "./state.js";
import type { CacheWarmerDeps } from "./warmer.js";
import type { WriteQueue } from "./write-queue.js";

export interface SettingsIo {
  /** Reads the conversation's records once; concurrent callers share the read. */
  load(c: Conversation): Promise<void>;
  /** `load`, with a failure logged instead of thrown. */
  loadOrLog(c: Conversation): Promise<void>;
  /** Writes the schedule and ledger records when they changed. */
  persist(c: Conversation): void;
  /** Stores warming off for a closed conversation (only if it was stored on). */
  storeClosed(id: string): Promise<void>;
}

export function createSettingsIo(
  deps: CacheWarmerDeps,
  conversations: Conversations,
  writes: WriteQueue,
): SettingsIo {
  const records = deps.rules?.records ?? [];
  function load(c: Conversation): Promise<void> {
    if (c.settingsLoaded) return Promise.resolve();
    if (!c.settingsLoad) {
      c.settingsLoad = writes
        .idle(c.id)
        .then(() =>
          Promise.all([
            deps.storage.get(settingsKey(c.id)),
            Promise.all(records.map((kept) => deps.storage.get(kept.key(c.id)))),
            deps.storage.get(scheduleKey(c.id)),
          ]),
        )
        .then(
          ([settings, kept, schedule]) => {
            const record = parseScheduleRecord(schedule);
            let loaded: CacheWarmingState = { ...c.state, ...parseSettings(settings) };
            records.forEach((r, index) => {
              loaded = r.restore(loaded, kept[index] ?? null);
            });
            c.state = restoreSchedule(loaded, record, deps.rules);
            // Restored: the model's prices and cache lifetime go with its context.
            // Stryker disable next-line ConditionalExpression: setting an unchanged context again computes the same economics
            if (c.state !== loaded) conversations.setContext(c, c.state.context);
            c.storedNextWarmAt = record?.nextWarmAt ?? null;
            c.persistedRecords = kept;
            c.persistedSchedule = schedule;
            c.settingsLoaded = true;
            c.settingsLoad = null; // settingsLoaded says it now; no need to keep the promise
            conversations.trackEnabled(c);
          },
          (error: unknown) => {
            c.settingsLoad = null; // the next caller tries again
            throw error;
          },
        );
    }
    return c.settingsLoad;
  }

  /** Keeps `schedule:<id>` in step with what a restart would need. */
  function persistSchedule(c: Conversation): void {
    const record = scheduleRecordOf(c.state);
    if (record === c.persistedSchedule) return;
    c.persistedSchedule = record;
    const key = scheduleKey(c.id);
    void writes
      .enqueue(c.id, async () => {
        if (record !== null) await deps.storage.set(key, record);
        else await deps.storage.delete?.(key);
      })
      .catch((err: unknown) => {
        c.persistedSchedule = null; // written again with the next change
        deps.logger.error("cache-warming: could not store the schedule", {
          conversationId: c.id,
          err,
        });
      });
  }

  /** Keeps each rule's record (`WarmRules.records`) in step with the state. */
  function persistRecords(c: Conversation): void {
    records.forEach((kept, index) => {
      if (kept.setting === true) return; // the settings setters write it
      const record = kept.recordOf(c.state);
      if (record === null || record === c.persistedRecords[index]) return;
      c.persistedRecords[index] = record;
      void writes
        .enqueue(c.id, () => deps.storage.set(kept.key(c.id), record))
        .catch((err: unknown) => {
          c.persistedRecords[index] = null; // written again with the next change
          deps.logger.error(`cache-warming: could not store the ${kept.name}`, {
            conversationId: c.id,
            err,
          });
        });
    });
  }

  return {
    load,
    async loadOrLog(c) {
      try {
        await load(c);
      } catch (err) {
        deps.logger.error("cache-warming: could not load settings", { conversationId: c.id, err });
      }
    },
    persist(c) {
      if (!c.settingsLoaded || deps.persistSchedules === false) return;
      persistSchedule(c);
      persistRecords(c);
    },
    storeClosed: (id) =>
      writes.enqueue(id, async () => {
        const key = settingsKey(id);
        const stored = parseSettings(await deps.storage.get(key));
        if (stored.enabled)
          await deps.storage.set(key, serializeSettings({ ...stored, enabled: false }));
      }),
  };
}
