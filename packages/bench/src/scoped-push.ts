// With S conversations subscribed over real WebSockets, one POST /chat/warm must cost one
// spec build and one socket message (the one subscriber of that conversation), whatever S is.
import { SURFACE_ID } from "@dispatch/cache-warming";
import { ephemeralConfig, startDispatchServer } from "@dispatch/server";
import type { SurfaceServerMessage } from "@dispatch/ui-contract";
import { createPromptCacheSimulator } from "@dispatch/warm-service";
import WebSocket from "ws";
import { silentLogger, summarize } from "./stats.js";

const MAX_SOCKETS = 100;

interface Client {
  socket: WebSocket;
  received: number;
  onMessage: ((message: SurfaceServerMessage) => void) | null;
}

function connect(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const client: Client = { socket, received: 0, onMessage: null };
    socket.on("message", (data) => {
      client.received += 1;
      client.onMessage?.(JSON.parse(data.toString()) as SurfaceServerMessage);
    });
    socket.once("open", () => resolve(client));
    socket.once("error", reject);
  });
}

/** Resolves when `count` messages matching `match` have arrived on this client. */
function expectMessages(
  client: Client,
  count: number,
  match: (m: SurfaceServerMessage) => boolean,
) {
  return new Promise<void>((resolve) => {
    let seen = 0;
    client.onMessage = (message) => {
      if (match(message) && ++seen === count) {
        client.onMessage = null;
        resolve();
      }
    };
    if (count === 0) resolve();
  });
}

export async function benchScopedPush(subscribed: number, latencySamples: number) {
  let resolvedAt = 0;
  const simulator = createPromptCacheSimulator({ now: Date.now });
  const server = await startDispatchServer(ephemeralConfig({ manualWarmMinGapMs: 0 }), {
    logger: silentLogger,
    warm: {
      warm: async (id, opts) => {
        const result = await simulator.warm(id, opts);
        resolvedAt = performance.now();
        return result;
      },
    },
  });
  const socketCount = Math.min(subscribed, MAX_SOCKETS);
  const clients = await Promise.all(
    Array.from({ length: socketCount }, () => connect(server.wsUrl)),
  );
  await Promise.all(
    clients.map((client, index) => {
      const mine = Math.ceil((subscribed - index) / socketCount);
      const ready = expectMessages(client, mine, (m) => m.type === "surface");
      for (let c = index; c < subscribed; c += socketCount) {
        client.socket.send(
          JSON.stringify({ type: "subscribe", surfaceId: SURFACE_ID, conversationId: `conv-${c}` }),
        );
      }
      return ready;
    }),
  );

  const target = clients[0] as Client;
  const isTargetUpdate = (m: SurfaceServerMessage) =>
    m.type === "update" && m.update.conversationId === "conv-0";
  const post = () =>
    fetch(`${server.httpUrl}/chat/warm`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conversationId: "conv-0" }),
    }).then((res) => res.arrayBuffer());

  // One measured warm: count every message every socket receives and every spec built.
  const receivedBefore = clients.reduce((sum, c) => sum + c.received, 0);
  const buildsBefore = server.registry.specBuilds();
  const arrived = expectMessages(target, 1, isTargetUpdate);
  await post();
  await arrived;
  // Barrier: a bad message per socket; its error reply comes after anything pushed before.
  await Promise.all(
    clients.map((client) => {
      const done = expectMessages(client, 1, (m) => m.type === "error");
      client.socket.send("barrier");
      return done;
    }),
  );
  const socketMessages =
    clients.reduce((sum, c) => sum + c.received, 0) - receivedBefore - socketCount;
  const specBuilds = server.registry.specBuilds() - buildsBefore;

  const latencies: number[] = [];
  for (let i = 0; i < latencySamples; i++) {
    const update = new Promise<number>((resolve) => {
      target.onMessage = (message) => {
        if (isTargetUpdate(message)) resolve(performance.now() - resolvedAt);
      };
    });
    await post();
    latencies.push(await update);
  }

  for (const client of clients) client.socket.close();
  await server.close();
  return { subscribed, sockets: socketCount, socketMessages, specBuilds, ...summarize(latencies) };
}
