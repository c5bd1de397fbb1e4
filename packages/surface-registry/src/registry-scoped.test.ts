import { describe, expect, it } from "vitest";
import {
  createSurfaceRegistry,
  type SurfaceContext,
  SurfaceError,
  type SurfaceProvider,
} from "./index.js";

function counterSurface(id: string, scope: "global" | "conversation") {
  const counts = new Map<string, number>();
  const provider: SurfaceProvider = {
    catalogEntry: { id, region: "side", title: id, scope },
    getSpec: ({ conversationId }: SurfaceContext = {}) => ({
      id,
      region: "side",
      title: id,
      fields: [
        {
          kind: "stat",
          label: conversationId ?? "global",
          value: String(counts.get(conversationId ?? "") ?? 0),
        },
      ],
    }),
    async invoke(actionId, _payload, { conversationId } = {}) {
      if (actionId !== "inc") throw new SurfaceError(`unknown action ${actionId}`);
      counts.set(conversationId ?? "", (counts.get(conversationId ?? "") ?? 0) + 1);
    },
  };
  return provider;
}

const silent = { error() {} };

describe("surface registry", () => {
  it("pushes a change only to the subscribers of the conversation that changed", async () => {
    const registry = createSurfaceRegistry(silent);
    registry.register(counterSurface("s", "conversation"));
    const seen: string[] = [];
    await registry.subscribe("s", { conversationId: "a" }, (spec) =>
      seen.push(`a:${JSON.stringify(spec.fields)}`),
    );
    await registry.subscribe("s", { conversationId: "b" }, () => seen.push("b"));
    const before = registry.specBuilds();
    await registry.invoke("s", { conversationId: "a" }, "inc", undefined);
    registry.notifyChanged("s", "a");
    expect(seen).toEqual([`a:${JSON.stringify([{ kind: "stat", label: "a", value: "1" }])}`]);
    expect(registry.specBuilds() - before).toBe(1);
  });

  it("refreshes every subscriber of the surface when the change names no conversation", async () => {
    const registry = createSurfaceRegistry(silent);
    registry.register(counterSurface("s", "conversation"));
    const seen: string[] = [];
    await registry.subscribe("s", { conversationId: "a" }, () => seen.push("a"));
    await registry.subscribe("s", { conversationId: "b" }, () => seen.push("b"));
    registry.notifyChanged("s");
    expect(seen.sort()).toEqual(["a", "b"]);
  });

  it("builds a spec once for many subscribers of one conversation", async () => {
    const registry = createSurfaceRegistry(silent);
    registry.register(counterSurface("s", "conversation"));
    let calls = 0;
    for (let i = 0; i < 5; i++)
      await registry.subscribe("s", { conversationId: "a" }, () => calls++);
    const before = registry.specBuilds();
    registry.notifyChanged("s", "a");
    expect(calls).toBe(5);
    expect(registry.specBuilds() - before).toBe(1);
  });

  it("stops pushing after unsubscribe, and keeps other listeners when one throws", async () => {
    const registry = createSurfaceRegistry(silent);
    registry.register(counterSurface("s", "global"));
    const seen: string[] = [];
    await registry.subscribe("s", {}, () => {
      throw new Error("broken socket");
    });
    const sub = await registry.subscribe("s", { conversationId: "ignored" }, () => seen.push("x"));
    expect(sub.context).toEqual({});
    registry.notifyChanged("s");
    sub.unsubscribe();
    registry.notifyChanged("s");
    expect(seen).toEqual(["x"]);
  });

  it("keeps the other subscribers of a conversation when one leaves, and says when the last one does", async () => {
    const registry = createSurfaceRegistry(silent);
    registry.register(counterSurface("s", "conversation"));
    const left: string[] = [];
    registry.onLastUnsubscribe((surfaceId, conversationId) =>
      left.push(`${surfaceId}/${conversationId}`),
    );
    const seen: string[] = [];
    const first = await registry.subscribe("s", { conversationId: "a" }, () => seen.push("first"));
    const second = await registry.subscribe("s", { conversationId: "a" }, () =>
      seen.push("second"),
    );
    first.unsubscribe();
    first.unsubscribe(); // twice is harmless: it must not take the second one with it
    expect(registry.hasSubscribers("s", "a")).toBe(true);
    registry.notifyChanged("s", "a");
    expect(seen).toEqual(["second"]);
    expect(left).toEqual([]);
    second.unsubscribe();
    expect(registry.hasSubscribers("s", "a")).toBe(false);
    expect(left).toEqual(["s/a"]);
    registry.notifyChanged("s", "a");
    expect(seen).toEqual(["second"]);
  });

  it("refuses unknown surfaces with a SurfaceError", async () => {
    const registry = createSurfaceRegistry(silent);
    await expect(registry.subscribe("nope", {}, () => {})).rejects.toThrow(SurfaceError);
    await expect(registry.invoke("nope", {}, "x", undefined)).rejects.toThrow(/unknown surface/);
  });

  it("tells catalog listeners about new surfaces", () => {
    const registry = createSurfaceRegistry(silent);
    const seen: string[][] = [];
    registry.onCatalogChange((catalog) => seen.push(catalog.map((e) => e.id)));
    registry.register(counterSurface("one", "global"));
    registry.register(counterSurface("two", "conversation"));
    expect(seen).toEqual([["one"], ["one", "two"]]);
  });
});
