export type { Clock } from "@dispatch/transport-http";
export { systemClock } from "@dispatch/transport-http";
export type { DispatchServer, ServerOverrides } from "./compose.js";
export { dearestPricing, isSettingKey, startDispatchServer } from "./compose.js";
export type { ParsedConfig, ServerConfig } from "./config.js";
export { configFromEnv, DEFAULT_DATA_DIR, ephemeralConfig } from "./config.js";
export type { LoggerOptions, LogLevel } from "./logger.js";
export { createLogger, loggerOptionsFromEnv } from "./logger.js";
