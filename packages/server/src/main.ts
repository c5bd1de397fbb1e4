import { consoleLogger, startDispatchServer } from "./compose.js";
import { configFromEnv } from "./config.js";

async function main(): Promise<void> {
  const { config, warning } = configFromEnv(process.env);
  if (warning) consoleLogger.warn(warning);
  const server = await startDispatchServer(config);
  consoleLogger.info(
    `dispatch cache-warming backend: HTTP ${server.httpUrl}, surface WebSocket ${server.wsUrl}, settings in ${config.dataDir}`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        consoleLogger.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  consoleLogger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
