// Upstream's surface registry API (`createSurfaceRegistry`, the provider shape) and its
// extension wiring (`surfaceRegistryHandle`, `createSurfaceRegistryExtension`, `manifest`).
export {
  createSurfaceRegistryExtension,
  manifest,
  type ServiceHandle,
  type SurfaceRegistryHost,
  surfaceRegistryHandle,
} from "./extension.js";
export {
  createSurfaceRegistry,
  type RegistryOptions,
  type SpecListener,
  type Subscription,
  type SurfaceContext,
  SurfaceError,
  type SurfaceProvider,
  type SurfaceRegistry,
} from "./registry.js";
