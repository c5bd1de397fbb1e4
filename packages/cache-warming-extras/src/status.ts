// Extra: what the schedule is doing, in words and for machines, and the warm history. Adds
// the `Warm now` button and the `Schedule`, `Last error` and `Model` stats to the spec, and to
// the timer payload the server's clock, the state and its reason, which rule paused it and
// what resumes it, the last failure and the last 20 warms (kept as `history:<id>`, so a
// restart shows them; a warm in flight at a crash shows as lost, counted as made).
import { computeCachePct } from "@dispatch/cache-warming";
import * as z from "zod";
import {
  type Extra,
  type ExtraDeps,
  type Pause,
  perConversation,
  seam,
  withFields,
  withTimerKeys,
} from "./extra.js";
import { warmCostUsd } from "./prices.js";
import { epochOrNull, keptRecord, MAX_MODEL_NAME } from "./records.js";
import { WARM_NOW } from "./refusals.js";

/** Warms the history keeps (the surface shows them all). */
export const MAX_HISTORY = 20;

/** What a restart lost: the answer of a warm that was in flight. */
export const LOST_IN_RESTART = "its answer was lost when the server stopped; counted as made";

export type ScheduleState =
  | "loading"
  | "off"
  | "generating"
  | "warming"
  | "paused"
  | "scheduled"
  | "idle";

export interface HistoryEntry {
  /** Epoch-ms it finished (or was sent, for one whose answer a restart lost). */
  readonly at: number;
  readonly trigger: "auto" | "manual";
  readonly model: string | null;
  /** Share of the input read from the cache; null for a failed warm. */
  readonly cachePct: number | null;
  /** What it cost in USD; null when its model's prices are unknown, or it failed. */
  readonly costUsd: number | null;
  /** Why it failed; null for a good warm. */
  readonly error: string | null;
}

interface StatusEntry {
  loaded: boolean;
  /** An automatic warm waits for the provider since then. */
  warmingSince: number | null;
  lastFailure: { readonly message: string; readonly at: number } | null;
  history: HistoryEntry[];
  /** A warm was recorded; its log line waits for the re-armed schedule. */
  justWarmed: HistoryEntry | null;
  pausedBy: string | null;
}

const MAX_ERROR = 1024;
const entrySchema = z.object({
  at: z.number().int().min(0),
  trigger: z.enum(["manual", "auto"]),
  model: z.string().max(MAX_MODEL_NAME).nullable(),
  cachePct: z.number().int().min(0).max(100).nullable(),
  costUsd: z.number().finite().min(0).nullable(),
  error: z.string().max(MAX_ERROR).nullable(),
});
const historySchema = z.object({
  // One bad entry drops only itself.
  history: z
    .array(z.unknown())
    .catch([])
    .transform((entries) =>
      entries.flatMap((e) => entrySchema.safeParse(e).data ?? []).slice(-MAX_HISTORY),
    ),
  lastFailure: z
    .object({ message: z.string().max(MAX_ERROR), at: z.number().int().min(0) })
    .nullable()
    .catch(null),
  warmingSince: epochOrNull,
});

/** What the status asks of the other extras. */
export interface StatusSources {
  /** Extras that may hold the schedule, asked in order (the first pause is shown). */
  readonly explainers: readonly Pick<Extra, "pause" | "note">[];
  /** The stored settings are still being read. */
  readonly loading?: (id: string) => boolean;
  /** Why an enabled schedule did not resume after a restart. */
  readonly notResumed?: (id: string) => string | null;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function createStatus(deps: ExtraDeps & StatusSources) {
  const { warmer, now, economicsOf, logger } = deps;
  const entries = perConversation<StatusEntry>(() => ({
    loaded: false,
    warmingSince: null,
    lastFailure: null,
    history: [],
    justWarmed: null,
    pausedBy: null,
  }));
  const record = keptRecord({
    prefix: "history",
    schema: historySchema,
    readOnly: !deps.persist,
    ...deps,
  });
  // Never a write before its read: what happened meanwhile is merged, then stored.
  const save = (id: string) => {
    const { loaded, history, lastFailure, warmingSince } = entries.get(id);
    if (!loaded) return;
    record.save(
      id,
      history.length === 0 && warmingSince === null ? null : { history, lastFailure, warmingSince },
    );
  };

  function addToHistory(id: string, entry: HistoryEntry): void {
    const status = entries.get(id);
    status.history = [...status.history, entry].slice(-MAX_HISTORY);
  }

  function pauseOf(id: string): Pause | null {
    for (const explainer of deps.explainers) {
      const pause = explainer.pause?.(id) ?? null;
      if (pause !== null) return pause;
    }
    return null;
  }

  /** The schedule's state and its machine-readable reason. */
  function scheduleOf(id: string): {
    state: ScheduleState;
    reason: string | null;
    pause: Pause | null;
  } {
    const state = warmer.getState(id);
    if (deps.loading?.(id) === true) return { state: "loading", reason: null, pause: null };
    if (!state.enabled) return { state: "off", reason: null, pause: null };
    if (state.active) return { state: "generating", reason: null, pause: null };
    if (entries.get(id).warmingSince !== null)
      return { state: "warming", reason: null, pause: null };
    const pause = pauseOf(id);
    if (pause !== null) return { state: "paused", reason: pause.reason, pause };
    if (state.nextWarmAt !== null) return { state: "scheduled", reason: null, pause: null };
    return { state: "idle", reason: deps.notResumed?.(id) ?? "awaiting-turn", pause: null };
  }

  function describe(id: string): string {
    const { state, reason, pause } = scheduleOf(id);
    switch (state) {
      case "loading":
        return "Loading settings…";
      case "off":
        return "Off";
      case "generating":
        return "Waiting for the turn to finish";
      case "warming":
        return "Warming";
      case "paused":
        return `Paused by ${pause?.rule}: ${pause?.why}. ${capitalized(pause?.resumes ?? "")} resumes it.`;
      case "scheduled": {
        const notes = deps.explainers.flatMap((e) => e.note?.(id) ?? []);
        return notes.length === 0 ? "Scheduled" : `Scheduled: ${notes.join("; ")}`;
      }
      case "idle":
        return reason === "cache-expired"
          ? "Not resumed: the cache expired while the server was down. A turn or Warm now starts it again."
          : "Not scheduled: waiting for a turn";
    }
  }

  function finishWarming(id: string): void {
    entries.get(id).warmingSince = null;
  }

  const extra = {
    schedule: scheduleOf,
    describe,
    history: (id: string): readonly HistoryEntry[] => entries.get(id).history,
    async load(id) {
      const status = entries.get(id);
      if (status.loaded) return;
      const stored = await record.read(id);
      if (status.loaded) return;
      status.loaded = true;
      if (stored === null) return save(id);
      status.history = [...stored.history, ...status.history].slice(-MAX_HISTORY);
      status.lastFailure ??= stored.lastFailure;
      // A warm in flight when the server stopped was paid: it shows as made, and lost.
      if (stored.warmingSince !== null) {
        addToHistory(id, {
          at: stored.warmingSince,
          trigger: "auto",
          model: warmer.getContext(id).modelName ?? null,
          cachePct: null,
          costUsd: null,
          error: LOST_IN_RESTART,
        });
      }
      save(id);
    },
    forget(id) {
      entries.forget(id);
      record.forget(id);
    },
    holds: (id: string) => entries.peek(id)?.warmingSince != null,
    hooks: seam({
      warmStarted(id, trigger) {
        if (trigger !== "auto") return;
        entries.get(id).warmingSince = now();
        save(id);
        // Subscribers see the warm in flight (a real provider takes a while to answer).
        warmer.refresh(id);
      },
      warmRecorded(id, usage, trigger, context) {
        finishWarming(id);
        const pricing = economicsOf(context.modelName).pricing;
        const entry: HistoryEntry = {
          at: now(),
          trigger: trigger ?? "manual",
          model: context.modelName ?? null,
          cachePct: computeCachePct(usage.inputTokens, usage.cacheReadTokens),
          costUsd: pricing === null ? null : Math.round(warmCostUsd(usage, pricing) * 1e6) / 1e6,
          error: null,
        };
        addToHistory(id, entry);
        entries.get(id).lastFailure = null;
        entries.get(id).justWarmed = entry;
        save(id);
      },
      warmFailed(id, refusal, trigger) {
        finishWarming(id);
        const at = now();
        addToHistory(id, {
          at,
          trigger,
          model: warmer.getContext(id).modelName ?? null,
          cachePct: null,
          costUsd: null,
          error: refusal.error,
        });
        entries.get(id).lastFailure = { message: refusal.error, at };
        save(id);
      },
      turnStarted: finishWarming,
      changed(id, state) {
        const status = entries.get(id);
        const warmed = status.justWarmed;
        status.justWarmed = null;
        if (warmed !== null) {
          logger.info("cache-warming: warmed", {
            conversationId: id,
            trigger: warmed.trigger,
            cachePct: warmed.cachePct,
            model: warmed.model,
            nextWarmAt: state.nextWarmAt,
          });
        }
        const paused = state.enabled ? (pauseOf(id)?.reason ?? null) : null;
        if (paused !== null && paused !== status.pausedBy) {
          logger.info("cache-warming: paused", { conversationId: id, reason: paused });
        }
        status.pausedBy = paused;
      },
      spec(id, spec) {
        const { state, reason, pause } = scheduleOf(id);
        const status = entries.get(id);
        const fields = withFields(spec, [
          { kind: "button", label: "Warm now", action: { actionId: WARM_NOW } },
          { kind: "stat", label: "Schedule", value: describe(id) },
          { kind: "stat", label: "Last error", value: status.lastFailure?.message ?? "—" },
          { kind: "stat", label: "Model", value: warmer.getContext(id).modelName ?? "default" },
        ]);
        return withTimerKeys(fields, {
          // The countdown reached zero: no next warm is scheduled until this one answers.
          ...(state === "warming" ? { nextWarmAt: null } : {}),
          serverNow: now(),
          state,
          reason,
          pause:
            pause === null ? null : { rule: pause.rule, why: pause.why, resumes: pause.resumes },
          lastFailure: status.lastFailure,
          history: status.history,
        });
      },
    }),
  } satisfies Extra & Record<string, unknown>;
  return extra;
}

export type Status = ReturnType<typeof createStatus>;
