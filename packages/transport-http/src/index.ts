export type { AppDeps, DevControls } from "./app.js";
export { createApp, DEFAULT_MAX_BODY_BYTES } from "./app.js";
export { type Clock, systemClock } from "./clock.js";
export { readBody } from "./read-body.js";
export type { AccessPolicy, AccessPolicyOptions } from "./security.js";
export { createAccessPolicy, parseList, requestHost } from "./security.js";
export type { ListenOptions, RunningTransport, TransportLimits } from "./server.js";
export {
  addressKey,
  DEFAULT_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_TRANSPORT_LIMITS,
  DEFAULT_WS_PORT,
  listen,
  MAX_WS_MESSAGE_BYTES,
} from "./server.js";
export type { SocketLimits } from "./surface-socket.js";
export {
  CLOSE_LIMIT,
  CLOSE_SLOW_READER,
  DEFAULT_SOCKET_LIMITS,
  serveSurfaceSocket,
} from "./surface-socket.js";
export type { RouteLogger, WarmRouteOptions } from "./warm-route.js";
export { createWarmRoute, parseWarmBody } from "./warm-route.js";
