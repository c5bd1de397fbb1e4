// The seam for opt-in warming rules (spend guard, break-even, ledger). The core records what
// happened; each rule may then add to the state it computed: count, charge, pause, and keep a
// record of its own per conversation. Rules are pure and run in the order given; a warmer with
// none behaves as upstream's does.
import type { SurfaceField } from "@dispatch/ui-contract";
import type { CacheWarmingState, WarmAttempt, WarmTrigger } from "./state.js";
import type { CacheWarmer } from "./warmer.js";

/**
 * A surface action a rule adds; an `ActionRejectedError` it throws is shown to the user as the
 * core's own refusals are.
 */
export type RuleAction = (
  warmer: CacheWarmer,
  conversationId: string,
  payload: unknown,
) => Promise<void>;

/** A record a rule keeps per conversation beside upstream's settings, read with them. */
export interface KeptRecord {
  /** What it holds, for log lines ("could not store the ledger"). */
  readonly name: string;
  readonly key: (conversationId: string) => string;
  /** The state with the stored value applied (null: nothing stored). */
  readonly restore: (state: CacheWarmingState, raw: string | null) => CacheWarmingState;
  /** What to keep for this state, or null for nothing yet; written after a change that alters it. */
  readonly recordOf: (state: CacheWarmingState) => string | null;
  /**
   * A setting (the spend limits): written by the settings setters before the change is applied,
   * in place of upstream's `settings:<id>`, and by nothing else.
   */
  readonly setting?: boolean;
}

export interface WarmRules {
  readonly records?: readonly KeptRecord[];
  /** A finished warm was recorded (history, percentages, last error). */
  readonly warmRecorded?: (
    state: CacheWarmingState,
    attempt: WarmAttempt,
    trigger: WarmTrigger,
    now: number,
  ) => CacheWarmingState;
  /** A turn started; `state` is already marked active. */
  readonly turnStarted?: (state: CacheWarmingState, now: number) => CacheWarmingState;
  /** A turn settled; `state` is idle again, with the turn's context and model. */
  readonly turnSettled?: (state: CacheWarmingState) => CacheWarmingState;
  /** Settings were applied: warming was just switched on, or the spend limits changed. */
  readonly settingsChanged?: (
    state: CacheWarmingState,
    change: { readonly enabling: boolean; readonly limitsChanged: boolean },
  ) => CacheWarmingState;
  // What the rules show: the surface asks them when it builds a conversation's spec.
  /** Stat fields after the core's, before `Last refusal`. */
  readonly statFields?: (state: CacheWarmingState) => readonly SurfaceField[];
  /** Keys added to the `cache-warming-timer` payload. */
  readonly timerKeys?: (state: CacheWarmingState) => object;
  /** The Schedule stat's words for a pause this rule made; undefined when it is not its own. */
  readonly describePause?: (state: CacheWarmingState) => string | undefined;
  /** Surface actions by id, beside the core's (`toggle`, `set-interval`, `warm-now`). */
  readonly actions?: Readonly<Record<string, RuleAction>>;
}

/** One rule set that runs each of `rules` in turn. */
export function combineRules(...rules: readonly WarmRules[]): WarmRules {
  return {
    records: rules.flatMap((r) => r.records ?? []),
    warmRecorded: (state, attempt, trigger, now) =>
      rules.reduce((s, r) => r.warmRecorded?.(s, attempt, trigger, now) ?? s, state),
    turnStarted: (state, now) => rules.reduce((s, r) => r.turnStarted?.(s, now) ?? s, state),
    turnSettled: (state) => rules.reduce((s, r) => r.turnSettled?.(s) ?? s, state),
    settingsChanged: (state, change) =>
      rules.reduce((s, r) => r.settingsChanged?.(s, change) ?? s, state),
    actions: Object.assign({}, ...rules.map((r) => r.actions)),
    statFields: (state) => rules.flatMap((r) => r.statFields?.(state) ?? []),
    timerKeys: (state) => Object.assign({}, ...rules.map((r) => r.timerKeys?.(state))),
    describePause: (state) => {
      for (const r of rules) {
        const words = r.describePause?.(state);
        if (words !== undefined) return words;
      }
      return undefined;
    },
  };
}

/** The core alone: no rule adds anything. */
export const NO_RULES: WarmRules = Object.freeze({});
