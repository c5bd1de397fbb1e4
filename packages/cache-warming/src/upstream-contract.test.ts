// Pins upstream's public contract (realtradam/dispatch `packages/cache-warming`): every export
// and method upstream has, the call shape it has there and the behaviour upstream documents
// and tests. A change that would break a merge into upstream fails here.

import FakeTimers from "@sinonjs/fake-timers";
import { describe, expect, it } from "vitest";
import {
  buildConversationSpec,
  buildDefaultSpec,
  type CacheWarmer,
  type CacheWarmerDeps,
  type CacheWarmingSurface,
  type ConversationContext,
  type ConversationSettings,
  type ConversationState,
  computeCachePct,
  computeExpectedCacheRate,
  createCacheWarmer,
  createCacheWarmingExtension,
  createCacheWarmingSurface,
  DEFAULT_INTERVAL_MS,
  extension,
  hooks,
  isTokenCurrent,
  MIN_INTERVAL_MS,
  manifest,
  msToSeconds,
  parseIntervalPayload,
  parseSettings,
  secondsToMs,
  serializeSettings,
  services,
  settingsKey,
  shouldWarm,
  type TimerDeps,
} from "./index.js";
import { STANDARD_RULES } from "./modules/index.js";
import type { WarmOptions, WarmOutcome, WarmResult } from "./warm-service.js";

const T0 = 1_000_000;
const USAGE: WarmResult = {
  inputTokens: 1000,
  outputTokens: 10,
  cacheReadTokens: 900,
  cacheWriteTokens: 100,
};

/** Upstream-style deps: a plain object, fake time, numeric timer ids, a recording logger. */
function upstreamDeps(
  warm: CacheWarmerDeps["warm"] = async () => USAGE,
  clock = FakeTimers.createClock(T0),
) {
  const store = new Map<string, string>();
  const timerIds: number[] = [];
  const cleared: number[] = [];
  const timers: TimerDeps = {
    setTimer: (fn, ms) => {
      const id = Number(clock.setTimeout(fn, ms));
      timerIds.push(id);
      return id;
    },
    clearTimer: (id) => {
      cleared.push(id);
      clock.clearTimeout(id);
    },
  };
  const notified: Array<string | undefined> = [];
  const deps = {
    warm,
    storage: {
      get: async (k: string) => store.get(k) ?? null,
      set: async (k: string, v: string) => {
        store.set(k, v);
      },
      delete: async (k: string) => {
        store.delete(k);
      },
      has: async (k: string) => store.has(k),
      keys: async (prefix?: string) =>
        [...store.keys()].filter((k) => prefix === undefined || k.startsWith(prefix)),
    },
    logger: { debug() {}, info() {}, warn() {}, error() {}, child() {}, span() {} },
    timers,
    now: () => clock.now,
    onSurfaceChange: (conversationId?: string) => {
      notified.push(conversationId);
    },
  };
  return { clock, store, deps, notified, timerIds, cleared };
}

describe("upstream's exports", () => {
  it("are all present, with the kinds upstream exports", async () => {
    const pkg: Record<string, unknown> = { ...(await import("./index.js")) };
    const functions = [
      "buildConversationSpec",
      "buildDefaultSpec",
      "computeCachePct",
      "computeExpectedCacheRate",
      "isTokenCurrent",
      "msToSeconds",
      "parseIntervalPayload",
      "parseSettings",
      "secondsToMs",
      "serializeSettings",
      "settingsKey",
      "shouldWarm",
      "createCacheWarmer",
    ] as const;
    for (const name of functions) expect(typeof pkg[name], name).toBe("function");
    expect(pkg.DEFAULT_INTERVAL_MS).toBe(240_000);
    expect(pkg.MIN_INTERVAL_MS).toBe(1000);
    expect(typeof extension.activate).toBe("function");
    expect(pkg.extension).toBe(extension);
    expect(pkg.manifest).toBe(manifest);
  });

  it("keep upstream's type shapes (checked by the compiler)", () => {
    const settings: ConversationSettings = { enabled: true, intervalMs: 1000 };
    const state: ConversationState = {
      ...settings,
      active: false,
      lastPct: null,
      lastExpectedPct: null,
      lastWarmAt: null,
      nextWarmAt: null,
      token: 0,
    };
    const context: ConversationContext = { cwd: "/repo", modelName: "m" };
    const timers: TimerDeps = { setTimer: () => 1, clearTimer: () => {} };
    expect([state.enabled, context.cwd, timers.setTimer(() => {}, 1)]).toEqual([true, "/repo", 1]);
  });
});

describe("upstream's pure functions", () => {
  it("compute the cache numbers as upstream does", () => {
    expect([
      computeCachePct(1000, 800),
      computeCachePct(1000, 1200),
      computeCachePct(1000, -5),
      computeCachePct(0, 5),
      computeCachePct(3, 1),
    ]).toEqual([80, 100, 0, 0, 33]);
    expect([
      computeExpectedCacheRate(800, 200),
      computeExpectedCacheRate(2, 1),
      computeExpectedCacheRate(0, 0),
      computeExpectedCacheRate(0, 7),
    ]).toEqual([80, 67, 0, 0]);
  });

  it("decide a warm by enabled, idle and the current token", () => {
    const base: ConversationState = {
      enabled: true,
      intervalMs: 1000,
      active: false,
      lastPct: null,
      lastExpectedPct: null,
      lastWarmAt: null,
      nextWarmAt: null,
      token: 3,
    };
    expect(shouldWarm(base, 3)).toBe(true);
    expect(shouldWarm({ ...base, enabled: false }, 3)).toBe(false);
    expect(shouldWarm({ ...base, active: true }, 3)).toBe(false);
    expect(shouldWarm(base, 4)).toBe(false);
    expect([isTokenCurrent(2, 2), isTokenCurrent(2, 3)]).toEqual([true, false]);
  });

  it("read and write settings in upstream's format, under upstream's key", () => {
    expect(settingsKey("c-1")).toBe("settings:c-1");
    expect(serializeSettings({ enabled: true, intervalMs: 60_000 })).toBe(
      '{"enabled":true,"intervalMs":60000}',
    );
    expect(parseSettings('{"enabled":true,"intervalMs":60000}')).toEqual({
      enabled: true,
      intervalMs: 60_000,
    });
    const defaults = { enabled: false, intervalMs: DEFAULT_INTERVAL_MS };
    expect(parseSettings(null)).toEqual(defaults);
    expect(parseSettings("{oops")).toEqual(defaults);
    expect(parseSettings('"text"')).toEqual(defaults);
    expect(parseSettings('{"enabled":true,"intervalMs":-1}')).toEqual({
      enabled: true,
      intervalMs: MIN_INTERVAL_MS,
    });
    expect(parseSettings('{"enabled":1,"intervalMs":1500.6}')).toEqual({
      enabled: false,
      intervalMs: 1501,
    });
    expect(parseSettings('{"intervalMs":null}')).toEqual(defaults);
  });

  it("convert seconds and read the interval payload as upstream does", () => {
    expect([msToSeconds(1500), msToSeconds(240_000), msToSeconds(0)]).toEqual([2, 240, 0]);
    expect([secondsToMs(2.5), secondsToMs(0.2), secondsToMs(0), secondsToMs(Number.NaN)]).toEqual([
      2500,
      MIN_INTERVAL_MS,
      null,
      null,
    ]);
    expect([
      parseIntervalPayload(45),
      parseIntervalPayload({ value: 0.5 }),
      parseIntervalPayload(-1),
      parseIntervalPayload("45"),
      parseIntervalPayload({ value: "45" }),
      parseIntervalPayload(undefined),
    ]).toEqual([45, 0.5, null, null, null, null]);
  });

  it("build upstream's five-field spec and its no-conversation spec", () => {
    expect(buildConversationSpec(false, 90_000, null, 40, 7, null)).toEqual({
      id: "cache-warming",
      region: "side",
      title: "Cache Warming",
      fields: [
        {
          kind: "toggle",
          label: "Enabled",
          value: false,
          action: { actionId: "cache-warming/toggle" },
        },
        {
          kind: "number",
          label: "Refresh Interval",
          value: 90,
          min: 1,
          step: 1,
          unit: "s",
          action: { actionId: "cache-warming/set-interval" },
        },
        { kind: "stat", label: "Last Cache %", value: "—" },
        { kind: "stat", label: "Cache retention", value: "40%" },
        {
          kind: "custom",
          rendererId: "cache-warming-timer",
          payload: { nextWarmAt: 7, lastWarmAt: null },
        },
      ],
    });
    expect(buildDefaultSpec()).toEqual({
      id: "cache-warming",
      region: "side",
      title: "Cache Warming",
      fields: [{ kind: "stat", label: "Status", value: "No conversation focused" }],
    });
  });
});

describe("upstream's warmer methods", () => {
  it("setEnabled and setIntervalMs resolve with the stored settings; the interval is clamped", async () => {
    const { deps, store } = upstreamDeps();
    const warmer = createCacheWarmer(deps);
    expect(await warmer.setEnabled("c", true)).toEqual({ enabled: true, intervalMs: 240_000 });
    expect(await warmer.setIntervalMs("c", 400)).toEqual({ enabled: true, intervalMs: 1000 });
    expect(await warmer.setIntervalMs("c", Number.NaN)).toEqual({
      enabled: true,
      intervalMs: 1000,
    });
    expect(await warmer.setIntervalMs("c", 61_234.4)).toEqual({
      enabled: true,
      intervalMs: 61_234,
    });
    expect(store.get("settings:c")).toBe('{"enabled":true,"intervalMs":61234}');
  });

  it("onTurnSettled arms and notifies synchronously, with the new time already visible", async () => {
    const { deps, clock, notified } = upstreamDeps();
    const warmer = createCacheWarmer(deps);
    await warmer.setEnabled("c", true);
    clock.tick(5_000);
    const seen: Array<number | null> = [];
    deps.onSurfaceChange = () => {
      seen.push(warmer.getState("c").nextWarmAt);
    };
    void warmer.onTurnSettled("c", { cwd: "/w", modelName: "m1" });
    expect(seen).toEqual([T0 + 5_000 + 240_000]);
    expect(warmer.getContext("c")).toEqual({ cwd: "/w", modelName: "m1" });
    expect(notified).toEqual(["c"]);
  });

  it("onTurnStarted cancels the pending warm through clearTimer with the id setTimer gave", async () => {
    const { deps, clock, timerIds, cleared } = upstreamDeps();
    let calls = 0;
    deps.warm = async () => {
      calls += 1;
      return USAGE;
    };
    const warmer = createCacheWarmer(deps);
    await warmer.setEnabled("c", true);
    const armedId = timerIds.at(-1);
    warmer.onTurnStarted("c");
    expect(cleared).toContain(armedId);
    expect(warmer.getState("c")).toMatchObject({ active: true, nextWarmAt: null });
    await clock.tickAsync(240_000 * 3);
    expect(calls).toBe(0);
  });

  it("the timer's warm calls the service with the settled turn's context", async () => {
    const calls: Array<[string, WarmOptions | undefined]> = [];
    const { deps, clock } = upstreamDeps(async (id, opts) => {
      calls.push([id, opts]);
      return USAGE;
    });
    const warmer = createCacheWarmer(deps);
    await warmer.setEnabled("c", true);
    await warmer.onTurnSettled("c", { cwd: "/w", modelName: "m1" });
    await clock.tickAsync(240_000);
    expect(calls).toEqual([["c", { cwd: "/w", modelName: "m1" }]]);
    expect(warmer.getState("c")).toMatchObject({
      lastPct: 90,
      lastExpectedPct: 90,
      lastWarmAt: T0 + 240_000,
      nextWarmAt: T0 + 480_000,
    });
  });

  it("onWarmCompleted records, re-arms from now and notifies once; a generating conversation drops it", async () => {
    const { deps, clock, notified } = upstreamDeps();
    const warmer = createCacheWarmer(deps);
    await warmer.setEnabled("c", true);
    await warmer.onTurnSettled("c");
    clock.tick(7_000);
    notified.length = 0;
    warmer.onWarmCompleted({ conversationId: "c", usage: USAGE });
    expect(warmer.getState("c")).toMatchObject({
      lastPct: 90,
      lastWarmAt: T0 + 7_000,
      nextWarmAt: T0 + 7_000 + 240_000,
    });
    expect(notified).toEqual(["c"]);

    warmer.onTurnStarted("c");
    notified.length = 0;
    warmer.onWarmCompleted({ conversationId: "c", usage: { ...USAGE, cacheReadTokens: 0 } });
    expect(warmer.getState("c")).toMatchObject({ lastPct: 90, nextWarmAt: null });
    expect(notified).toEqual([]);
  });

  it("onConversationClosed stops, turns warming off in memory at once, and persists it off", async () => {
    const { deps, clock, store } = upstreamDeps();
    let calls = 0;
    deps.warm = async () => {
      calls += 1;
      return USAGE;
    };
    const warmer = createCacheWarmer(deps);
    await warmer.setEnabled("c", true);
    const closing = warmer.onConversationClosed("c");
    expect(warmer.getState("c")).toMatchObject({ enabled: false, nextWarmAt: null });
    void warmer.onTurnSettled("c");
    expect(warmer.getState("c").nextWarmAt).toBeNull();
    await closing;
    expect(JSON.parse(store.get("settings:c") ?? "null")).toEqual({
      enabled: false,
      intervalMs: 240_000,
    });
    await clock.tickAsync(240_000 * 2);
    expect(calls).toBe(0);
  });

  it("dispose cancels every pending warm", async () => {
    const { deps, clock } = upstreamDeps();
    let calls = 0;
    deps.warm = async () => {
      calls += 1;
      return USAGE;
    };
    const warmer = createCacheWarmer(deps);
    await warmer.setEnabled("a", true);
    await warmer.setEnabled("b", true);
    warmer.dispose();
    await clock.tickAsync(240_000 * 2);
    expect(calls).toBe(0);
  });

  it("reads upstream's persisted settings on first use", async () => {
    const { deps, store } = upstreamDeps();
    store.set("settings:c", '{"enabled":true,"intervalMs":30000}');
    const warmer = createCacheWarmer(deps);
    expect(warmer.getState("c").intervalMs).toBe(240_000);
    await warmer.onTurnSettled("c");
    expect(warmer.getState("c")).toMatchObject({
      enabled: true,
      intervalMs: 30_000,
      nextWarmAt: T0 + 30_000,
    });
  });
});

describe("a warm is recorded exactly once, whichever way its completion arrives", () => {
  type Emit = (conversationId: string, usage: WarmResult) => void;
  /** A warm service like upstream's: answers, and (optionally) reports `warmCompleted`. */
  function service(
    mode: "emits-before-answering" | "emits-after-answering" | "silent",
    later: (fn: () => void) => void,
  ) {
    let emit: Emit = () => {};
    let calls = 0;
    const warm = async (conversationId: string): Promise<WarmOutcome> => {
      calls += 1;
      await Promise.resolve();
      const usage: WarmResult = { ...USAGE };
      if (mode === "emits-before-answering") emit(conversationId, usage);
      // An event bus that queues: the event lands after the warmer has the answer.
      if (mode === "emits-after-answering") later(() => emit(conversationId, usage));
      return usage;
    };
    return {
      warm,
      calls: () => calls,
      connect(warmer: CacheWarmer) {
        emit = (conversationId, usage) => warmer.onWarmCompleted({ conversationId, usage });
      },
    };
  }

  for (const mode of ["emits-before-answering", "emits-after-answering", "silent"] as const) {
    it(`when the service ${mode}: automatic and manual warms count once`, async () => {
      const clock = FakeTimers.createClock(T0);
      const svc = service(mode, (fn) => clock.setTimeout(fn, 0));
      const { deps, notified } = upstreamDeps(svc.warm, clock);
      const warmer = createCacheWarmer(deps);
      svc.connect(warmer);
      await warmer.setEnabled("c", true);
      await warmer.onTurnSettled("c");

      notified.length = 0;
      await clock.tickAsync(240_000);
      // The fire, then the one record of its result: one automatic warm in the history.
      expect(notified).toEqual(["c", "c"]);
      expect(warmer.getState("c").history.map((entry) => entry.trigger)).toEqual(["auto"]);
      expect(warmer.getState("c")).toMatchObject({
        lastWarmAt: T0 + 240_000,
        nextWarmAt: T0 + 480_000,
      });

      clock.tick(10_000);
      notified.length = 0;
      const result = await warmer.warmNow("c");
      await clock.tickAsync(0);
      expect(result).toMatchObject({ ok: true, lastWarmAt: T0 + 250_000 });
      expect(notified).toEqual(["c"]);
      expect(warmer.getState("c").history.map((entry) => entry.trigger)).toEqual([
        "auto",
        "manual",
      ]);
      expect(warmer.getState("c")).toMatchObject({
        lastWarmAt: T0 + 250_000,
        nextWarmAt: T0 + 250_000 + 240_000,
      });
      expect(svc.calls()).toBe(2);
    });
  }

  it("a warm somebody else started, finishing while the warmer's own is in flight, is recorded too", async () => {
    let answer: (usage: WarmResult) => void = () => {};
    const { deps, clock, notified } = upstreamDeps(
      () =>
        new Promise<WarmOutcome>((resolve) => {
          answer = resolve;
        }),
    );
    const warmer = createCacheWarmer(deps);
    await warmer.setEnabled("c", true);
    const own = warmer.warmNow("c");
    await clock.tickAsync(0);
    clock.tick(1_000);
    warmer.onWarmCompleted({ conversationId: "c", usage: { ...USAGE, cacheReadTokens: 500 } });
    expect(warmer.getState("c").lastWarmAt).toBeNull();
    notified.length = 0;
    clock.tick(1_000);
    answer({ ...USAGE });
    await own;
    // Two warms happened: the warmer's own and the other one, each recorded once.
    expect(notified).toEqual(["c", "c"]);
    expect(warmer.getState("c")).toMatchObject({ lastPct: 50, lastWarmAt: T0 + 2_000 });
  });

  it("a late completion that is not the warmer's own result is recorded as another warm", async () => {
    const { deps, clock, notified } = upstreamDeps();
    const warmer = createCacheWarmer(deps);
    await warmer.setEnabled("c", true);
    await warmer.warmNow("c");
    clock.tick(3_000);
    notified.length = 0;
    warmer.onWarmCompleted({ conversationId: "c", usage: { ...USAGE } });
    expect(notified).toEqual(["c"]);
    expect(warmer.getState("c").lastWarmAt).toBe(T0 + 3_000);
  });
});

describe("upstream's extension wiring", () => {
  /** A host like upstream's kernel: a bus that calls handlers synchronously, services by id. */
  function fakeHost(warmService: { warm: CacheWarmerDeps["warm"] }) {
    const handlers = new Map<string, Array<(payload: unknown) => void>>();
    const provided = new Map<string, unknown>();
    const registered: unknown[] = [];
    const store = new Map<string, string>();
    provided.set("session-orchestrator/warm", warmService);
    provided.set("surface-registry/registry", {
      register: (provider: unknown) => {
        registered.push(provider);
        return () => {};
      },
    });
    const host = {
      on: <T>(hook: { id: string }, handler: (payload: T) => void | Promise<void>) => {
        const list = handlers.get(hook.id) ?? [];
        list.push(handler as (payload: unknown) => void);
        handlers.set(hook.id, list);
        return () => {};
      },
      getService: <T>(handle: { id: string }) => provided.get(handle.id) as T,
      provideService: <T>(handle: { id: string }, impl: T) => {
        provided.set(handle.id, impl);
      },
      storage: (namespace: string) => ({
        get: async (k: string) => store.get(`${namespace}/${k}`) ?? null,
        set: async (k: string, v: string) => {
          store.set(`${namespace}/${k}`, v);
        },
      }),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    };
    const emit = (id: string, payload: unknown) => {
      for (const handler of handlers.get(id) ?? []) handler(payload);
    };
    return { host, emit, provided, registered, store };
  }

  it("declares upstream's manifest and listens on upstream's hook ids", () => {
    expect(manifest).toMatchObject({
      id: "cache-warming",
      name: "Cache Warming",
      apiVersion: "^0.1.0",
      trust: "bundled",
      activation: "eager",
      dependsOn: ["session-orchestrator", "surface-registry"],
    });
    expect(manifest.contributes.services).toContain("cache-warming/surface");
    expect(extension.manifest).toBe(manifest);
    expect(Object.values(hooks).map((hook) => hook.id)).toEqual([
      "session-orchestrator/turn-started",
      "session-orchestrator/turn-settled",
      "session-orchestrator/warm-completed",
      "session-orchestrator/conversation-closed",
    ]);
    expect(services.warm.id).toBe("session-orchestrator/warm");
    expect(services.surfaceRegistry.id).toBe("surface-registry/registry");
  });

  it("says it registered, pushes the surface on changes, and records warms finished elsewhere", async () => {
    const clock = FakeTimers.createClock(T0);
    const bus = fakeHost({ warm: async () => USAGE });
    const said: string[] = [];
    const host = { ...bus.host, logger: { ...bus.host.logger, info: (m: string) => said.push(m) } };
    createCacheWarmingExtension({
      now: () => clock.now,
      timers: {
        setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
        clearTimer: (id) => clock.clearTimeout(id),
      },
    }).activate(host);
    expect(said).toEqual(["cache-warming: registered"]);
    const surface = bus.registered[0] as {
      subscribe(onChange: (conversationId?: string) => void): () => void;
    };
    const changed: Array<string | undefined> = [];
    surface.subscribe((conversationId) => changed.push(conversationId));
    bus.emit("session-orchestrator/turn-settled", {
      conversationId: "c1",
      cwd: "/r",
      modelName: "m",
    });
    await clock.tickAsync(0);
    expect(changed).toContain("c1");
    const warmer = bus.provided.get(services.warmer.id) as ReturnType<typeof createCacheWarmer>;
    expect(warmer.getContext("c1")).toEqual({ cwd: "/r", modelName: "m" });
    bus.emit("session-orchestrator/warm-completed", { conversationId: "c1", usage: USAGE });
    expect(warmer.getState("c1").history).toHaveLength(1);
  });

  it("warms on the bus's turn events, records its own warm once though the service emits it, and stops on close", async () => {
    const clock = FakeTimers.createClock(T0);
    const calls: Array<[string, WarmOptions | undefined]> = [];
    let bus: ReturnType<typeof fakeHost> | null = null;
    const warmService = {
      async warm(conversationId: string, opts?: WarmOptions): Promise<WarmOutcome> {
        calls.push([conversationId, opts]);
        const usage = { ...USAGE };
        bus?.emit("session-orchestrator/warm-completed", { conversationId, usage });
        return usage;
      },
    };
    bus = fakeHost(warmService);
    createCacheWarmingExtension({
      now: () => clock.now,
      timers: {
        setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
        clearTimer: (id) => clock.clearTimeout(id),
      },
    }).activate(bus.host);

    const warmer = bus.provided.get(services.warmer.id) as CacheWarmer;
    const surface = bus.registered[0] as {
      catalogEntry: { id: string; scope?: string };
      getSpec(ctx?: { conversationId?: string }): unknown;
      subscribe(onChange: (conversationId?: string) => void): () => void;
    };
    expect(surface.catalogEntry).toMatchObject({ id: "cache-warming", scope: "conversation" });
    const changed: Array<string | undefined> = [];
    surface.subscribe((conversationId) => changed.push(conversationId));

    await warmer.setEnabled("c", true);
    bus.emit("session-orchestrator/turn-started", { conversationId: "c" });
    expect(warmer.getState("c").nextWarmAt).toBeNull();
    bus.emit("session-orchestrator/turn-settled", {
      conversationId: "c",
      cwd: "/w",
      modelName: "m",
    });
    expect(warmer.getState("c").nextWarmAt).toBe(T0 + 240_000);

    await clock.tickAsync(240_000);
    expect(calls).toEqual([["c", { cwd: "/w", modelName: "m" }]]);
    expect(warmer.getState("c").history.map((entry) => entry.trigger)).toEqual(["auto"]);
    expect(warmer.getState("c").lastWarmAt).toBe(T0 + 240_000);
    expect(changed.every((id) => id === "c")).toBe(true);
    expect(bus.store.get("cache-warming/settings:c")).toBe('{"enabled":true,"intervalMs":240000}');

    bus.emit("session-orchestrator/conversation-closed", { conversationId: "c" });
    expect(warmer.getState("c")).toMatchObject({ enabled: false, nextWarmAt: null });
    await clock.tickAsync(240_000 * 2);
    expect(calls).toHaveLength(1);
  });

  it("composes the core alone: warms every interval for as long as it idles, unless the host opts into the spend guard", async () => {
    async function warmsInAnIdleDay(options?: Parameters<typeof createCacheWarmingExtension>[1]) {
      const clock = FakeTimers.createClock(T0);
      let calls = 0;
      const bus = fakeHost({
        async warm() {
          calls += 1;
          return USAGE;
        },
      });
      const timers = {
        setTimer: (fn: () => void, ms: number) => Number(clock.setTimeout(fn, ms)),
        clearTimer: (id: number) => clock.clearTimeout(id),
      };
      createCacheWarmingExtension({ now: () => clock.now, timers }, options).activate(bus.host);
      const warmer = bus.provided.get(services.warmer.id) as CacheWarmer;
      await warmer.setEnabled("c", true);
      bus.emit("session-orchestrator/turn-settled", { conversationId: "c" });
      await clock.tickAsync(24 * 60 * 60 * 1000);
      const surface = bus.registered[0] as CacheWarmingSurface;
      const stats = surface
        .getSpec({ conversationId: "c" })
        .fields.flatMap((f) => (f.kind === "stat" ? [f.label] : []));
      return { calls, status: warmer.getState("c").pausedBy, stats: stats.slice(-3) };
    }
    // As upstream's: a warm every 240 s all day long (360 of them).
    expect(await warmsInAnIdleDay()).toEqual({
      calls: 360,
      status: null,
      stats: ["Last error", "Model", "Last refusal"],
    });
    // Opted in: the idle cap (15) pauses the schedule until the next turn, and the surface
    // shows what the rules add.
    expect(await warmsInAnIdleDay({ rules: STANDARD_RULES })).toEqual({
      calls: 15,
      status: "idle-cap",
      stats: ["Model", "Warming cost", "Last refusal"],
    });
  });
});

describe("upstream's WebSocket transport as a consumer of the provider", () => {
  /**
   * Upstream's transport-ws, in short: on subscribe it sends `getSpec(ctx)` as it is (a
   * Promise would serialize to `{}`, which the web drops), re-sends `getSpec(ctx)` on every
   * `onChange`, and calls `invoke` swallowing a rejection.
   */
  function upstreamTransport(provider: {
    getSpec(ctx?: { conversationId?: string }): unknown;
    invoke(actionId: string, payload?: unknown, ctx?: { conversationId?: string }): unknown;
    subscribe(onChange: () => void): () => void;
  }) {
    const frames: Array<{ type: string; spec: unknown }> = [];
    const frame = (type: string, ctx: { conversationId: string }) =>
      frames.push({ type, spec: JSON.parse(JSON.stringify(provider.getSpec(ctx))) as unknown });
    return {
      frames,
      subscribe(conversationId: string) {
        frame("surface", { conversationId });
        provider.subscribe(() => frame("update", { conversationId }));
      },
      invoke(conversationId: string, actionId: string, payload?: unknown) {
        const result = provider.invoke(actionId, payload, { conversationId });
        if (result instanceof Promise) result.catch(() => {});
      },
    };
  }

  function activated(stored: Record<string, string> = {}) {
    const clock = FakeTimers.createClock(T0);
    const registered: unknown[] = [];
    const store = new Map(Object.entries(stored));
    const provided = new Map<string, unknown>([
      ["session-orchestrator/warm", { warm: async () => USAGE }],
      ["surface-registry/registry", { register: (p: unknown) => registered.push(p) }],
    ]);
    createCacheWarmingExtension({
      now: () => clock.now,
      timers: {
        setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
        clearTimer: (id) => clock.clearTimeout(id),
      },
    }).activate({
      on: () => () => {},
      getService: <T>(handle: { id: string }) => provided.get(handle.id) as T,
      provideService: (handle, impl) => provided.set(handle.id, impl),
      storage: () => ({
        get: async (k: string) => store.get(k) ?? null,
        set: async (k: string, v: string) => {
          store.set(k, v);
        },
      }),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const transport = upstreamTransport(registered[0] as Parameters<typeof upstreamTransport>[0]);
    return { clock, transport };
  }

  const fieldsOf = (spec: unknown) => (spec as { fields?: Array<Record<string, unknown>> }).fields;
  const statOf = (spec: unknown, label: string) =>
    fieldsOf(spec)?.find((f) => f.kind === "stat" && f.label === label)?.value;

  it("sends a full spec as the first frame for a conversation never seen", async () => {
    const { clock, transport } = activated();
    transport.subscribe("3f6c1f1e-8a2b-4c3d-9e4f-5a6b7c8d9e0f");
    const [first] = transport.frames;
    expect(fieldsOf(first?.spec)?.slice(0, 2)).toMatchObject([
      { kind: "toggle", value: false },
      { kind: "number", value: 240 },
    ]);
    await clock.tickAsync(0);
    // Its (absent) settings are read: one update with the same defaults, no longer loading.
    expect(transport.frames.map((f) => f.type)).toEqual(["surface", "update"]);
    expect(statOf(transport.frames[1]?.spec, "Schedule")).toBe("Off");
  });

  it("sends a full spec first for a conversation stored before a restart, then its settings", async () => {
    const { clock, transport } = activated({
      "settings:c": JSON.stringify({ enabled: true, intervalMs: 60_000 }),
    });
    transport.subscribe("c");
    expect(statOf(transport.frames[0]?.spec, "Schedule")).toBe("Loading settings…");
    // Upstream's five, Warm now, Schedule, Last error, Model, Last refusal: the core's own.
    expect(fieldsOf(transport.frames[0]?.spec)).toHaveLength(10);
    await clock.tickAsync(0);
    expect(fieldsOf(transport.frames.at(-1)?.spec)?.slice(0, 2)).toMatchObject([
      { kind: "toggle", value: true },
      { kind: "number", value: 60 },
    ]);
  });

  it("makes a refused invoke visible in the next pushed spec, though the transport drops the error", async () => {
    const { clock, transport } = activated();
    transport.subscribe("c");
    await clock.tickAsync(0);
    transport.invoke("c", "cache-warming/set-interval", { value: -5 });
    await clock.tickAsync(0);
    expect(statOf(transport.frames.at(-1)?.spec, "Last refusal")).toBe(
      "cache-warming/set-interval: interval must be at least 1 s",
    );
    transport.invoke("c", "cache-warming/frobnicate");
    await clock.tickAsync(0);
    expect(statOf(transport.frames.at(-1)?.spec, "Last refusal")).toMatch(/unknown action/);
  });
});

describe("upstream's surface provider interface", () => {
  it("has catalogEntry, getSpec(ctx?), invoke(actionId, payload, ctx) and subscribe", async () => {
    const { deps } = upstreamDeps();
    const warmer = createCacheWarmer(deps);
    const surface = createCacheWarmingSurface(warmer, deps.now);
    deps.onSurfaceChange = (id) => surface.notifyChanged(id);
    const changes: Array<string | undefined> = [];
    const unsubscribe = surface.subscribe((id) => changes.push(id));

    expect(surface.catalogEntry).toEqual({
      id: "cache-warming",
      region: "side",
      title: "Cache Warming",
      scope: "conversation",
    });
    expect(surface.getSpec()).toEqual(buildDefaultSpec());
    await surface.invoke("cache-warming/toggle", undefined, { conversationId: "c" });
    await surface.invoke("cache-warming/set-interval", { value: 90 }, { conversationId: "c" });
    const spec = surface.getSpec({ conversationId: "c" });
    expect(spec.fields.slice(0, 2)).toMatchObject([
      { kind: "toggle", value: true },
      { kind: "number", value: 90 },
    ]);
    expect(changes).toEqual(["c", "c"]);
    unsubscribe();
    await surface.invoke("cache-warming/toggle", false, { conversationId: "c" });
    expect(changes).toHaveLength(2);
  });
});
