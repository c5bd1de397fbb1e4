// Pins upstream's surface-registry API (register → disposer, getCatalog, getSurface, last
// registration wins) and that a provider written for upstream — `subscribe(onChange)` calling
// back with no arguments — works here unchanged.
import type { SurfaceSpec } from "@dispatch/ui-contract";
import { describe, expect, it } from "vitest";
import {
  createSurfaceRegistry,
  createSurfaceRegistryExtension,
  manifest,
  type SurfaceProvider,
  type SurfaceRegistry,
  surfaceRegistryHandle,
} from "./index.js";

function upstreamProvider(id: string, title = id) {
  let notify: () => void = () => {};
  let value = 0;
  const invoked: unknown[][] = [];
  const provider: SurfaceProvider = {
    catalogEntry: { id, region: "default", title },
    getSpec: (): SurfaceSpec => ({
      id,
      region: "default",
      title,
      fields: [{ kind: "stat", label: "value", value: String(value) }],
    }),
    invoke(actionId, payload, context) {
      invoked.push([actionId, payload, context]);
      value += 1;
      notify();
    },
    subscribe(onChange: () => void) {
      notify = onChange;
      return () => {
        notify = () => {};
      };
    },
  };
  return { provider, invoked };
}

describe("upstream's surface registry API", () => {
  it("registers, lists, looks up and disposes; a later registration of an id wins", () => {
    const registry = createSurfaceRegistry();
    const first = upstreamProvider("a", "First");
    const second = upstreamProvider("a", "Second");
    const disposeFirst = registry.register(first.provider);
    expect(registry.getCatalog()).toEqual([{ id: "a", region: "default", title: "First" }]);
    expect(registry.getSurface("a")).toBe(first.provider);
    const disposeSecond = registry.register(second.provider);
    disposeFirst();
    expect(registry.getSurface("a")).toBe(second.provider);
    expect(registry.getCatalog()).toEqual([{ id: "a", region: "default", title: "Second" }]);
    disposeSecond();
    disposeSecond();
    expect(registry.getCatalog()).toEqual([]);
    expect(registry.getSurface("a")).toBeUndefined();
  });

  it("pushes an upstream provider's argument-less change to every subscriber, and passes invoke through", async () => {
    const registry = createSurfaceRegistry();
    const { provider, invoked } = upstreamProvider("g");
    registry.register(provider);
    const seen: string[] = [];
    await registry.subscribe("g", { conversationId: "x" }, (spec) =>
      seen.push(`x:${(spec.fields[0] as { value: string }).value}`),
    );
    await registry.subscribe("g", {}, (spec) =>
      seen.push(`-:${(spec.fields[0] as { value: string }).value}`),
    );
    await registry.invoke("g", { conversationId: "x" }, "inc", 5);
    expect(invoked).toEqual([["inc", 5, { conversationId: "x" }]]);
    expect(seen.sort()).toEqual(["-:1", "x:1"]);
  });

  it("stops listening to a provider once it is disposed", async () => {
    const registry = createSurfaceRegistry();
    const { provider } = upstreamProvider("g");
    const dispose = registry.register(provider);
    const seen: number[] = [];
    await registry.subscribe("g", {}, () => seen.push(1));
    dispose();
    await provider.invoke("inc");
    expect(seen).toEqual([]);
  });
});

describe("upstream's registry package exports, as its consumers import them", () => {
  it("offers the handle, the extension and the manifest transport-ws, message-queue and host-bin use", () => {
    expect(surfaceRegistryHandle).toEqual({ kind: "service", id: "surface-registry/registry" });
    expect(manifest).toEqual({
      id: "surface-registry",
      name: "Surface Registry",
      version: "0.0.0",
      apiVersion: "^0.1.0",
      trust: "bundled",
      activation: "eager",
      contributes: { services: ["surface-registry/registry"] },
    });
    const extension = createSurfaceRegistryExtension();
    expect(extension.manifest).toBe(manifest);
    const provided = new Map<string, unknown>();
    extension.activate({ provideService: (handle, impl) => provided.set(handle.id, impl) });
    const registry = provided.get("surface-registry/registry") as SurfaceRegistry;
    const { provider } = upstreamProvider("queue");
    registry.register(provider);
    expect(registry.getCatalog()).toEqual([provider.catalogEntry]);
    expect(registry.getSurface("queue")).toBe(provider);
  });
});
