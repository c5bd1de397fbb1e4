// Upstream's extension wiring for the registry (`manifest`, `createSurfaceRegistryExtension`,
// `surfaceRegistryHandle`), written against the shape of upstream's kernel host rather than
// its package: the host looks services up by id, so this file needs no kernel import and
// upstream's transport-ws, message-queue and host-bin find the registry where they look.
import { createSurfaceRegistry, type SurfaceRegistry } from "./registry.js";

/** Upstream's `ServiceHandle<T>`: what `defineService(id)` returns. */
export interface ServiceHandle<T> {
  readonly kind: "service";
  readonly id: string;
  readonly _type?: T;
}

/** The registry service, under upstream's id. */
export const surfaceRegistryHandle: ServiceHandle<SurfaceRegistry> = {
  kind: "service",
  id: "surface-registry/registry",
};

export const manifest = {
  id: "surface-registry",
  name: "Surface Registry",
  version: "0.0.0",
  apiVersion: "^0.1.0",
  trust: "bundled",
  activation: "eager",
  contributes: { services: [surfaceRegistryHandle.id] },
} as const;

/** The part of upstream's `HostAPI` the registry extension uses. */
export interface SurfaceRegistryHost {
  readonly provideService: <T>(handle: ServiceHandle<T>, impl: T) => void;
}

export function createSurfaceRegistryExtension() {
  return {
    manifest,
    activate(host: SurfaceRegistryHost): void {
      host.provideService(surfaceRegistryHandle, createSurfaceRegistry());
    },
  };
}
