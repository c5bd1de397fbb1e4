// The extension as upstream's host runs it (events and services by upstream's ids), and the
// surface it registers, driven the way upstream's WebSocket transport drives a provider: the
// core alone serves upstream's five fields and the timer's two keys; extras add through hooks.
import { describe, expect, it, vi } from "vitest";
import { createCacheWarmingExtension, extension, hooks, services } from "./extension.js";
import * as entry from "./index.js";
import type { WarmResult } from "./pure.js";

const USAGE: WarmResult = {
  inputTokens: 1000,
  outputTokens: 1,
  cacheReadTokens: 1000,
  cacheWriteTokens: 0,
};

/** Upstream's host, reduced to what the extension uses: a bus, services by id, storage. */
function host() {
  const handlers = new Map<string, (payload: unknown) => void>();
  const provided = new Map<string, unknown>();
  const registered: unknown[] = [];
  const store = new Map<string, string>();
  const warm = vi.fn(async (conversationId: string) => {
    emit(hooks.warmCompleted.id, { conversationId, usage: USAGE });
    return USAGE;
  });
  const available: Record<string, unknown> = {
    [services.warm.id]: { warm },
    [services.surfaceRegistry.id]: { register: (p: unknown) => registered.push(p) },
  };
  function emit(id: string, payload: unknown) {
    handlers.get(id)?.(payload);
  }
  return {
    emit,
    warm,
    registered,
    provided,
    store,
    api: {
      on: (hook: { id: string }, handler: (payload: never) => void) =>
        handlers.set(hook.id, handler as (payload: unknown) => void),
      getService: (handle: { id: string }) => available[handle.id],
      provideService: (handle: { id: string }, impl: unknown) => provided.set(handle.id, impl),
      storage: () => ({
        get: async (key: string) => store.get(key) ?? null,
        set: async (key: string, value: string) => void store.set(key, value),
      }),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    },
  };
}

type Provider = {
  getSpec(ctx?: { conversationId?: string }): {
    fields: Array<{ kind: string; payload?: unknown }>;
  };
  invoke(actionId: string, payload?: unknown, ctx?: { conversationId?: string }): Promise<void>;
  subscribe(onChange: (id?: string) => void): () => void;
};

describe("the extension in upstream's host", () => {
  it("registers the surface and the warmer, and follows the turn events", async () => {
    const h = host();
    extension.activate(h.api as never);
    const surface = h.registered[0] as Provider;
    const warmer = h.provided.get("cache-warming/warmer") as entry.CacheWarmer;
    const changes: Array<string | undefined> = [];
    surface.subscribe((id) => changes.push(id));
    await surface.invoke("cache-warming/toggle", undefined, { conversationId: "c" });
    h.emit(hooks.turnSettled.id, { conversationId: "c", modelName: "m" });
    expect(warmer.getState("c")).toMatchObject({ enabled: true });
    expect(warmer.getContext("c")).toEqual({ modelName: "m" });
    h.emit(hooks.turnStarted.id, { conversationId: "c" });
    expect(warmer.getState("c")).toMatchObject({ active: true, nextWarmAt: null });
    h.emit(hooks.turnSettled.id, { conversationId: "c" });
    expect(await warmer.warmNow("c")).toMatchObject({ ok: true, cachePct: 100 });
    expect(h.warm).toHaveBeenCalledTimes(1);
    h.emit(hooks.conversationClosed.id, { conversationId: "c" });
    expect(warmer.getState("c").enabled).toBe(false);
    expect(changes.every((id) => id === "c")).toBe(true);
    warmer.dispose();
  });

  it("serves upstream's five fields and the timer's two keys when no extra is plugged in", async () => {
    const h = host();
    extension.activate(h.api as never);
    const surface = h.registered[0] as Provider;
    await surface.invoke("cache-warming/set-interval", { value: 30 }, { conversationId: "c" });
    const spec = surface.getSpec({ conversationId: "c" });
    expect(spec.fields.map((f) => f.kind)).toEqual(["toggle", "number", "stat", "stat", "custom"]);
    expect(spec.fields[4]?.payload).toEqual({ nextWarmAt: null, lastWarmAt: null });
    expect(surface.getSpec().fields).toHaveLength(1);
    // Upstream's lenient actions: bad input and unknown actions change nothing.
    await surface.invoke("cache-warming/set-interval", "soon", { conversationId: "c" });
    await surface.invoke("cache-warming/unknown", 1, { conversationId: "c" });
    await surface.invoke("cache-warming/toggle");
    expect(JSON.parse(h.store.get("settings:c") ?? "")).toEqual({
      enabled: false,
      intervalMs: 30_000,
    });
  });

  it("lets extras add to the spec and take actions, upstream's own included", async () => {
    const h = host();
    const seen: unknown[] = [];
    createCacheWarmingExtension({
      hooks: [
        {
          spec: (_id, spec) => ({
            ...spec,
            fields: [...spec.fields, { kind: "stat", label: "Extra", value: "x" }],
          }),
          actions: {
            "cache-warming/toggle": async (_id, payload) => void seen.push(payload),
            // An inherited name is no action of this extra's.
          },
        },
      ],
    }).activate(h.api as never);
    const surface = h.registered[0] as Provider;
    expect(surface.getSpec({ conversationId: "c" }).fields).toHaveLength(6);
    await surface.invoke("cache-warming/toggle", true, { conversationId: "c" });
    await surface.invoke("constructor", true, { conversationId: "c" });
    expect(seen).toEqual([true]);
    expect(h.store.size).toBe(0);
  });
});

describe("the package's entry", () => {
  it("exports upstream's names and the few the core adds, thirty in all", () => {
    const runtime = Object.keys(entry).sort();
    expect(runtime).toEqual([
      "DEFAULT_INTERVAL_MS",
      "MIN_INTERVAL_MS",
      "TIMER_RENDERER_ID",
      "buildConversationSpec",
      "buildDefaultSpec",
      "computeCachePct",
      "computeExpectedCacheRate",
      "createCacheWarmer",
      "createCacheWarmingExtension",
      "createSurfaceProvider",
      "extension",
      "isTokenCurrent",
      "manifest",
      "msToSeconds",
      "parseIntervalPayload",
      "parseSettings",
      "secondsToMs",
      "serializeSettings",
      "settingsKey",
      "shouldWarm",
    ]);
    expect(entry.manifest.contributes.services).toEqual([
      "cache-warming/surface",
      "cache-warming/warmer",
    ]);
  });
});
