// Extra: restart resume. Each conversation's schedule is kept as `schedule:<id>` (its context,
// when the cache was last touched, the last warm, a warm in flight); after a restart its
// stored settings and every extra's records are read back the first time it is seen (`load`),
// and at start (`resumeAll`) every enabled schedule whose cache can still be alive resumes at
// its old time, at once if that passed. The others say why not: the cache expired while the
// server was down, or a turn is awaited (one was running, or none ever settled).
import { type ConversationState, parseSettings, settingsKey } from "@dispatch/cache-warming";
import * as z from "zod";
import type { Restored } from "./extra.js";
import { type Extra, type ExtraDeps, perConversation, seam } from "./extra.js";
import { epochOrNull, keptRecord, MAX_CWD, MAX_MODEL_NAME } from "./records.js";

export type NotResumedReason = "cache-expired" | "awaiting-turn";

interface RestartEntry {
  loaded: boolean;
  loading: Promise<void> | null;
  /** Something happened since start (a turn, a warm): memory knows better than the record. */
  touchedSinceStart: boolean;
  /** A setter ran since start: memory has the stored settings already. */
  settingsChanged: boolean;
  lastTouchedAt: number | null;
  /** An automatic warm was sent then and has not answered. */
  warmStartedAt: number | null;
  /** Where the first arm after a restore goes (then the hooks' usual answer). */
  resumeAt: number | null;
  notResumed: NotResumedReason | null;
}

const pct = z.number().int().min(0).max(100).nullable().catch(null);
const scheduleSchema = z.object({
  context: z
    .object({
      cwd: z.string().max(MAX_CWD).exactOptional(),
      modelName: z.string().max(MAX_MODEL_NAME).exactOptional(),
    })
    .catch({}),
  lastTouchedAt: epochOrNull,
  lastWarmAt: epochOrNull,
  nextWarmAt: epochOrNull,
  lastPct: pct,
  lastExpectedPct: pct,
  warmStartedAt: epochOrNull,
  generating: z.boolean().catch(false),
});
type ScheduleRecord = z.infer<typeof scheduleSchema>;

export interface ResumeReport {
  readonly resumed: readonly { readonly conversationId: string; readonly at: number }[];
  readonly notResumed: readonly {
    readonly conversationId: string;
    readonly reason: NotResumedReason;
  }[];
}

/**
 * After a restart: a schedule whose turn was still generating, or that never started, waits
 * for a turn; any other resumes only while its cache can still be alive (a warm after the TTL
 * would buy the whole prefix again), at its old time or at once if that passed. A warm that
 * was in flight was paid: the next one comes an interval after it was sent.
 */
export function decideResume(
  record: ScheduleRecord,
  intervalMs: number,
  cacheTtlMs: number,
  now: number,
): { readonly at: number } | { readonly reason: NotResumedReason } {
  const touched = record.warmStartedAt ?? record.lastTouchedAt;
  if (record.generating || touched === null) return { reason: "awaiting-turn" };
  if (now >= touched + cacheTtlMs) return { reason: "cache-expired" };
  const due =
    record.warmStartedAt !== null
      ? record.warmStartedAt + intervalMs
      : (record.nextWarmAt ?? touched + intervalMs);
  return { at: Math.max(now, due) };
}

export function createRestart(
  deps: ExtraDeps & {
    /** Reads every other extra's records for a conversation (before its state is restored). */
    readonly loadExtras: (conversationId: string) => Promise<void>;
  },
) {
  const { warmer, now, storage, economicsOf, logger } = deps;
  const entries = perConversation<RestartEntry>(() => ({
    loaded: false,
    loading: null,
    touchedSinceStart: false,
    settingsChanged: false,
    lastTouchedAt: null,
    warmStartedAt: null,
    resumeAt: null,
    notResumed: null,
  }));
  // Reads under way, so a shutdown can wait for what they will store.
  const reading = new Set<Promise<void>>();
  const record = keptRecord({
    prefix: "schedule",
    schema: scheduleSchema,
    readOnly: !deps.persist,
    ...deps,
  });

  function recordOf(id: string, state: ConversationState): ScheduleRecord | null {
    const entry = entries.get(id);
    if (!state.enabled && state.lastWarmAt === null) return null;
    return {
      context: warmer.getContext(id),
      lastTouchedAt: entry.lastTouchedAt,
      lastWarmAt: state.lastWarmAt,
      nextWarmAt: state.nextWarmAt,
      lastPct: state.lastPct,
      lastExpectedPct: state.lastExpectedPct,
      warmStartedAt: entry.warmStartedAt,
      generating: state.active,
    };
  }

  async function read(id: string): Promise<void> {
    const [settings, stored] = await Promise.all([
      storage.get(settingsKey(id)),
      record.read(id),
      deps.loadExtras(id),
    ]);
    const entry = entries.get(id);
    entry.loaded = true;
    entry.loading = null;
    // The stored settings, unless a setter (which reads and writes them itself) ran meanwhile.
    const restored: Restored = entry.settingsChanged ? {} : parseSettings(settings);
    if (!entry.touchedSinceStart) {
      // Nothing happened since start: the record says where the schedule was.
      if (stored === null) entry.notResumed = "awaiting-turn";
      else {
        entry.lastTouchedAt = stored.warmStartedAt ?? stored.lastTouchedAt;
        const ttl = economicsOf(stored.context.modelName).cacheTtlMs;
        const interval = restored.intervalMs ?? warmer.getState(id).intervalMs;
        const decision = decideResume(stored, interval, ttl, now());
        if ("at" in decision) entry.resumeAt = decision.at;
        else entry.notResumed = decision.reason;
        Object.assign(restored, {
          lastPct: stored.lastPct,
          lastExpectedPct: stored.lastExpectedPct,
          lastWarmAt: stored.lastWarmAt,
          context: stored.context,
        });
      }
    }
    warmer.refresh(id, restored);
  }

  /** A first arm after a restore goes where the record said; something new clears that. */
  function clearRestore(id: string): void {
    const entry = entries.get(id);
    entry.touchedSinceStart = true;
    entry.resumeAt = null;
    entry.notResumed = null;
  }

  /** Reads the conversation's settings and records once; concurrent callers share the read. */
  function load(id: string): Promise<void> {
    const entry = entries.get(id);
    if (entry.loaded) return Promise.resolve();
    if (entry.loading === null) {
      const loading = read(id)
        .catch((err: unknown) => {
          entry.loading = null; // the next caller tries again
          logger.error("cache-warming: could not read a conversation's records", {
            conversationId: id,
            err,
          });
          throw err;
        })
        .finally(() => reading.delete(loading));
      reading.add(loading);
      entry.loading = loading;
    }
    return entry.loading;
  }

  const extra = {
    load,
    isLoaded: (id: string) => entries.peek(id)?.loaded === true,
    /** Resolves once every read under way has finished. */
    async idle(): Promise<void> {
      await Promise.all([...reading].map((p) => p.catch(() => {})));
    },
    notResumed: (id: string) => entries.peek(id)?.notResumed ?? null,
    /** After start: every stored schedule read back, resumed where its cache can be alive. */
    async resumeAll(
      options: { readonly accepts?: (id: string) => boolean } = {},
    ): Promise<ResumeReport> {
      const resumed: Array<{ conversationId: string; at: number }> = [];
      const notResumed: Array<{ conversationId: string; reason: NotResumedReason }> = [];
      const prefix = record.key("");
      for (const key of (await storage.keys?.(prefix)) ?? []) {
        const id = key.slice(prefix.length);
        if (options.accepts !== undefined && !options.accepts(id)) {
          logger.warn("cache-warming: stored schedule of an invalid id left alone", {
            conversationId: JSON.stringify(id).slice(0, 80),
          });
          continue;
        }
        await load(id);
        const state = warmer.getState(id);
        const reason = entries.get(id).notResumed;
        if (!state.enabled) continue;
        if (state.nextWarmAt !== null) {
          resumed.push({ conversationId: id, at: state.nextWarmAt });
          logger.info("cache-warming: schedule resumed", {
            conversationId: id,
            at: state.nextWarmAt,
          });
        } else if (reason !== null) {
          notResumed.push({ conversationId: id, reason });
          logger.info("cache-warming: schedule not resumed", { conversationId: id, reason });
        } else {
          logger.info("cache-warming: schedule stays paused", { conversationId: id });
        }
      }
      return { resumed, notResumed };
    },
    forget(id: string) {
      entries.forget(id);
      record.forget(id);
    },
    holds: (id: string) => entries.peek(id)?.loading != null,
    hooks: seam({
      // What a warm changes is stored on top of what was stored: read first. A warm of a
      // conversation not read since start (a manual one, or an automatic one armed by an
      // action before its read finished): its stored settings and records first, so what it
      // changes lands on them and is stored.
      beforeWarm(id) {
        if (entries.get(id).loaded) return undefined;
        return load(id).then(
          () => undefined,
          () => ({
            reason: "unavailable",
            error: "the conversation's stored settings could not be read; no warm was sent",
          }),
        );
      },
      warmStarted(id, trigger) {
        if (trigger === "auto") entries.get(id).warmStartedAt = now();
      },
      warmRecorded(id) {
        clearRestore(id);
        const entry = entries.get(id);
        entry.warmStartedAt = null;
        entry.lastTouchedAt = now();
      },
      warmFailed(id) {
        entries.get(id).warmStartedAt = null;
      },
      turnStarted: clearRestore,
      turnSettled(id) {
        clearRestore(id);
        entries.get(id).lastTouchedAt = now();
        void load(id).catch(() => {});
      },
      settingsChanging(id, next, current) {
        entries.get(id).settingsChanged = true;
        if (next.enabled && !current.enabled) clearRestore(id);
        // A conversation first seen through an action: its records are read now, so what its
        // warms change is stored (a record is never written before it is read).
        void load(id).catch(() => {});
      },
      schedule(id) {
        const entry = entries.get(id);
        if (entry.notResumed !== null) return null;
        if (entry.resumeAt === null) return undefined;
        const delay = entry.resumeAt - now();
        entry.resumeAt = null;
        return delay;
      },
      changed(id, state) {
        if (entries.get(id).loaded) record.save(id, recordOf(id, state));
      },
      spec(id, spec) {
        // The first sight of a conversation: its records are read, and an update follows.
        if (!entries.get(id).loaded) void load(id).catch(() => {});
        return spec;
      },
    }),
  } satisfies Extra & Record<string, unknown>;
  return extra;
}

export type Restart = ReturnType<typeof createRestart>;
