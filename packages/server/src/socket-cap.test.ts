// DISPATCH_MAX_SOCKETS_PER_ADDRESS reaches the surface listener: behind a reverse proxy on this
// machine every user's socket comes from loopback, which counts as one address. One more
// socket from a full address closes that address's quietest socket, so a local client holding
// every slot cannot lock the web app out.
import { expect, it } from "vitest";
import WebSocket from "ws";
import { configFromEnv } from "./config.js";
import { cleanupAfterEach, SurfaceClient, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();

async function serveWithCap(perAddress?: string) {
  const { maxSocketsPerAddress } = configFromEnv(
    perAddress === undefined ? {} : { DISPATCH_MAX_SOCKETS_PER_ADDRESS: perAddress },
  ).config;
  const started = await startTestServer({ maxSocketsPerAddress });
  afterTest(() => started.server.close());
  return started;
}

async function connect(url: string, options: WebSocket.ClientOptions = {}) {
  const client = await SurfaceClient.connect(url, options);
  afterTest(() => {
    client.socket.terminate();
  });
  return client;
}

const open = (clients: readonly SurfaceClient[]) =>
  clients.filter((c) => c.socket.readyState === WebSocket.OPEN).length;

it.each([
  ["2", 2],
  ["3", 3],
])("holds %s sockets from loopback when set to, the newest ones", async (perAddress, cap) => {
  const { server } = await serveWithCap(perAddress);
  const clients: SurfaceClient[] = [];
  for (let i = 0; i < 4; i++) {
    // From other loopback addresses too: they are the same address to the cap.
    clients.push(await connect(server.wsUrl, { localAddress: `127.0.0.${1 + i}` }));
  }
  await expect.poll(() => open(clients), { timeout: 10_000 }).toBe(cap);
  expect(clients.slice(-cap).every((c) => c.socket.readyState === WebSocket.OPEN)).toBe(true);
});

it("lets the web app in while another local client holds all 100 of loopback's sockets", async () => {
  const { server } = await serveWithCap();
  const holder: SurfaceClient[] = [];
  for (let i = 0; i < 100; i++) {
    const client = await connect(server.wsUrl);
    client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: `held-${i}` });
    await client.take("surface");
    holder.push(client);
  }
  const web = await connect(server.wsUrl, { origin: "http://localhost:24204" });
  web.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "mine" });
  expect((await web.take("surface")).spec.id).toBe("cache-warming");
  // The holder's quietest socket made room: 100 in all from loopback, the web app's among them.
  await expect.poll(() => open(holder), { timeout: 10_000 }).toBe(99);
  expect(holder[0]?.socket.readyState).not.toBe(WebSocket.OPEN);
});
