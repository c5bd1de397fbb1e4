// `listen()` on real loopback sockets with a fake clock driving the heartbeat: the addresses
// it reports, which upgrades it refuses and how it says so, which sockets it drops, and a
// shutdown that leaves nothing behind.

import { request as httpRequest } from "node:http";
import { connect as connectTcp } from "node:net";
import { createSurfaceRegistry } from "@dispatch/surface-registry";
import FakeTimers from "@sinonjs/fake-timers";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  addressKey,
  createAccessPolicy,
  createApp,
  listen,
  type TransportLimits,
} from "./index.js";

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

async function start(limits: Partial<TransportLimits> = {}, host = "127.0.0.1", served?: Hono) {
  const clock = FakeTimers.createClock(Date.UTC(2026, 10, 25));
  const registry = createSurfaceRegistry();
  registry.register({
    catalogEntry: { id: "s", region: "side", title: "s", scope: "conversation" },
    getSpec: () => ({ id: "s", region: "side", title: "s", fields: [] }),
    invoke() {},
  });
  const app = served ?? new Hono();
  if (!served) app.get("/health", (c) => c.json({ ok: true }));
  const warnings: string[] = [];
  const transport = await listen({
    app,
    registry,
    policy: createAccessPolicy(),
    logger: { warn: (message) => warnings.push(message) },
    host,
    httpPort: 0,
    wsPort: 0,
    clock: {
      now: () => clock.now,
      timers: {
        setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
        clearTimer: (id) => clock.clearTimeout(id),
      },
    },
    limits,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await transport.close();
  };
  running.push(stop);
  return { transport, clock, stop, warnings };
}

/** An open client; its messages and its close code, as promises. */
async function connect(url: string) {
  const socket = new WebSocket(url);
  const messages: Array<Record<string, unknown>> = [];
  socket.on("message", (data) => messages.push(JSON.parse(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  running.push(async () => {
    socket.terminate();
  });
  return { socket, messages, closed };
}

/** Sends a raw upgrade request; returns the status line it is answered with, and the body. */
function upgradeStatus(wsUrl: string, extraHeaders = ""): Promise<string> {
  const port = Number(new URL(wsUrl).port);
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, "127.0.0.1", () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extraHeaders}Upgrade: websocket\r\n` +
          "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      ),
    );
    socket.once("data", (data) => {
      const [head = "", body = ""] = data.toString().split("\r\n\r\n");
      resolve(`${head.split("\r\n")[0]} | ${body}`);
      socket.destroy();
    });
    socket.once("error", reject);
  });
}

/** Sends a message the server answers (with an error), and waits for the answer: a round trip. */
async function roundTrip(client: Awaited<ReturnType<typeof connect>>): Promise<void> {
  const errors = () => client.messages.filter((m) => m.type === "error").length;
  const before = errors();
  client.socket.send("{}");
  await expect.poll(errors, { timeout: 10_000 }).toBe(before + 1);
}

describe("listen", () => {
  it("reports its addresses, bracketing an IPv6 host", async () => {
    const v4 = await start();
    expect(v4.transport.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(v4.transport.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const v6 = await start({}, "::1");
    expect(v6.transport.httpUrl).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect(v6.transport.wsUrl).toMatch(/^ws:\/\/\[::1\]:\d+$/);
    expect((await fetch(`${v6.transport.httpUrl}/health`)).status).toBe(200);
  });

  it("refuses upgrades it must not take, each with its own status", async () => {
    const { transport } = await start({ maxSockets: 1 });
    expect(await upgradeStatus(transport.wsUrl, "Host: other\r\n")).toBe(
      "HTTP/1.1 421 Misdirected Request | Misdirected Request",
    );
    expect(await upgradeStatus(transport.wsUrl, "Origin: https://evil.example\r\n")).toBe(
      "HTTP/1.1 403 Forbidden | Forbidden",
    );
    await connect(transport.wsUrl);
    expect(await upgradeStatus(transport.wsUrl)).toBe(
      "HTTP/1.1 503 Service Unavailable | Too Many Connections",
    );
    expect(transport.sockets()).toBe(1);
  });

  it("makes room for a newcomer from a full address by closing that address's quietest socket", async () => {
    const { transport, clock } = await start({ maxSocketsPerAddress: 2 });
    const first = await connect(transport.wsUrl);
    const second = await connect(transport.wsUrl);
    await clock.tickAsync(1_000);
    await roundTrip(first); // the first has spoken since: the second is the quietest
    const third = await connect(transport.wsUrl);
    expect((await second.closed).code).toBe(1006);
    expect(first.socket.readyState).toBe(WebSocket.OPEN);
    expect(third.socket.readyState).toBe(WebSocket.OPEN);
  });

  it("refuses a socket over the cap in all with 503", async () => {
    const { transport } = await start({ maxSockets: 2, maxSocketsPerAddress: 5 });
    await connect(transport.wsUrl);
    await connect(transport.wsUrl);
    expect(await upgradeStatus(transport.wsUrl)).toBe(
      "HTTP/1.1 503 Service Unavailable | Too Many Connections",
    );
  });

  it("closes a socket that watches nothing and says nothing for idleMs, and keeps the others", async () => {
    const { transport, clock } = await start({ heartbeatMs: 1_000, idleMs: 2_000 });
    const idle = await connect(transport.wsUrl);
    const watching = await connect(transport.wsUrl);
    watching.socket.send(
      JSON.stringify({ type: "subscribe", surfaceId: "s", conversationId: "a" }),
    );
    const talking = await connect(transport.wsUrl);
    // Its subscription is in.
    await expect
      .poll(() => watching.messages.some((m) => m.type === "surface"), { timeout: 10_000 })
      .toBe(true);
    const pinged = new Promise((resolve) => watching.socket.once("ping", resolve));
    await clock.tickAsync(1_000); // idle for 1 s: pinged, kept
    await pinged;
    await roundTrip(watching); // its pong read before the next beat
    await roundTrip(talking); // a message (even a bad one) counts as saying something
    expect(idle.socket.readyState).toBe(WebSocket.OPEN);
    await clock.tickAsync(1_000); // idle for exactly 2 s: closed
    expect(await idle.closed).toEqual({ code: 1000, reason: "idle" });
    await expect.poll(() => transport.sockets(), { timeout: 10_000 }).toBe(2);
    expect(watching.socket.readyState).toBe(WebSocket.OPEN);
    expect(talking.socket.readyState).toBe(WebSocket.OPEN);
    expect(transport.sockets()).toBe(2);
  });

  it("pings every heartbeat and drops a peer that did not answer the last ping", async () => {
    const { transport, clock } = await start({ heartbeatMs: 1_000, idleMs: 60_000 });
    const live = await connect(transport.wsUrl);
    let pings = 0;
    live.socket.on("ping", () => {
      pings += 1;
    });
    const deaf = await connect(transport.wsUrl);
    // ws answers pings by itself; a peer whose socket stops reading cannot.
    (deaf.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let beat = 0; beat < 3; beat++) {
      const pinged = new Promise((resolve) => live.socket.once("ping", resolve));
      await clock.tickAsync(1_000);
      await pinged;
      await roundTrip(live); // its pong read before the next beat
    }
    expect(pings).toBe(3);
    (deaf.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await deaf.closed).code).toBe(1006);
    expect(live.socket.readyState).toBe(WebSocket.OPEN);
  });

  it("says goodbye to its clients on close, and leaves no timer and no listener", async () => {
    const { transport, clock, stop } = await start({ heartbeatMs: 1_000 });
    const client = await connect(transport.wsUrl);
    expect(clock.countTimers()).toBe(1);
    await stop();
    expect(await client.closed).toEqual({ code: 1001, reason: "server shutting down" });
    expect(clock.countTimers()).toBe(0);
    await expect(fetch(`${transport.httpUrl}/health`)).rejects.toThrow();
  });
});

describe("JSON bodies read from the socket", () => {
  const MAX = 200;
  const USAGE = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };

  async function startWarmRoute() {
    const warmed: string[] = [];
    const app = createApp({
      warmService: {
        warm: async (conversationId) => {
          warmed.push(conversationId);
          return USAGE;
        },
      },
      maxBodyBytes: MAX,
    });
    const { transport } = await start({}, "127.0.0.1", app);
    return { url: `${transport.httpUrl}/chat/warm`, warmed, transport };
  }

  /** A body of exactly `size` bytes that parses as a warm request. */
  const bodyOf = (size: number) => {
    const json = JSON.stringify({ conversationId: "c1" });
    return json + " ".repeat(size - json.length);
  };

  /** POSTs the body in the given pieces, chunked (no Content-Length); status and body text. */
  function postChunked(url: string, pieces: string[]): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: "POST",
          headers: { "content-type": "application/json", host: new URL(url).host },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      for (const piece of pieces) req.write(piece);
      req.end();
    });
  }

  it("takes a body of exactly the limit and refuses one byte more, declared or streamed", async () => {
    const { url, warmed } = await startWarmRoute();
    const post = (body: string) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const exact = await post(bodyOf(MAX));
    expect(exact.status).toBe(200);
    expect(exact.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expect((await exact.text()).endsWith("}\n")).toBe(true);
    const over = await post(bodyOf(MAX + 1));
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({ error: `body is larger than ${MAX} bytes` });
    const body = bodyOf(MAX);
    expect(await postChunked(url, [body.slice(0, 7), body.slice(7)])).toMatchObject({
      status: 200,
    });
    const tooLong = bodyOf(MAX + 1);
    expect(await postChunked(url, [tooLong.slice(0, 100), tooLong.slice(100)])).toEqual({
      status: 413,
      text: `${JSON.stringify({ error: `body is larger than ${MAX} bytes` })}\n`,
    });
    expect(warmed).toEqual(["c1", "c1"]);
  });

  it("survives a client that drops the connection halfway through a body", async () => {
    const { transport, warmed } = await startWarmRoute();
    const port = Number(new URL(transport.httpUrl).port);
    await new Promise<void>((resolve) => {
      const socket = connectTcp(port, "127.0.0.1", () => {
        socket.write(
          `POST /chat/warm HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
            'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"con\r\n',
          () => {
            socket.destroy();
            resolve();
          },
        );
      });
    });
    expect((await fetch(`${transport.httpUrl}/health`)).status).toBe(200);
    expect(warmed).toEqual([]);
  });
});

describe("what an outsider can make a listener hold", () => {
  /** Opens a TCP connection, sends a partial request, resolves with how long until it closed. */
  function trickle(url: string, partial: string): Promise<number> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve) => {
      const started = Date.now();
      const socket = connectTcp(Number(port), hostname, () => socket.write(partial));
      socket.on("data", () => {});
      socket.on("error", () => {});
      socket.on("close", () => resolve(Date.now() - started));
    });
  }

  it.each(["httpUrl", "wsUrl"] as const)(
    "drops a request whose headers never finish on %s at the configured time, not 30 s later",
    async (which) => {
      const { transport } = await start({ httpRequestTimeoutMs: 500 });
      const url = transport[which].replace(/^ws/, "http");
      const held = await trickle(url, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      expect(held).toBeGreaterThanOrEqual(400);
      expect(held).toBeLessThan(2_500);
    },
  );

  it("answers a plain request on the WebSocket port with 426, and caps that port's connections", async () => {
    const { transport } = await start({ maxSockets: 1, maxHttpConnections: 1 });
    const res = await fetch(transport.wsUrl.replace(/^ws/, "http"));
    expect(res.status).toBe(426);
    expect(await res.text()).toBe("expected a WebSocket upgrade\n");
    // Two connections are allowed (sockets + HTTP); a third is closed at once.
    const { hostname, port } = new URL(transport.wsUrl.replace(/^ws/, "http"));
    const open = () =>
      new Promise<ReturnType<typeof connectTcp>>((resolve) => {
        const s = connectTcp(Number(port), hostname, () => resolve(s));
        s.on("error", () => {});
      });
    const held = [await open(), await open()];
    const third = await open();
    const closed = await new Promise<boolean>((resolve) => {
      third.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 1_000);
    });
    expect(closed).toBe(true);
    for (const s of held) s.destroy();
  });

  it("counts every loopback address as one for the per-address socket cap", async () => {
    const { transport } = await start({ maxSocketsPerAddress: 1 });
    const first = await connect(transport.wsUrl);
    const other = new WebSocket(transport.wsUrl, { localAddress: "127.0.0.2" });
    await new Promise((resolve) => other.once("open", resolve));
    expect((await first.closed).code).toBe(1006);
    other.close();
  });
});

describe("addressKey", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.9.8.7", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::1", "loopback"],
    ["::ffff:192.168.1.5", "192.168.1.5"],
    ["10.0.0.2", "10.0.0.2"],
    ["fe80::1", "fe80::1"],
  ])("keys %s as %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

describe("where the listeners are bound", () => {
  it.each([
    ["the default", undefined, "127.0.0.1", "IPv4"],
    ["HOST=0.0.0.0 (the LAN)", "0.0.0.0", "0.0.0.0", "IPv4"],
    ["an IPv6 host", "::1", "::1", "IPv6"],
  ])("binds both to %s, as the kernel reports it", async (_name, host, address, family) => {
    const { transport } = await start({}, host);
    const bound = transport.addresses();
    expect(bound.http).toMatchObject({ address, family });
    expect(bound.ws).toMatchObject({ address, family });
    expect(transport.httpUrl).toBe(
      `http://${family === "IPv6" ? `[${address}]` : address}:${bound.http.port}`,
    );
    expect(transport.wsUrl).toBe(
      `ws://${family === "IPv6" ? `[${address}]` : address}:${bound.ws.port}`,
    );
  });
});
