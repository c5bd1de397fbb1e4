// Where the composed server really listens: from the environment, through the config and the
// composition, to what the kernel reports for both sockets. Loopback only, ports picked by the
// OS and a data directory of its own: a test never takes the user's ports or data. (That HOST
// reaches the config is config.test.ts's; binding beyond loopback is the kernel's business.)
import { afterEach, describe, expect, it } from "vitest";
import { startDispatchServer } from "./compose.js";
import { configFromEnv } from "./config.js";
import { silentLogger, tempDataDir } from "./testing/helpers.js";

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

describe("the listeners the environment asks for", () => {
  it.each([
    ["no HOST (loopback)", {}, "127.0.0.1", "IPv4"],
    ["HOST=::1 (IPv6 loopback)", { HOST: "::1" }, "::1", "IPv6"],
  ])("%s binds HTTP and the surface WebSocket there", async (_name, env, address, family) => {
    const { config } = configFromEnv({
      ...env,
      PORT: "0",
      WS_PORT: "0",
      DISPATCH_DATA_DIR: await tempDataDir(),
    });
    const server = await startDispatchServer(config, { logger: silentLogger });
    close = () => server.close();
    const bound = server.addresses();
    expect(bound.http).toMatchObject({ address, family });
    expect(bound.ws).toMatchObject({ address, family });
    expect(bound.ws.port).not.toBe(bound.http.port);
    // What the start line prints is where it listens.
    const host = family === "IPv6" ? `[${address}]` : address;
    expect(server.httpUrl).toBe(`http://${host}:${bound.http.port}`);
    expect(server.wsUrl).toBe(`ws://${host}:${bound.ws.port}`);
  });
});
