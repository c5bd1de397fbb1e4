export type { AppDeps } from "./app.ts";
export { createApp, DEFAULT_MAX_BODY_BYTES, warmRequestSchema } from "./app.ts";
export type { AccessPolicy, AccessPolicyOptions } from "./security.ts";
export { createAccessPolicy, parseList } from "./security.ts";
export type { ListenOptions, RunningTransport } from "./server.ts";
export {
	DEFAULT_HOST,
	DEFAULT_HTTP_PORT,
	DEFAULT_WS_PORT,
	listen,
	MAX_WS_MESSAGE_BYTES,
} from "./server.ts";
export { serveSurfaceSocket } from "./surface-socket.ts";
