export type { AppDeps } from "./app.js";
export { createApp } from "./app.js";
export type { AccessPolicy, AccessPolicyOptions } from "./security.js";
export { createAccessPolicy, parseList, requestHost } from "./security.js";
export type { ListenOptions, RunningTransport } from "./server.js";
export {
  DEFAULT_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_WS_PORT,
  listen,
  MAX_WS_MESSAGE_BYTES,
} from "./server.js";
export { serveSurfaceSocket } from "./surface-socket.js";
export type { RouteLogger, WarmRouteOptions } from "./warm-route.js";
export { createWarmRoute, DEFAULT_MAX_BODY_BYTES, warmRequestSchema } from "./warm-route.js";
