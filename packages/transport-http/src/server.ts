import type { AddressInfo } from "node:net";
import type { SurfaceRegistry } from "@dispatch/surface-registry";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import { WebSocketServer } from "ws";
import type { AccessPolicy } from "./security.js";
import { serveSurfaceSocket } from "./surface-socket.js";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_HTTP_PORT = 24203;
export const DEFAULT_WS_PORT = 24205;
/** Surface messages are small; anything bigger is a mistake or an attack. */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;

export interface ListenOptions {
  app: Hono;
  registry: SurfaceRegistry;
  policy: AccessPolicy;
  logger: { warn(message: string, meta?: Record<string, unknown>): void };
  host?: string;
  /** 0 picks a free port (tests). */
  httpPort?: number;
  wsPort?: number;
}

export interface RunningTransport {
  httpUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Serves the HTTP app and the surface WebSocket (its own port, no path). */
export async function listen(options: ListenOptions): Promise<RunningTransport> {
  const host = options.host ?? DEFAULT_HOST;
  const httpServer = await new Promise<ServerType>((resolve, reject) => {
    const server = serve(
      { fetch: options.app.fetch, hostname: host, port: options.httpPort ?? DEFAULT_HTTP_PORT },
      () => resolve(server),
    );
    server.once("error", reject);
  });

  let wss: WebSocketServer;
  try {
    wss = await new Promise<WebSocketServer>((resolve, reject) => {
      const server = new WebSocketServer({
        host,
        port: options.wsPort ?? DEFAULT_WS_PORT,
        maxPayload: MAX_WS_MESSAGE_BYTES,
        verifyClient: ({ origin, req }, done) => {
          if (!options.policy.allowsHost(req.headers.host))
            return done(false, 421, "Misdirected Request");
          if (!options.policy.allowsOrigin(origin)) return done(false, 403, "Forbidden");
          done(true);
        },
      });
      server.once("listening", () => resolve(server));
      server.once("error", reject);
    });
  } catch (error) {
    httpServer.close();
    throw error;
  }
  wss.on("connection", (socket) => serveSurfaceSocket(socket, options.registry, options.logger));

  const httpPort = (httpServer.address() as AddressInfo).port;
  const wsPort = (wss.address() as AddressInfo).port;
  return {
    httpUrl: `http://${urlHost(host)}:${httpPort}`,
    wsUrl: `ws://${urlHost(host)}:${wsPort}`,
    async close() {
      for (const socket of wss.clients) socket.close(1001, "server shutting down");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        if ("closeAllConnections" in httpServer) httpServer.closeAllConnections();
      });
    },
  };
}
