export type { Clock, DispatchServer, ServerOverrides } from "./compose.ts";
export { consoleLogger, startDispatchServer, systemClock } from "./compose.ts";
export type { ParsedConfig, ServerConfig } from "./config.ts";
export { configFromEnv, DEFAULT_DATA_DIR, ephemeralConfig } from "./config.ts";
