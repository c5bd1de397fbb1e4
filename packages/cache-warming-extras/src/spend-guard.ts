// Extra: the spend guard. It counts automatic warms since the last turn and cold ones in a
// row, pauses the schedule at the user's limits (the idle cap, the dead-cache limit), and
// applies the warm policy the user chose: `fixed` (every interval until the idle cap),
// `break-even` or `adaptive`. The limits are a setting (`spend-limits:<id>`, stored before
// they apply); the counters, the pause and the adaptive policy's account are its record
// (`spend-guard:<id>`). A warm is counted when it is sent, so a crash never forgets one.
import { computeExpectedCacheRate } from "@dispatch/cache-warming";
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
import type { Ledger } from "./ledger.js";
import {
  type AdaptiveAccount,
  adaptiveStop,
  BREAK_EVEN_HORIZON,
  bookGap,
  EMPTY_ACCOUNT,
  type GapCosts,
  gapCosts,
  MAX_STOP,
  worthWarmingOn,
} from "./policies.js";
import { savedByHitUsd } from "./prices.js";
import { countSchema, keptRecord } from "./records.js";
import { ActionRejected } from "./refusals.js";

export const WARM_POLICIES = ["fixed", "break-even", "adaptive"] as const;
export type WarmPolicy = (typeof WARM_POLICIES)[number];

/** One hour of warming at the default interval, then the schedule waits for a turn. */
export const DEFAULT_IDLE_WARM_CAP = 15;
/** Two automatic warms in a row that read nothing from the cache pause the schedule. */
export const DEFAULT_DEAD_WARM_LIMIT = 2;

export interface SpendLimits {
  /** Automatic warms allowed since the last settled turn; 0 = unlimited. */
  readonly idleWarmCap: number;
  /** Consecutive automatic warms that read nothing before pausing; 0 = never. */
  readonly deadWarmLimit: number;
  readonly policy: WarmPolicy;
}

export type GuardPause = "idle-cap" | "dead-cache" | "not-worth-it";

export const SET_SPEND_LIMITS = "cache-warming/set-spend-limits";
export const SET_POLICY = "cache-warming/set-policy";

/** Prefix size assumed until a warm has told the real one (the choice barely depends on it). */
const NOMINAL_PREFIX_TOKENS = 10_000;

/** A gap that ended, booked into the adaptive account once the next turn's model is known. */
interface EndedGap {
  readonly gapMs: number;
  readonly warms: number;
  readonly alive: boolean;
  readonly model: string | null;
}

interface GuardEntry {
  loaded: boolean;
  limits: SpendLimits;
  autoWarms: number;
  deadStreak: number;
  pausedBy: GuardPause | null;
  /** Automatic warms in this gap, whatever reset the count above (for the account). */
  gapWarms: number;
  account: AdaptiveAccount;
  ended: EndedGap | null;
}

export const warmPolicySchema = z.enum(WARM_POLICIES);

const limitsChangeSchema = z
  .object({
    idleWarmCap: countSchema.optional(),
    deadWarmLimit: countSchema.optional(),
    policy: warmPolicySchema.optional(),
  })
  .strict()
  .refine((l) => Object.keys(l).length > 0, {
    message: "give idleWarmCap, deadWarmLimit and/or policy",
  });

const usd = z.number().finite().min(0);
const guardRecordSchema = z.object({
  autoWarms: countSchema,
  deadStreak: countSchema,
  pausedBy: z.enum(["idle-cap", "dead-cache", "not-worth-it"]).nullable(),
  gapWarms: countSchema.catch(0),
  account: z
    .object({ spentUsd: usd, optimumUsd: usd, stopCostsUsd: z.array(usd).max(MAX_STOP + 1) })
    .catch({ spentUsd: 0, optimumUsd: 0, stopCostsUsd: [] }),
});

export type SpendLimitsChange = Partial<SpendLimits>;

/** `set-spend-limits`'s payload, checked; the first problem in words. */
export function parseLimitsChange(payload: unknown): SpendLimitsChange {
  const parsed = limitsChangeSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new ActionRejected(
      `set-spend-limits expects { idleWarmCap?, deadWarmLimit?, policy? }: ${where}${issue?.message}`,
    );
  }
  const { idleWarmCap, deadWarmLimit, policy } = parsed.data;
  return {
    ...(idleWarmCap === undefined ? {} : { idleWarmCap }),
    ...(deadWarmLimit === undefined ? {} : { deadWarmLimit }),
    ...(policy === undefined ? {} : { policy }),
  };
}

const POLICY_WORDS: Record<WarmPolicy, string> = {
  fixed: "Every interval, until the idle cap",
  "break-even": "While the next warm likely pays (break-even)",
  adaptive: "As this conversation's returns have paid (adaptive)",
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export function createSpendGuard(
  deps: ExtraDeps & {
    readonly ledger: Ledger;
    /** The policy of a conversation that never chose one. Default: `fixed`. */
    readonly defaultPolicy?: WarmPolicy;
  },
) {
  const { warmer, now, economicsOf, ledger } = deps;
  const defaults: SpendLimits = {
    idleWarmCap: DEFAULT_IDLE_WARM_CAP,
    deadWarmLimit: DEFAULT_DEAD_WARM_LIMIT,
    policy: deps.defaultPolicy ?? "fixed",
  };
  const entries = perConversation<GuardEntry>(() => ({
    loaded: false,
    limits: defaults,
    autoWarms: 0,
    deadStreak: 0,
    pausedBy: null,
    gapWarms: 0,
    account: EMPTY_ACCOUNT,
    ended: null,
  }));
  const storedLimits = keptRecord({
    prefix: "spend-limits",
    // Each field falls back on its own, so one bad value does not throw the others away.
    schema: z.object({
      idleWarmCap: countSchema.catch(defaults.idleWarmCap),
      deadWarmLimit: countSchema.catch(defaults.deadWarmLimit),
      policy: warmPolicySchema.catch(defaults.policy),
    }),
    readOnly: !deps.persist,
    ...deps,
  });
  const counters = keptRecord({
    prefix: "spend-guard",
    schema: guardRecordSchema,
    readOnly: !deps.persist,
    ...deps,
  });
  // Never a write before its read: what happened meanwhile is merged, then stored.
  const save = (id: string) => {
    const { loaded, autoWarms, deadStreak, pausedBy, gapWarms, account } = entries.get(id);
    if (!loaded) return;
    const idle = autoWarms + deadStreak + gapWarms === 0 && pausedBy === null;
    const kept = {
      autoWarms,
      deadStreak,
      pausedBy,
      gapWarms,
      account: { ...account, stopCostsUsd: [...account.stopCostsUsd] },
    };
    counters.save(id, idle && account.optimumUsd === 0 ? null : kept);
  };

  /** The gap costs of this conversation's model, or null without prices. */
  function costsFor(id: string): GapCosts | null {
    const economics = economicsOf(warmer.getContext(id).modelName);
    if (economics.pricing === null) return null;
    const { intervalMs } = warmer.getState(id);
    const prefix = ledger.entry(id).prefixTokens;
    return gapCosts({
      ...economics.pricing,
      prefixTokens: prefix > 0 ? prefix : NOMINAL_PREFIX_TOKENS,
      intervalMs: Math.min(intervalMs, economics.maxIntervalMs ?? intervalMs),
      cacheTtlMs: economics.cacheTtlMs,
    });
  }

  /** Whether the policy says stop here (`idleMs` into the gap, after the last warm). */
  function policyStops(id: string, entry: GuardEntry, idleMs: number): boolean {
    const { policy } = entry.limits;
    if (policy === "fixed") return false;
    const costs = costsFor(id);
    if (costs === null) return false;
    if (policy === "adaptive") return entry.autoWarms >= adaptiveStop(entry.account, costs);
    const { prefixTokens, gapsMs } = ledger.entry(id);
    if (prefixTokens === 0) return false;
    const { idleWarmCap } = entry.limits;
    const remaining = idleWarmCap > 0 ? idleWarmCap - entry.autoWarms : 0;
    const pricing = economicsOf(warmer.getContext(id).modelName).pricing;
    return !worthWarmingOn({
      idleMs,
      intervalMs: costs.intervalMs,
      cacheTtlMs: costs.cacheTtlMs,
      gapsMs,
      warmCostUsd: costs.warm,
      savedByHitUsd: pricing === null ? 0 : savedByHitUsd(prefixTokens, pricing),
      horizon: remaining > 0 ? remaining : BREAK_EVEN_HORIZON,
    });
  }

  /**
   * The counters against the limits: paused once a limit is reached; a pause it set lifted
   * when the limits no longer hold it (a policy's pause only when the policy is `fixed`).
   */
  function applyLimits(entry: GuardEntry): void {
    const { idleWarmCap, deadWarmLimit, policy } = entry.limits;
    if (idleWarmCap > 0 && entry.autoWarms >= idleWarmCap) entry.pausedBy = "idle-cap";
    else if (deadWarmLimit > 0 && entry.deadStreak >= deadWarmLimit) entry.pausedBy = "dead-cache";
    else if (entry.pausedBy !== "not-worth-it" || policy === "fixed") entry.pausedBy = null;
  }

  function freshStretch(entry: GuardEntry): void {
    entry.autoWarms = 0;
    entry.deadStreak = 0;
    entry.pausedBy = null;
  }

  async function load(id: string): Promise<void> {
    const entry = entries.get(id);
    if (entry.loaded) return;
    const [limits, stored] = await Promise.all([storedLimits.read(id), counters.read(id)]);
    if (entry.loaded) return;
    entry.loaded = true;
    if (limits !== null) entry.limits = limits;
    // A stored pause or count stands unless something happened since start.
    if (stored !== null && entry.autoWarms === 0 && entry.pausedBy === null) {
      Object.assign(entry, stored);
    }
    save(id);
  }

  /** New limits: stored first, then judged against the warms made so far. */
  async function setLimits(id: string, change: SpendLimitsChange): Promise<SpendLimits> {
    await load(id);
    const entry = entries.get(id);
    const limits = { ...entry.limits, ...change };
    await storedLimits.write(id, limits);
    entry.limits = limits;
    applyLimits(entry);
    save(id);
    // Paused, lifted or not: the schedule follows, and subscribers see the new limits.
    warmer.refresh(id);
    return limits;
  }

  const extra = {
    load,
    setLimits,
    limits: (id: string): SpendLimits => entries.get(id).limits,
    /** The adaptive policy's account and gap costs as they stand (what an adversary reads). */
    adaptive: (id: string) => ({ account: entries.get(id).account, costs: costsFor(id) }),
    forget(id) {
      entries.forget(id);
      storedLimits.forget(id);
      counters.forget(id);
    },
    holds(id) {
      const entry = entries.peek(id);
      return entry !== undefined && (entry.pausedBy !== null || entry.autoWarms > 0);
    },
    pause(id): Pause | null {
      const entry = entries.get(id);
      const resumes = "a turn, Warm now, or turning warming off and on";
      switch (entry.pausedBy) {
        case "idle-cap":
          return {
            reason: "idle-cap",
            rule: "the idle cap",
            why: `${plural(entry.autoWarms, "automatic warm")} since the last turn (idle cap ${entry.limits.idleWarmCap})`,
            resumes,
          };
        case "dead-cache":
          return {
            reason: "dead-cache",
            rule: "the dead-cache limit",
            why: `the cache was not retained (${plural(entry.deadStreak, "warm")} in a row read nothing)`,
            resumes,
          };
        case "not-worth-it":
          return {
            reason: "not-worth-it",
            rule: `the ${entry.limits.policy} policy`,
            why:
              entry.limits.policy === "adaptive"
                ? `after ${plural(entry.autoWarms, "warm")}, this conversation's returns say the next would not pay`
                : "the next warm would likely cost more than it saves",
            resumes: `${resumes}; the fixed policy warms every interval`,
          };
        default:
          return null;
      }
    },
    note(id) {
      const { autoWarms, limits } = entries.get(id);
      return limits.idleWarmCap > 0
        ? `${autoWarms} of ${limits.idleWarmCap} automatic warms before the idle cap`
        : null;
    },
    hooks: seam({
      warmStarted(id, trigger) {
        if (trigger !== "auto") return;
        const entry = entries.get(id);
        entry.autoWarms += 1;
        entry.gapWarms += 1;
        save(id);
      },
      warmRecorded(id, usage, trigger) {
        const entry = entries.get(id);
        // A warm somebody asked for starts a fresh idle stretch.
        if (trigger !== "auto") freshStretch(entry);
        else {
          const cold =
            computeExpectedCacheRate(usage.cacheReadTokens, usage.cacheWriteTokens) === 0;
          entry.deadStreak = cold ? entry.deadStreak + 1 : 0;
          applyLimits(entry);
          const settled = ledger.entry(id).lastTurnSettledAt ?? now();
          if (entry.pausedBy === null && policyStops(id, entry, now() - settled)) {
            entry.pausedBy = "not-worth-it";
          }
        }
        save(id);
      },
      warmFailed(id, _refusal, trigger) {
        if (trigger !== "auto") return;
        applyLimits(entries.get(id));
        save(id);
      },
      // A gap ends: what it cost, booked into the adaptive account at the next settle.
      turnStarted(id) {
        const entry = entries.get(id);
        const settled = ledger.entry(id).lastTurnSettledAt;
        const economics = economicsOf(warmer.getContext(id).modelName);
        const state = warmer.getState(id);
        if (settled === null || !state.enabled || entry.limits.policy !== "adaptive") return;
        const at = now();
        const touched = Math.max(settled, state.lastWarmAt ?? settled);
        entry.ended = {
          gapMs: at - settled,
          warms: entry.gapWarms,
          alive: at < touched + economics.cacheTtlMs,
          model: warmer.getContext(id).modelName ?? null,
        };
      },
      turnSettled(id, context) {
        const entry = entries.get(id);
        const ended = entry.ended;
        const costs = costsFor(id);
        if (ended !== null && costs !== null) {
          // A turn on another model than the warms kept warm wrote its cache anew.
          const switched = (context.modelName ?? null) !== ended.model;
          const hit = ended.alive && !switched;
          const paid = ended.warms * costs.warm + (hit ? costs.hit : costs.miss);
          entry.account = bookGap(
            entry.account,
            ended.gapMs,
            paid,
            switched ? { ...costs, hit: costs.miss } : costs,
          );
        }
        entry.ended = null;
        entry.gapWarms = 0;
        freshStretch(entry);
        if (policyStops(id, entry, 0)) entry.pausedBy = "not-worth-it";
        save(id);
      },
      settingsChanging(id, next, current) {
        // Turning warming on starts a fresh idle stretch.
        if (next.enabled && !current.enabled) {
          freshStretch(entries.get(id));
          save(id);
        }
      },
      schedule: (id) => (entries.get(id).pausedBy === null ? undefined : null),
      spec(id, spec) {
        const { limits, autoWarms } = entries.get(id);
        return withTimerKeys(
          withFields(spec, [
            {
              kind: "selector",
              label: "When to stop warming",
              value: limits.policy,
              options: WARM_POLICIES.map((policy) => ({
                value: policy,
                label: POLICY_WORDS[policy],
              })),
              action: { actionId: SET_POLICY },
            },
          ]),
          { policy: limits.policy, idleWarmCap: limits.idleWarmCap, autoWarmsSinceTurn: autoWarms },
        );
      },
      actions: {
        [SET_SPEND_LIMITS]: async (id, payload) => {
          await setLimits(id, parseLimitsChange(payload));
        },
        [SET_POLICY]: async (id, payload) => {
          const value =
            typeof payload === "object" && payload !== null && "value" in payload
              ? (payload as { value: unknown }).value
              : payload;
          const parsed = warmPolicySchema.safeParse(value);
          if (!parsed.success) {
            throw new ActionRejected(`set-policy expects one of ${WARM_POLICIES.join(", ")}`);
          }
          await setLimits(id, { policy: parsed.data });
        },
      },
    }),
  } satisfies Extra & Record<string, unknown>;
  return extra;
}

export type SpendGuard = ReturnType<typeof createSpendGuard>;
