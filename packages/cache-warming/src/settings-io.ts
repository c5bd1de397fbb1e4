// What the warmer reads and writes per conversation: upstream's `settings:<id>`, the spend
// limits, the ledger and the schedule record, all through one write queue per conversation so
// a later write never overtakes an earlier one. Records are written after the change they
// describe and never block it.
import type { Conversation, Conversations } from "./conversations.js";
import { ledgerKey, ledgerRecordOf, mergeLedger, parseLedgerRecord } from "./modules/ledger.js";
import { parseSpendLimits, spendLimitsKey } from "./modules/spend-guard.js";
import { parseSettings, serializeSettings, settingsKey } from "./pure.js";
import { parseScheduleRecord, restoreSchedule, scheduleKey, scheduleRecordOf } from "./restart.js";
import { type CacheWarmingState, EMPTY_LEDGER } from "./state.js";
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
  function load(c: Conversation): Promise<void> {
    if (c.settingsLoaded) return Promise.resolve();
    if (!c.settingsLoad) {
      c.settingsLoad = writes
        .idle(c.id)
        .then(() =>
          Promise.all([
            deps.storage.get(settingsKey(c.id)),
            deps.storage.get(spendLimitsKey(c.id)),
            deps.storage.get(ledgerKey(c.id)),
            deps.storage.get(scheduleKey(c.id)),
          ]),
        )
        .then(
          ([settings, limits, ledger, schedule]) => {
            const record = parseScheduleRecord(schedule);
            const loaded: CacheWarmingState = {
              ...c.state,
              ...parseSettings(settings),
              ...parseSpendLimits(limits),
              ...mergeLedger(parseLedgerRecord(ledger), c.state),
            };
            c.state = restoreSchedule(loaded, record, deps.rules);
            // Restored: the model's prices and cache lifetime go with its context.
            if (c.state !== loaded) conversations.setContext(c, c.state.context);
            c.storedNextWarmAt = record?.nextWarmAt ?? null;
            c.persistedLedger = ledger;
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

  /** Keeps `ledger:<id>` in step with the ledger and the idle gaps. */
  function persistLedger(c: Conversation): void {
    const { state } = c;
    if (c.persistedLedger === null && state.ledger === EMPTY_LEDGER && state.gapsMs.length === 0) {
      return;
    }
    const record = ledgerRecordOf(state);
    if (record === c.persistedLedger) return;
    c.persistedLedger = record;
    void writes
      .enqueue(c.id, () => deps.storage.set(ledgerKey(c.id), record))
      .catch((err: unknown) => {
        c.persistedLedger = null;
        deps.logger.error("cache-warming: could not store the ledger", {
          conversationId: c.id,
          err,
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
      persistLedger(c);
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
