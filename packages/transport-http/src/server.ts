import { createServer, type Server as HttpServer, type ServerOptions } from "node:http";
import type { AddressInfo } from "node:net";
import type { SurfaceRegistry } from "@dispatch/surface-registry";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import { type WebSocket, WebSocketServer } from "ws";
import { type Clock, systemClock } from "./clock.js";
import type { AccessPolicy } from "./security.js";
import { DEFAULT_SOCKET_LIMITS, type SocketLimits, serveSurfaceSocket } from "./surface-socket.js";

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
  /** Drives the heartbeat; injected so tests move time. Default: the system clock. */
  clock?: Clock;
  limits?: Partial<TransportLimits>;
}

/** What outsiders can make the server hold in connections. */
export interface TransportLimits extends SocketLimits {
  /** Open WebSockets, in all. */
  readonly maxSockets: number;
  /**
   * Open WebSockets from one remote address. One more closes that address's quietest socket
   * (the longest without a message from its client) rather than refusing the newcomer, so a
   * client holding every slot cannot lock out another one from the same address.
   */
  readonly maxSocketsPerAddress: number;
  /** Every this often each socket is pinged; one that did not answer the last ping is dropped. */
  readonly heartbeatMs: number;
  /** A socket with no subscription that has sent nothing for this long is closed. */
  readonly idleMs: number;
  /** A subscribed socket that has sent nothing for this long is closed (clients reconnect). */
  readonly subscribedIdleMs: number;
  /** Open HTTP connections; more wait in the kernel's backlog. */
  readonly maxHttpConnections: number;
  /** Time for a request's headers and body to arrive. */
  readonly httpRequestTimeoutMs: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  ...DEFAULT_SOCKET_LIMITS,
  maxSockets: 1000,
  maxSocketsPerAddress: 100,
  heartbeatMs: 30_000,
  idleMs: 120_000,
  subscribedIdleMs: 30 * 60_000,
  maxHttpConnections: 1000,
  httpRequestTimeoutMs: 15_000,
};

export interface RunningTransport {
  httpUrl: string;
  wsUrl: string;
  /** Open surface WebSockets. */
  sockets(): number;
  /** Where each listener is really bound, as the kernel reports it. */
  addresses(): { readonly http: AddressInfo; readonly ws: AddressInfo };
  close(): Promise<void>;
}

function countHeader(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  // Stryker disable next-line EqualityOperator: one step past the end reads undefined, no name
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === name) count += 1;
  }
  return count;
}

/**
 * The address the per-address socket cap counts by: every loopback address (127.0.0.0/8, ::1,
 * their IPv4-mapped forms) is one machine, so 127.0.0.2… cannot multiply the cap.
 */
export function addressKey(address: string): string {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || v4 === "::1" ? "loopback" : v4;
}

/** Timeouts are checked this often, so one fires at most this late (Node's default: 30 s). */
const TIMEOUT_CHECK_MS = 1_000;

/** Options for each listener's HTTP server, so both enforce the same request timeouts. */
function serverOptions(limits: TransportLimits): ServerOptions {
  return {
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    headersTimeout: limits.httpRequestTimeoutMs,
    requestTimeout: limits.httpRequestTimeoutMs,
  };
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Serves the HTTP app and the surface WebSocket (its own port, no path). */
export async function listen(options: ListenOptions): Promise<RunningTransport> {
  const host = options.host ?? DEFAULT_HOST;
  const limits: TransportLimits = { ...DEFAULT_TRANSPORT_LIMITS, ...options.limits };
  const clock = options.clock ?? systemClock;
  const socketsByAddress = new Map<string, number>();
  const httpServer = await new Promise<ServerType>((resolve, reject) => {
    const server = serve(
      {
        fetch: options.app.fetch,
        hostname: host,
        port: options.httpPort ?? DEFAULT_HTTP_PORT,
        serverOptions: serverOptions(limits),
      },
      () => resolve(server),
    );
    server.once("error", reject);
  });
  (httpServer as HttpServer).maxConnections = limits.maxHttpConnections;

  // The WebSocket port's own HTTP server, with the same connection cap and timeouts: a
  // trickled or never-finished upgrade is dropped like a trickled request.
  const upgradeServer = createServer(serverOptions(limits), (_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("expected a WebSocket upgrade\n");
  });
  upgradeServer.maxConnections = limits.maxSockets + limits.maxHttpConnections;

  let wss: WebSocketServer;
  try {
    wss = await new Promise<WebSocketServer>((resolve, reject) => {
      const server = new WebSocketServer({
        server: upgradeServer,
        maxPayload: MAX_WS_MESSAGE_BYTES,
        verifyClient: ({ origin, req }, done) => {
          // Two Host headers would let a proxy and this check read different hosts.
          if (
            countHeader(req.rawHeaders, "host") !== 1 ||
            !options.policy.allowsHost(req.headers.host)
          )
            return done(false, 421, "Misdirected Request");
          const fetchSiteHeader = req.headers["sec-fetch-site"];
          // Stryker disable next-line ConditionalExpression: Node joins repeated headers into one string; this only narrows the type
          const fetchSite = typeof fetchSiteHeader === "string" ? fetchSiteHeader : null;
          if (!options.policy.allowsRequest(origin, fetchSite))
            return done(false, 403, "Forbidden");
          // Stryker disable next-line StringLiteral: a TCP socket always has a remote address
          const address = addressKey(req.socket.remoteAddress ?? "");
          if ((socketsByAddress.get(address) ?? 0) >= limits.maxSocketsPerAddress) {
            closeQuietest(address);
          } else if (server.clients.size >= limits.maxSockets) {
            return done(false, 503, "Too Many Connections");
          }
          done(true);
        },
      });
      // ws passes its server's errors (EADDRINUSE) on to the WebSocketServer.
      server.once("error", reject);
      upgradeServer.listen(options.wsPort ?? DEFAULT_WS_PORT, host, () => resolve(server));
    });
  } catch (error) {
    httpServer.close();
    throw error;
  }
  const liveness = new Map<
    WebSocket,
    {
      answered: boolean;
      readonly address: string;
      readonly served: ReturnType<typeof serveSurfaceSocket>;
    }
  >();
  /** Makes room for a newcomer from `address`: its socket that has been quiet longest goes. */
  function closeQuietest(address: string): void {
    let quietest: WebSocket | null = null;
    let since = Number.POSITIVE_INFINITY;
    for (const [socket, entry] of liveness) {
      if (entry.address === address && entry.served.lastMessageAt() < since) {
        quietest = socket;
        since = entry.served.lastMessageAt();
      }
    }
    if (quietest === null) return;
    liveness.delete(quietest);
    // At once, not after a closing handshake its peer may never answer: the slot is free now.
    quietest.terminate();
  }
  wss.on("connection", (socket, req) => {
    // Stryker disable next-line StringLiteral: a TCP socket always has a remote address
    const address = addressKey(req.socket.remoteAddress ?? "");
    socketsByAddress.set(address, (socketsByAddress.get(address) ?? 0) + 1);
    const served = serveSurfaceSocket(socket, options.registry, options.logger, limits, clock.now);
    const entry = { answered: true, address, served };
    liveness.set(socket, entry);
    socket.on("pong", () => {
      entry.answered = true;
    });
    socket.on("close", () => {
      liveness.delete(socket);
      const left = (socketsByAddress.get(address) ?? 1) - 1;
      if (left > 0) socketsByAddress.set(address, left);
      else socketsByAddress.delete(address);
    });
  });

  // One timer for every socket: close sockets that have said nothing for too long (a shorter
  // time for one that watches nothing), drop peers that did not answer the last ping, ping the
  // rest.
  let heartbeat: number | null = null;
  const beat = () => {
    const now = clock.now();
    for (const [socket, entry] of liveness) {
      const quiet = now - entry.served.lastMessageAt();
      if (quiet >= (entry.served.subscriptions() === 0 ? limits.idleMs : limits.subscribedIdleMs)) {
        socket.close(1000, "idle");
        continue;
      }
      if (!entry.answered) {
        socket.terminate();
        continue;
      }
      entry.answered = false;
      socket.ping();
    }
    heartbeat = clock.timers.setTimer(beat, limits.heartbeatMs);
  };
  heartbeat = clock.timers.setTimer(beat, limits.heartbeatMs);

  const httpPort = (httpServer.address() as AddressInfo).port;
  const wsPort = (upgradeServer.address() as AddressInfo).port;
  return {
    httpUrl: `http://${urlHost(host)}:${httpPort}`,
    wsUrl: `ws://${urlHost(host)}:${wsPort}`,
    sockets: () => wss.clients.size,
    addresses: () => ({
      http: httpServer.address() as AddressInfo,
      ws: upgradeServer.address() as AddressInfo,
    }),
    async close() {
      if (heartbeat !== null) clock.timers.clearTimer(heartbeat);
      heartbeat = null;
      for (const socket of wss.clients) socket.close(1001, "server shutting down");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => {
        upgradeServer.close(() => resolve());
        upgradeServer.closeAllConnections();
      });
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        if ("closeAllConnections" in httpServer) httpServer.closeAllConnections();
      });
    },
  };
}
