// The warmer's memory: one record per conversation it knows, the model facts of its context,
// which ones have warming enabled, and (when the host passes `mayForget`) forgetting idle ones.
import { economicsFor, type ModelEconomics } from "./model-cache.js";
import type { ConversationContext } from "./pure.js";
import {
  type CacheWarmingState,
  DEFAULT_CACHE_TTL_MS,
  settingsOf,
  spendLimitsOf,
} from "./state.js";
import { initialState } from "./transitions.js";
import type { WarmResult } from "./warm-service.js";
import {
  type CacheWarmerDeps,
  DEFAULT_MANUAL_WARM_MIN_GAP_MS,
  type WarmNowResult,
} from "./warmer.js";

/** A warm the warmer started, from the call until its answer is recorded. */
export interface Flight {
  readonly done: Promise<WarmNowResult>;
  /** What this warm replays; a good manual warm makes it the context of later ones. */
  readonly context: ConversationContext;
  /** Completion events that arrived while it was in flight (its own echo among them?). */
  readonly heldCompletions: WarmResult[];
  /** Ends the provider call early (close, dispose). */
  abandon: (() => void) | null;
}

export interface Conversation {
  readonly id: string;
  state: CacheWarmingState;
  timerId: number | null;
  flight: Flight | null;
  /** The answer of the warmer's last own warm, until its completion event is seen. */
  unechoedResult: WarmResult | null;
  settingsLoad: Promise<void> | null;
  settingsLoaded: boolean;
  lastManualWarmAt: number | null;
  /** The schedule record last written (or being written), to skip writes that change nothing. */
  persistedSchedule: string | null;
  /** Retries dropping an idle conversation once its manual-warm gap has passed. */
  releaseTimerId: number | null;
  /** Each kept record (`WarmRules.records`) as last read or written, to skip writes that change nothing. */
  persistedRecords: (string | null)[];
  /** When the stored schedule said the next warm was due (read with the settings). */
  storedNextWarmAt: number | null;
}

export interface Conversations {
  get(id: string): Conversation | undefined;
  /** The record for `id`, created when new (and kept, unless the warmer is shut down). */
  open(id: string): Conversation;
  /** Still the record memory holds for its id (not closed, released or replaced). */
  isCurrent(c: Conversation): boolean;
  /**
   * Forgets a closed conversation's runtime state (a warm in flight is abandoned); settings
   * read before stay visible, with warming off.
   */
  close(id: string): void;
  /** The conversation's state, or a fresh one's for an id memory does not hold. */
  stateOf(id: string): CacheWarmingState;
  all(): IterableIterator<Conversation>;
  clear(): void;
  readonly size: number;
  /** Conversations with warming enabled (or an enable on its way to storage). */
  readonly enabledCount: number;
  /** Keeps the count of enabled conversations in step with `c`'s state. */
  trackEnabled(c: Conversation): void;
  /** Counts an enable from the moment it is asked for, so racing enables cannot pass a cap. */
  reserveEnabled(id: string): void;
  /** Prices and cache lifetime of the model a context names (or of the default model). */
  economicsOf(context: ConversationContext): ModelEconomics;
  /** The context automatic warms replay, and what its model costs. */
  setContext(c: Conversation, context: ConversationContext): void;
  /** Drops `c` when nothing runs and the host's `mayForget` says it holds nothing to keep. */
  releaseIfIdle(c: Conversation): void;
}

export function createConversations(
  deps: CacheWarmerDeps,
  isShutDown: () => boolean,
): Conversations {
  const records = new Map<string, Conversation>();
  const enabledIds = new Set<string>();
  const prices = deps.prices ?? {};
  const defaultCacheTtlMs = deps.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const noModel = economicsFor(prices, deps.defaultModel, defaultCacheTtlMs);
  const isCurrent = (c: Conversation) => records.get(c.id) === c;

  function economicsOf(ctx: ConversationContext): ModelEconomics {
    return ctx.modelName === undefined
      ? noModel
      : economicsFor(prices, ctx.modelName, defaultCacheTtlMs);
  }

  function releaseIfIdle(c: Conversation): void {
    const { mayForget } = deps;
    if (!mayForget || !isCurrent(c) || !c.settingsLoaded) return;
    if (c.timerId !== null || c.flight !== null || !mayForget(c.id, c.state)) return;
    // Its manual-warm rate limit must outlive it, or forgetting would lift the limit: try
    // again once the gap has passed.
    const gap = deps.manualWarmMinGapMs ?? DEFAULT_MANUAL_WARM_MIN_GAP_MS;
    const wait = c.lastManualWarmAt === null ? 0 : c.lastManualWarmAt + gap - deps.now();
    if (wait > 0) {
      if (c.releaseTimerId === null) {
        c.releaseTimerId = deps.timers.setTimer(() => {
          c.releaseTimerId = null;
          releaseIfIdle(c);
        }, wait);
      }
      return;
    }
    records.delete(c.id);
  }

  function open(id: string): Conversation {
    let c = records.get(id);
    if (!c) {
      c = {
        id,
        state: initialState(undefined, undefined, economicsOf({})),
        timerId: null,
        flight: null,
        unechoedResult: null,
        settingsLoad: null,
        settingsLoaded: false,
        lastManualWarmAt: null,
        persistedSchedule: null,
        releaseTimerId: null,
        // Stryker disable next-line ArrayDeclaration: an entry no record equals is the same as none
        persistedRecords: [],
        storedNextWarmAt: null,
      };
      if (!isShutDown()) records.set(id, c);
    }
    return c;
  }

  return {
    get: (id) => records.get(id),
    open,
    isCurrent,
    close(id) {
      const c = records.get(id);
      if (!c) return;
      records.delete(id);
      enabledIds.delete(id);
      c.flight?.abandon?.();
      if (!c.settingsLoaded || isShutDown()) return;
      const reopened = open(id);
      reopened.state = initialState(
        { ...settingsOf(c.state), enabled: false },
        spendLimitsOf(c.state),
        economicsOf({}),
      );
      reopened.settingsLoaded = true;
    },
    stateOf: (id) => records.get(id)?.state ?? initialState(undefined, undefined, economicsOf({})),
    all: () => records.values(),
    clear() {
      records.clear();
      enabledIds.clear();
    },
    get size() {
      return records.size;
    },
    get enabledCount() {
      return enabledIds.size;
    },
    trackEnabled(c) {
      if (c.state.enabled && isCurrent(c)) enabledIds.add(c.id);
      else enabledIds.delete(c.id);
    },
    reserveEnabled: (id) => enabledIds.add(id),
    economicsOf,
    setContext(c, context) {
      c.state = { ...c.state, context, economics: economicsOf(context) };
    },
    releaseIfIdle,
  };
}
