import { request } from "node:http";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { configFromEnv, machineNames } from "./config.js";
import { cleanupAfterEach, postWarm, SurfaceClient, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();

async function serve(allowedOrigins: string[] = [], allowedHosts: string[] = []) {
  const started = await startTestServer({ allowedOrigins, allowedHosts });
  afterTest(() => started.server.close());
  return started.server;
}

/** A raw request, so the Host header can be anything (fetch will not let a test forge it). */
function rawRequest(url: string, headers: Record<string, string>, method = "GET", body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { method, headers }, (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      });
      req.on("error", reject);
      req.end(body);
    },
  );
}

describe("attacks on the localhost server", () => {
  it("refuses a WebSocket from a foreign page (cross-site WebSocket hijacking) with 403", async () => {
    const server = await serve();
    await expect(
      SurfaceClient.connect(server.wsUrl, { origin: "https://evil.example" }),
    ).rejects.toThrow("upgrade refused: 403");
  });

  it("refuses a WebSocket addressed to a foreign host name (DNS rebinding) with 421", async () => {
    const server = await serve();
    await expect(
      SurfaceClient.connect(server.wsUrl, { headers: { host: "rebind.evil.example:24205" } }),
    ).rejects.toThrow("upgrade refused: 421");
  });

  it("lets the frontend on localhost (any port) subscribe and warm", async () => {
    const server = await serve();
    const client = await SurfaceClient.connect(server.wsUrl, { origin: "http://localhost:5173" });
    afterTest(() => client.close());
    client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c1" });
    await client.take("surface");
    const res = await postWarm(
      server.httpUrl,
      { conversationId: "c1" },
      { origin: "http://127.0.0.1:5173" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:5173");
    expect((await client.take("update")).update.conversationId).toBe("c1");
  });

  it("refuses a paid warm from a foreign origin even though CORS would hide the answer", async () => {
    const server = await serve();
    const res = await postWarm(
      server.httpUrl,
      { conversationId: "c1" },
      { origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(server.warmer.getState("c1").lastWarmAt).toBeNull();
  });

  it("answers a CORS preflight for allowed origins only", async () => {
    const server = await serve();
    const preflight = (origin: string) =>
      fetch(`${server.httpUrl}/chat/warm`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
    const allowed = await preflight("http://[::1]:3000");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://[::1]:3000");
    const foreign = await preflight("https://evil.example");
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses HTTP for a foreign Host with 421", async () => {
    const server = await serve();
    const res = await rawRequest(`${server.httpUrl}/health`, { host: "rebind.evil.example" });
    expect(res.status).toBe(421);
    expect(JSON.parse(res.body)).toEqual({ error: "this server answers only to localhost names" });
  });

  it("refuses a streamed (chunked) body over the limit with 413", async () => {
    const server = await serve();
    const res = await rawRequest(
      `${server.httpUrl}/chat/warm`,
      { "transfer-encoding": "chunked", "content-type": "application/json" },
      "POST",
      JSON.stringify({ conversationId: "c1", pad: "x".repeat(20_000) }),
    );
    expect(res.status).toBe(413);
    expect(server.warmer.getState("c1").lastWarmAt).toBeNull();
  });

  it("accepts configured extra origins and hosts", async () => {
    const server = await serve(["https://dispatch.example"], ["devbox.lan"]);
    const client = await SurfaceClient.connect(server.wsUrl, {
      origin: "https://dispatch.example",
      headers: { host: "devbox.lan:24205" },
    });
    afterTest(() => client.close());
    expect((await client.take("catalog")).type).toBe("catalog");
    const res = await rawRequest(`${server.httpUrl}/health`, { host: "devbox.lan:24203" });
    expect(res.status).toBe(200);
  });

  it("rate-limits manual warms to one per second per conversation with 429 and Retry-After", async () => {
    const server = await serve();
    expect((await postWarm(server.httpUrl, { conversationId: "c1" })).status).toBe(200);
    const limited = await postWarm(server.httpUrl, { conversationId: "c1" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await postWarm(server.httpUrl, { conversationId: "c2" })).status).toBe(200);
  });
});

describe("the frontend's LAN deployment (served on the machine's own name)", () => {
  it("answers HTTP and WebSocket addressed by the machine's name from a page on that name", async () => {
    const started = await startTestServer({ localNames: ["my-desktop", "my-desktop.local"] });
    afterTest(() => started.server.close());
    const { server } = started;
    const port = new URL(server.httpUrl).port;
    const lan = await rawRequest(
      `${server.httpUrl}/chat/warm`,
      {
        host: `my-desktop:${port}`,
        origin: "http://my-desktop:24204",
        "content-type": "application/json",
      },
      "POST",
      JSON.stringify({ conversationId: "c1" }),
    );
    expect(lan.status).toBe(200);
    expect(lan.headers["access-control-allow-origin"]).toBe("http://my-desktop:24204");
    const client = await SurfaceClient.connect(server.wsUrl, {
      origin: "http://my-desktop.local:24204",
      headers: { host: `my-desktop.local:${new URL(server.wsUrl).port}` },
    });
    afterTest(() => client.close());
    expect((await client.take("catalog")).type).toBe("catalog");
    // Another machine's name is still a foreign host and a foreign origin.
    const foreign = await rawRequest(`${server.httpUrl}/health`, { host: `other-box:${port}` });
    expect(foreign.status).toBe(421);
    const page = await postWarm(
      server.httpUrl,
      { conversationId: "c2" },
      {
        origin: "http://other-box:24204",
      },
    );
    expect(page.status).toBe(403);
  });
});

describe("binding", () => {
  it("binds 127.0.0.1 on 24203/24205 by default", () => {
    expect(configFromEnv({})).toMatchObject({
      config: { host: "127.0.0.1", httpPort: 24203, wsPort: 24205 },
      warning: null,
    });
  });

  it("binds beyond loopback only when HOST says so, and then warns", () => {
    expect(configFromEnv({}).config.host).toBe("127.0.0.1");
    expect(configFromEnv({}).warning).toBeNull();
    expect(configFromEnv({ HOST: "0.0.0.0" }).warning).toMatch(/reachable from other machines/);
  });

  it("trusts the machine's own name and its .local form by default", () => {
    expect(machineNames("My-Desktop")).toEqual(["my-desktop", "my-desktop.local"]);
    expect(machineNames("my-desktop.local")).toEqual(["my-desktop", "my-desktop.local"]);
    expect(machineNames("localhost")).toEqual([]);
    expect(configFromEnv({}).config.localNames).toEqual(machineNames(hostname()));
  });

  it("reads a price table from DISPATCH_PRICES, and refuses one it cannot use", () => {
    const model = {
      inputPerMTok: 1,
      cacheWritePerMTok: 2,
      cacheReadPerMTok: 0.1,
      outputPerMTok: 5,
      cacheTtlMs: 3_600_000,
    };
    expect(
      configFromEnv({ DISPATCH_PRICES: JSON.stringify({ mine: model }) }).config.prices,
    ).toEqual({
      mine: model,
    });
    expect(() => configFromEnv({ DISPATCH_PRICES: "{" })).toThrow(/DISPATCH_PRICES: not JSON/);
    expect(() =>
      configFromEnv({ DISPATCH_PRICES: JSON.stringify({ mine: { ...model, cacheTtlMs: -1 } }) }),
    ).toThrow(/DISPATCH_PRICES/);
  });

  it("names every bad variable", () => {
    expect(() => configFromEnv({ PORT: "http", WS_PORT: "70000" })).toThrow(/PORT: .*WS_PORT: /);
  });

  it("reads the allowlists as comma-separated values", () => {
    const { config } = configFromEnv({
      DISPATCH_ALLOWED_ORIGINS: "https://a.example, https://b.example,",
      DISPATCH_ALLOWED_HOSTS: "devbox.lan",
    });
    expect(config.allowedOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(config.allowedHosts).toEqual(["devbox.lan"]);
  });
});
