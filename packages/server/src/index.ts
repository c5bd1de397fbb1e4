export type { Clock, DispatchServer, ServerOverrides } from "./compose.js";
export { consoleLogger, startDispatchServer, systemClock } from "./compose.js";
export type { ParsedConfig, ServerConfig } from "./config.js";
export { configFromEnv, DEFAULT_DATA_DIR, ephemeralConfig } from "./config.js";
