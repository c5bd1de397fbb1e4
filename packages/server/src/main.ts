// `pnpm start`: the server on its embedded defaults, configured by the environment.
// Ctrl-C (SIGINT) and SIGTERM stop it cleanly: pending writes finish, sockets close, exit 0.
import { startDispatchServer } from "./compose.js";
import { configFromEnv } from "./config.js";
import { createLogger, loggerOptionsFromEnv } from "./logger.js";

async function main(): Promise<void> {
  let logger: ReturnType<typeof createLogger>;
  try {
    logger = createLogger(loggerOptionsFromEnv(process.env, process.stdout.isTTY === true));
  } catch (error) {
    // No logger to say it with: one line, no stack.
    process.stderr.write(
      `cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  let server: Awaited<ReturnType<typeof startDispatchServer>>;
  try {
    const { config, warning } = configFromEnv(process.env);
    if (warning) logger.warn(warning);
    server = await startDispatchServer(config, { logger });
    logger.info("listening", {
      http: server.httpUrl,
      surfaceWebSocket: server.wsUrl,
      settings: config.dataDir ?? "memory",
      // What runs, said once at the start: warms go to the simulator, not to a provider.
      provider: "simulator (no API key; every warm is simulated)",
      devRoutes: config.devRoutes,
    });
  } catch (error) {
    logger.error(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
    logger.flush();
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    server.close().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error("shutdown failed", { err });
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

void main();
