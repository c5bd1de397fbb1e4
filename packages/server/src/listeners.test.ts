// Where the composed server really listens: from the environment, through the config and the
// composition, to what the kernel reports for both sockets.
import { afterEach, describe, expect, it } from "vitest";
import { startDispatchServer } from "./compose.js";
import { configFromEnv } from "./config.js";
import { silentLogger } from "./testing/helpers.js";

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

describe("the listeners the environment asks for", () => {
  it.each([
    ["no HOST (loopback)", {}, "127.0.0.1", "IPv4"],
    ["HOST=0.0.0.0 (the LAN)", { HOST: "0.0.0.0" }, "0.0.0.0", "IPv4"],
    ["HOST=::1 (IPv6 loopback)", { HOST: "::1" }, "::1", "IPv6"],
  ])("%s binds HTTP and the surface WebSocket there", async (_name, env, address, family) => {
    const { config } = configFromEnv({ ...env, PORT: "0", WS_PORT: "0" });
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
