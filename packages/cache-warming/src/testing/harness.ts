// A warmer wired to fake time, in-memory storage and a scriptable warm service, observed
// the way the frontend observes it: through the specs pushed after each change.
import { createMemoryStorage } from "@dispatch/kv-storage";
import type { SurfaceSpec } from "@dispatch/ui-contract";
import FakeTimers from "@sinonjs/fake-timers";
import {
  buildCacheWarmingSpec,
  type CacheWarmerDeps,
  createCacheWarmer,
  createCacheWarmingSurface,
  type SettingsStorage,
  TIMER_RENDERER_ID,
  type TimerPayload,
} from "../index.js";
import {
  createWarmBudget,
  DEFAULT_PRICES,
  forgetUnwatched,
  type LedgerTimerKeys,
  type MemoryReleaseOptions,
  STANDARD_RULES,
  type WarmBudgetOptions,
} from "../modules/index.js";
import type { WarmOptions, WarmOutcome, WarmResult } from "../warm-service.js";

export const START = Date.UTC(2026, 10, 25, 12, 0, 0);
export const INTERVAL = 240_000;

export const HIT: WarmResult = {
  inputTokens: 1000,
  outputTokens: 1,
  cacheReadTokens: 870,
  cacheWriteTokens: 130,
};
export const MISS: WarmResult = {
  inputTokens: 1000,
  outputTokens: 1,
  cacheReadTokens: 0,
  cacheWriteTokens: 1000,
};

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

interface Pending {
  conversationId: string;
  opts: WarmOptions | undefined;
  resolve(result: WarmOutcome): void;
  reject(error: unknown): void;
}

export interface HarnessOptions {
  storage?: SettingsStorage;
  /** When false, every warm waits until the test answers it via `pending`. */
  autoRespond?: boolean;
  respond?: (conversationId: string) => WarmOutcome | Promise<WarmOutcome>;
  manualWarmMinGapMs?: number;
  warmTimeoutMs?: number;
  /** Epoch-ms the fake clock starts at (default START): a later one plays a restart. */
  start?: number;
  logger?: CacheWarmerDeps["logger"];
  prices?: CacheWarmerDeps["prices"];
  /** Any other deps, as the warmer is created with them (and the global budget's limits). */
  extra?: Partial<
    CacheWarmerDeps &
      Pick<WarmBudgetOptions, "maxWarmsPerMinute" | "maxUsdPerMinute"> &
      MemoryReleaseOptions
  >;
}

export function createHarness(options: HarnessOptions = {}) {
  const clock = FakeTimers.createClock(options.start ?? START);
  const storage = options.storage ?? createMemoryStorage();
  const calls: Array<{ conversationId: string; opts: WarmOptions | undefined }> = [];
  const pending: Pending[] = [];
  let respond = options.respond ?? (() => HIT);

  // Mutable, so a test can swap a dependency after creation (the warmer reads them per call).
  type Deps = CacheWarmerDeps & WarmBudgetOptions & MemoryReleaseOptions;
  const deps: { -readonly [K in keyof Deps]: Deps[K] } = {
    warm(conversationId, opts) {
      calls.push({ conversationId, opts });
      if (options.autoRespond === false) {
        return new Promise((resolve, reject) => {
          pending.push({ conversationId, opts, resolve, reject });
        });
      }
      return Promise.resolve(respond(conversationId));
    },
    storage,
    logger: options.logger ?? silentLogger,
    timers: {
      setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
      clearTimer: (id) => clock.clearTimeout(id),
    },
    now: () => clock.now,
    onSurfaceChange: (conversationId) => {
      if (conversationId !== undefined) pushed.push({ conversationId, spec: spec(conversationId) });
    },
    ...(options.manualWarmMinGapMs === undefined
      ? {}
      : { manualWarmMinGapMs: options.manualWarmMinGapMs }),
    ...(options.warmTimeoutMs === undefined ? {} : { warmTimeoutMs: options.warmTimeoutMs }),
    // As the standalone server warms: every rule, the bundled price table.
    prices: options.prices ?? DEFAULT_PRICES,
    rules: STANDARD_RULES,
    ...options.extra,
  };
  // The global budget reads its limits from `deps` on every warm, so a test may set them later.
  deps.warmGate ??= createWarmBudget(deps);
  // Memory release reads `isObserved` from `deps` on every call too (none: keep everything).
  deps.mayForget ??= forgetUnwatched(deps);
  const warmer = createCacheWarmer(deps);
  const surface = createCacheWarmingSurface(warmer, () => clock.now, deps.rules);
  /** Every spec a subscriber would have received, in order. */
  const pushed: Array<{ conversationId: string; spec: SurfaceSpec }> = [];

  function spec(conversationId: string): SurfaceSpec {
    const rules = deps.rules;
    return buildCacheWarmingSpec(
      warmer.getState(conversationId),
      clock.now,
      rules ? { rules } : {},
    );
  }

  return {
    clock,
    storage,
    deps,
    warmer,
    surface,
    calls,
    pending,
    pushed,
    spec,
    timer: (conversationId: string) => timerOf(spec(conversationId)),
    setResponse(next: (conversationId: string) => WarmOutcome | Promise<WarmOutcome>) {
      respond = next;
    },
    /** Settles a turn with warming enabled: the usual starting point. */
    async enabledAndIdle(conversationId: string) {
      await warmer.setEnabled(conversationId, true);
      await warmer.onTurnSettled(conversationId, { cwd: "/repo", modelName: "m1" });
    },
    /** Lets promise callbacks run without moving fake time. */
    flush: () => clock.tickAsync(0),
  };
}

export function timerOf(spec: SurfaceSpec): TimerPayload & LedgerTimerKeys {
  for (const field of spec.fields) {
    if (field.kind === "custom" && field.rendererId === TIMER_RENDERER_ID) {
      return field.payload as TimerPayload & LedgerTimerKeys;
    }
  }
  throw new Error("spec has no cache-warming-timer field");
}

export function stat(spec: SurfaceSpec, label: string): string | undefined {
  const field = spec.fields.find((f) => f.kind === "stat" && f.label === label);
  return field?.kind === "stat" ? field.value : undefined;
}
