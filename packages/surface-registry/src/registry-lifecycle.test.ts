// The registry's lifecycle edges: deferred (coalesced) pushes, providers that build their
// spec asynchronously or fail to, registrations replaced and disposed, listeners removed.
import type { SurfaceSpec } from "@dispatch/ui-contract";
import { describe, expect, it } from "vitest";
import { createSurfaceRegistry, type SurfaceContext, type SurfaceProvider } from "./index.js";

function spec(id: string, label: string): SurfaceSpec {
  return { id, region: "side", title: id, fields: [{ kind: "stat", label, value: "" }] };
}

/** A provider whose spec names the conversation and a version it can bump and announce. */
function versionedSurface(
  id: string,
  scope: "global" | "conversation",
  build: (label: string) => SurfaceSpec | Promise<SurfaceSpec> = (label) => spec(id, label),
) {
  let version = 0;
  let announce: (conversationId?: string) => void = () => {};
  let listening = 0;
  const provider: SurfaceProvider = {
    catalogEntry: { id, region: "side", title: id, scope },
    getSpec: (context: SurfaceContext = {}) =>
      build(`${context.conversationId ?? "global"}@${version}`),
    invoke() {},
    subscribe(onChange) {
      listening += 1;
      announce = onChange;
      return () => {
        listening -= 1;
        announce = () => {};
      };
    },
  };
  return {
    provider,
    change(conversationId?: string) {
      version += 1;
      announce(conversationId);
    },
    listening: () => listening,
  };
}

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    error(message: string, attrs?: { readonly [key: string]: unknown }) {
      lines.push(
        `${message} ${String(attrs?.surfaceId)} ${String((attrs?.err as Error)?.message)}`,
      );
    },
  };
}

const labelOf = (s: SurfaceSpec) => (s.fields[0] as { label: string }).label;

describe("surface registry lifecycle", () => {
  it("defers pushes and sends one update per conversation for changes made in the same turn", async () => {
    const queued: Array<() => void> = [];
    const registry = createSurfaceRegistry(undefined, { defer: (fn) => queued.push(fn) });
    const surface = versionedSurface("s", "conversation");
    registry.register(surface.provider);
    const seen: string[] = [];
    for (const conversationId of ["a", "b", "c"]) {
      await registry.subscribe("s", { conversationId }, (s, ctx) =>
        seen.push(`${ctx.conversationId}=${labelOf(s)}`),
      );
    }
    surface.change("a");
    surface.change("a");
    surface.change("b");
    expect(seen).toEqual([]); // nothing until the deferred flush runs
    expect(queued).toHaveLength(1); // one flush scheduled for the whole batch
    queued.shift()?.();
    expect(seen.sort()).toEqual(["a=a@3", "b=b@3"]);
    // A change naming no conversation reaches everyone, once each, even beside named ones.
    seen.length = 0;
    surface.change("a");
    surface.change();
    expect(queued).toHaveLength(1);
    queued.shift()?.();
    expect(seen.sort()).toEqual(["a=a@5", "b=b@5", "c=c@5"]);
    // The next change schedules a new flush.
    surface.change("c");
    expect(queued).toHaveLength(1);
  });

  it("delivers asynchronously built specs, and logs a spec that fails without losing the subscriber", async () => {
    const logger = recordingLogger();
    const registry = createSurfaceRegistry(logger);
    let fail = false;
    const surface = versionedSurface("s", "conversation", async (label) => {
      if (fail) throw new Error("storage down");
      return spec("s", label);
    });
    registry.register(surface.provider);
    const seen: string[] = [];
    const sub = await registry.subscribe("s", { conversationId: "a" }, (s) =>
      seen.push(labelOf(s)),
    );
    expect(labelOf(sub.spec)).toBe("a@0");
    surface.change("a");
    expect(seen).toEqual([]); // the spec is still being built
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual(["a@1"]);
    fail = true;
    surface.change("a");
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.lines).toEqual(["surface spec failed s storage down"]);
    fail = false;
    surface.change("a");
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["a@1", "a@3"]);
  });

  it("builds a ready provider's spec once per subscriber", async () => {
    const registry = createSurfaceRegistry();
    registry.register(versionedSurface("s", "conversation").provider);
    await registry.subscribe("s", { conversationId: "a" }, () => {});
    expect(registry.specBuilds()).toBe(1);
  });

  it("logs a listener that throws, with the surface it belongs to", async () => {
    const logger = recordingLogger();
    const registry = createSurfaceRegistry(logger);
    const surface = versionedSurface("s", "global");
    registry.register(surface.provider);
    await registry.subscribe("s", {}, () => {
      throw new Error("socket gone");
    });
    surface.change();
    expect(logger.lines).toEqual(["surface listener threw s socket gone"]);
  });

  it("answers a subscriber with the spec built after a slow provider has loaded", async () => {
    const registry = createSurfaceRegistry();
    let loaded = false;
    let builds = 0;
    const provider: SurfaceProvider = {
      catalogEntry: { id: "s", region: "side", title: "s", scope: "conversation" },
      getSpec: ({ conversationId } = {}) => {
        builds += 1;
        if (loaded) return spec("s", `ready ${conversationId}`);
        loaded = true;
        return Promise.resolve(spec("s", "loading"));
      },
      invoke() {},
    };
    registry.register(provider);
    const sub = await registry.subscribe("s", { conversationId: "a" }, () => {});
    expect(labelOf(sub.spec)).toBe("ready a");
    expect(sub.context).toEqual({ conversationId: "a" });
    expect(builds).toBe(2);
    expect(registry.specBuilds()).toBe(2);
    expect(registry.hasSubscribers("s", "a")).toBe(true);
  });

  it("waits for a provider that is slow every time, and drops a subscriber whose spec then fails", async () => {
    const registry = createSurfaceRegistry();
    let outcomes: Array<"ok" | "fail"> = ["ok", "ok"];
    const provider: SurfaceProvider = {
      catalogEntry: { id: "s", region: "side", title: "s", scope: "conversation" },
      // Always a promise: the spec rebuilt after loading is still not ready synchronously.
      getSpec: () =>
        outcomes.shift() === "ok"
          ? Promise.resolve(spec("s", "ready"))
          : Promise.reject(new Error("no storage")),
      invoke() {},
    };
    registry.register(provider);
    const kept = await registry.subscribe("s", { conversationId: "a" }, () => {});
    expect(labelOf(kept.spec)).toBe("ready");
    expect(registry.hasSubscribers("s", "a")).toBe(true);
    kept.unsubscribe();
    outcomes = ["ok", "fail"];
    await expect(registry.subscribe("s", { conversationId: "b" }, () => {})).rejects.toThrow(
      "no storage",
    );
    expect(registry.hasSubscribers("s", "b")).toBe(false);
    outcomes = ["fail"];
    await expect(registry.subscribe("s", { conversationId: "c" }, () => {})).rejects.toThrow(
      "no storage",
    );
    expect(registry.hasSubscribers("s", "c")).toBe(false);
  });

  it("keeps the last registration of an id, and a stale disposer leaves it alone", () => {
    const registry = createSurfaceRegistry();
    const catalogs: string[][] = [];
    registry.onCatalogChange((catalog) => catalogs.push(catalog.map((e) => e.title)));
    const first = versionedSurface("s", "global");
    const second = versionedSurface("s", "global");
    const disposeFirst = registry.register(first.provider);
    expect(first.listening()).toBe(1);
    const disposeSecond = registry.register(second.provider);
    // Replacing a provider stops listening to the old one.
    expect(first.listening()).toBe(0);
    expect(second.listening()).toBe(1);
    expect(registry.getSurface("s")).toBe(second.provider);
    disposeFirst();
    expect(registry.getSurface("s")).toBe(second.provider);
    expect(second.listening()).toBe(1);
    expect(catalogs).toHaveLength(2);
    disposeSecond();
    disposeSecond(); // twice is harmless
    expect(registry.getSurface("s")).toBeUndefined();
    expect(registry.getCatalog()).toEqual([]);
    expect(second.listening()).toBe(0);
    expect(catalogs).toEqual([["s"], ["s"], []]);
  });

  it("stops telling a listener once it has removed itself", async () => {
    const registry = createSurfaceRegistry();
    const catalogs: number[] = [];
    const stopCatalog = registry.onCatalogChange((catalog) => catalogs.push(catalog.length));
    const left: string[] = [];
    const stopLeft = registry.onLastUnsubscribe((_s, conversationId) => left.push(conversationId));
    registry.register(versionedSurface("one", "conversation").provider);
    stopCatalog();
    registry.register(versionedSurface("two", "global").provider);
    expect(catalogs).toEqual([1]);
    const a = await registry.subscribe("one", { conversationId: "a" }, () => {});
    a.unsubscribe();
    stopLeft();
    const b = await registry.subscribe("one", { conversationId: "b" }, () => {});
    b.unsubscribe();
    expect(left).toEqual(["a"]);
  });

  it("never reports the last subscriber of a global surface as a conversation leaving", async () => {
    const registry = createSurfaceRegistry();
    const left: string[] = [];
    registry.onLastUnsubscribe((_s, conversationId) => left.push(conversationId));
    const surface = versionedSurface("g", "global");
    registry.register(surface.provider);
    const sub = await registry.subscribe("g", { conversationId: "a" }, () => {});
    sub.unsubscribe();
    expect(left).toEqual([]);
    // And a later subscriber of it still gets pushes.
    const seen: string[] = [];
    await registry.subscribe("g", {}, (s) => seen.push(labelOf(s)));
    surface.change();
    expect(seen).toEqual(["global@1"]);
  });

  it("passes a conversation surface's context to invoke, and none to a global one", async () => {
    const registry = createSurfaceRegistry();
    const contexts: unknown[] = [];
    for (const scope of ["conversation", "global"] as const) {
      registry.register({
        catalogEntry: { id: scope, region: "side", title: scope, scope },
        getSpec: () => spec(scope, ""),
        invoke: (_action, _payload, context) => {
          contexts.push(context);
        },
      });
    }
    await registry.invoke("conversation", { conversationId: "a" }, "x", 1);
    await registry.invoke("global", { conversationId: "a" }, "x", 1);
    expect(contexts).toEqual([{ conversationId: "a" }, {}]);
  });

  it("clips an unknown surface's id in the refusal", async () => {
    const registry = createSurfaceRegistry();
    const id = "x".repeat(500);
    await expect(registry.invoke(id, {}, "a", undefined)).rejects.toThrow(
      `unknown surface "${"x".repeat(64)}"`,
    );
  });

  it("ignores a change for a surface nobody watches, or that is gone", () => {
    const registry = createSurfaceRegistry();
    const surface = versionedSurface("s", "conversation");
    registry.register(surface.provider);
    surface.change("a");
    registry.notifyChanged("missing", "a");
    registry.notifyChanged("missing");
    expect(registry.specBuilds()).toBe(0);
  });
});
