// DISPATCH_MAX_SOCKETS_PER_ADDRESS reaches the surface listener: behind a reverse proxy on this
// machine every user's socket comes from loopback, which counts as one address.
import { expect, it } from "vitest";
import { configFromEnv } from "./config.js";
import { cleanupAfterEach, SurfaceClient, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();

async function socketsAccepted(perAddress: string, tries: number): Promise<number> {
  const { maxSocketsPerAddress } = configFromEnv({
    DISPATCH_MAX_SOCKETS_PER_ADDRESS: perAddress,
  }).config;
  const { server } = await startTestServer({ maxSocketsPerAddress });
  afterTest(() => server.close());
  let accepted = 0;
  for (let i = 0; i < tries; i++) {
    // From other loopback addresses too: they are the same address to the cap.
    const localAddress = `127.0.0.${1 + i}`;
    const client = await SurfaceClient.connect(server.wsUrl, { localAddress }).catch(() => null);
    if (client === null) continue;
    accepted += 1;
    afterTest(() => {
      client.socket.terminate();
    });
  }
  return accepted;
}

it("takes as many sockets from loopback as it is set to, and refuses the next", async () => {
  expect(await socketsAccepted("2", 4)).toBe(2);
  expect(await socketsAccepted("3", 4)).toBe(3);
});

it("takes 100 from one address unless told otherwise", async () => {
  const { server } = await startTestServer();
  afterTest(() => server.close());
  const clients: SurfaceClient[] = [];
  for (let i = 0; i < 100; i++) clients.push(await SurfaceClient.connect(server.wsUrl));
  afterTest(() => {
    for (const client of clients) client.socket.terminate();
  });
  await expect(SurfaceClient.connect(server.wsUrl)).rejects.toThrow("upgrade refused: 503");
});
