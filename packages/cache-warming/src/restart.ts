// What a restart needs to go on as if it had not happened: the `schedule:<id>` record, how it
// is read back, and whether the schedule resumes.
import * as z from "zod";
import type { ConversationContext } from "./pure.js";
import type { WarmRules } from "./rules.js";
import {
  type CacheWarmingState,
  effectiveIntervalMs,
  MAX_HISTORY,
  type NotResumedReason,
  type PauseReason,
  type WarmHistoryEntry,
} from "./state.js";
import { countSchema, parseStored } from "./stored.js";
import { recordWarm } from "./transitions.js";

/**
 * `schedule:<id>`: what a restart needs to go on as if it had not happened: the schedule, the
 * spend guard's pause and counters, a warm that was in flight, and the warm history.
 */
export function scheduleKey(conversationId: string): string {
  return `schedule:${conversationId}`;
}

export interface ScheduleRecord {
  readonly context: ConversationContext;
  readonly lastTouchedAt: number | null;
  readonly lastWarmAt: number | null;
  readonly nextWarmAt: number | null;
  readonly lastPct: number | null;
  readonly lastExpectedPct: number | null;
  readonly pausedBy: PauseReason | null;
  readonly autoWarmsSinceTurn: number;
  readonly deadWarmStreak: number;
  readonly lastTurnSettledAt: number | null;
  readonly warmStartedAt: number | null;
  /** A turn was generating: what it did to the cache is unknown until the next one settles. */
  readonly generating: boolean;
  readonly history: readonly WarmHistoryEntry[];
}

/** The record to keep for this state, or null when there is nothing to keep. */
export function scheduleRecordOf(state: CacheWarmingState): string | null {
  if (!state.enabled && state.history.length === 0) return null;
  const record: ScheduleRecord = {
    context: state.context,
    lastTouchedAt: state.lastTouchedAt,
    lastWarmAt: state.lastWarmAt,
    nextWarmAt: state.nextWarmAt,
    lastPct: state.lastPct,
    lastExpectedPct: state.lastExpectedPct,
    pausedBy: state.pausedBy,
    autoWarmsSinceTurn: state.autoWarmsSinceTurn,
    deadWarmStreak: state.deadWarmStreak,
    lastTurnSettledAt: state.lastTurnSettledAt,
    warmStartedAt: state.warmStartedAt,
    generating: state.active,
    history: state.history,
  };
  return JSON.stringify(record);
}

const epochOrNull = z.number().int().min(0).nullable().catch(null);

const pctOrNull = z.number().int().min(0).max(100).nullable().catch(null);

const PAUSE_REASONS = ["idle-cap", "dead-cache", "budget", "not-worth-it", "self-caching"] as const;

/** A stored failure message is at most this long (the warmer's own are far shorter). */
const MAX_ERROR_LENGTH = 1024;
const historyEntrySchema = z.object({
  at: z.number().int().min(0),
  trigger: z.enum(["manual", "auto"]),
  model: z.string().max(256).nullable(),
  cachePct: z.number().int().min(0).max(100).nullable(),
  costUsd: z.number().finite().min(0).nullable(),
  error: z.string().max(MAX_ERROR_LENGTH).nullable(),
});

const storedScheduleSchema = z.object({
  context: z
    .object({
      cwd: z.string().max(4096).exactOptional(),
      modelName: z.string().max(256).exactOptional(),
    })
    .catch({}),
  lastTouchedAt: epochOrNull,
  lastWarmAt: epochOrNull,
  nextWarmAt: epochOrNull,
  lastPct: pctOrNull,
  lastExpectedPct: pctOrNull,
  // Records written before these fields existed read as "nothing paused, nothing counted".
  pausedBy: z.enum(PAUSE_REASONS).nullable().catch(null),
  autoWarmsSinceTurn: countSchema.catch(0),
  deadWarmStreak: countSchema.catch(0),
  lastTurnSettledAt: epochOrNull,
  warmStartedAt: epochOrNull,
  generating: z.boolean().catch(false),
  // One bad entry drops only itself.
  history: z
    .array(z.unknown())
    // Stryker disable next-line ArrayDeclaration: whatever the fallback holds, every entry of it is parsed and a bad one dropped
    .catch([])
    .transform((entries) =>
      entries.flatMap((entry) => {
        const parsed = historyEntrySchema.safeParse(entry);
        return parsed.success ? [parsed.data] : [];
      }),
    ),
});

export function parseScheduleRecord(raw: string | null): ScheduleRecord | null {
  return parseStored(raw, storedScheduleSchema, null);
}

/** What a restart lost: the answer of a warm that was in flight. */
export const LOST_IN_RESTART = "its answer was lost when the server stopped; counted as made";

/**
 * A stored record applied to a conversation just read after a restart, when nothing has
 * happened to it since start (no turn, no warm; else memory knows better). Its timer is not:
 * `decideResume` decides that from the record's `nextWarmAt`. A warm that was in flight at a crash was paid: it counts toward the spend guard and the
 * history as made at the moment it was sent, so it is never paid twice.
 */
export function restoreSchedule(
  state: CacheWarmingState,
  record: ScheduleRecord | null,
  rules?: WarmRules,
): CacheWarmingState {
  if (record === null || state.lastTouchedAt !== null || state.active) return state;
  let restored: CacheWarmingState = {
    ...state,
    context: record.context,
    // A turn cut off by the stop: nothing to resume until the next one settles.
    lastTouchedAt: record.generating ? null : record.lastTouchedAt,
    lastWarmAt: record.lastWarmAt,
    lastPct: record.lastPct,
    lastExpectedPct: record.lastExpectedPct,
    pausedBy: record.pausedBy,
    autoWarmsSinceTurn: record.autoWarmsSinceTurn,
    deadWarmStreak: record.deadWarmStreak,
    lastTurnSettledAt: record.lastTurnSettledAt,
    history: [...record.history, ...state.history].slice(-MAX_HISTORY),
  };
  const sentAt = record.warmStartedAt;
  if (sentAt !== null) {
    restored = recordWarm(
      restored,
      { kind: "failure", reason: "failed", error: LOST_IN_RESTART },
      "auto",
      sentAt,
      rules,
    );
    // It reached the provider, so the cache was read (or written) then.
    restored = { ...restored, lastTouchedAt: sentAt };
  }
  return restored;
}

export type ResumeDecision =
  | { readonly kind: "resume"; readonly at: number }
  | { readonly kind: "paused" }
  | { readonly kind: "not-resumed"; readonly reason: NotResumedReason };

/**
 * After a restart (the stored record restored): a paused schedule stays paused until what
 * lifts a pause happens (a turn, a manual warm, re-enabling, looser limits); a schedule whose
 * turn was still generating, or that never started, waits for the next turn; any other
 * resumes only while its cache can still be alive (a warm after the TTL would buy the whole
 * prefix again, which the warmer never does on its own), at its old time or at once if that
 * passed.
 */
export function decideResume(
  state: CacheWarmingState,
  storedNextWarmAt: number | null,
  now: number,
): ResumeDecision {
  if (state.pausedBy !== null) return { kind: "paused" };
  if (state.lastTouchedAt === null) return { kind: "not-resumed", reason: "awaiting-turn" };
  if (now >= state.lastTouchedAt + state.economics.cacheTtlMs) {
    return { kind: "not-resumed", reason: "cache-expired" };
  }
  const due = storedNextWarmAt ?? state.lastTouchedAt + effectiveIntervalMs(state);
  return { kind: "resume", at: Math.max(now, due) };
}
