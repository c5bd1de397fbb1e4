// What a buggy client, a hostile local process or a failing disk can make the server hold or
// do, each bounded and shown over real sockets.
import { connect as connectTcp, createServer } from "node:net";
import { join } from "node:path";
import { Database } from "@dispatch/kv-storage/driver";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  cleanupAfterEach,
  postWarm,
  SurfaceClient,
  startTestServer,
  tempDataDir,
} from "./testing/helpers.js";

const afterTest = cleanupAfterEach();

async function serve(...args: Parameters<typeof startTestServer>) {
  const started = await startTestServer(...args);
  afterTest(() => started.server.close());
  return started;
}

async function client(url: string, options: WebSocket.ClientOptions = {}) {
  const c = await SurfaceClient.connect(url, options);
  afterTest(() => {
    c.socket.terminate();
  });
  return c;
}

const USAGE = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
const closed = (socket: WebSocket) =>
  new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));

/** Sends a raw HTTP request and returns its status line. */
function rawStatus(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, "127.0.0.1", () => socket.write(request));
    socket.once("data", (data) => {
      resolve(data.toString().split("\r\n")[0] ?? "");
      socket.destroy();
    });
    socket.once("error", reject);
  });
}

describe("1. a WebSocket client that never reads", () => {
  it("is closed once what waits for it passes the bound, instead of growing the server", async () => {
    const { server } = await serve({}, { transportLimits: { maxBufferedBytes: 64 * 1024 } });
    const reader = await client(server.wsUrl);
    await reader.take("catalog");
    const code = closed(reader.socket);
    // Stop reading at the TCP level, then ask for a 1 KiB spec again and again.
    (reader.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const subscribe = JSON.stringify({
      type: "subscribe",
      surfaceId: "cache-warming",
      conversationId: "c1",
    });
    for (let i = 0; i < 20_000 && reader.socket.readyState === WebSocket.OPEN; i++) {
      reader.socket.send(subscribe);
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    (reader.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await code).toBe(1013);
    // Meanwhile everybody else is served as usual.
    const other = await client(server.wsUrl);
    other.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c2" });
    expect((await other.take("surface")).conversationId).toBe("c2");
  });

  it("holds at most 100 subscriptions per socket, and stops reading one that floods it", async () => {
    let calls = 0;
    const { server } = await serve(
      { maxWarmsPerMinute: 0 },
      {
        warm: {
          warm: () => {
            calls += 1;
            return new Promise(() => {}); // warms never answer
          },
        },
      },
    );
    const c = await client(server.wsUrl);
    for (let i = 0; i < 101; i++) {
      c.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: `c${i}` });
    }
    const error = await c.take("error");
    expect(error.message).toBe("at most 100 subscriptions per connection");
    // Sent at once, subscribes are worked on concurrently: still 100 at most, never more.
    const burst = await client(server.wsUrl);
    const answered = { surface: 0, error: 0 };
    burst.socket.on("message", (data) => {
      const { type } = JSON.parse(data.toString()) as { type: string };
      if (type === "surface" || type === "error") answered[type] += 1;
    });
    for (let i = 0; i < 140; i++) {
      burst.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: `b${i}` });
    }
    while (answered.surface + answered.error < 140) await new Promise((r) => setTimeout(r, 5));
    expect(answered).toEqual({ surface: 100, error: 40 });
    // 16 requests in flight; then the server stops reading the socket, so a flood waits in
    // the client and the kernel, not in the server.
    const busy = await client(server.wsUrl);
    for (let i = 0; i < 5_000; i++) {
      busy.send({
        type: "invoke",
        surfaceId: "cache-warming",
        actionId: "cache-warming/warm-now",
        conversationId: `w${i}`,
      });
    }
    // The first 16 reach the provider; none beyond them ever does while they hang.
    await expect.poll(() => calls, { timeout: 10_000 }).toBe(16);
    // A round trip on another socket: whatever the server had read from the flood is handled.
    await (await client(server.wsUrl)).drain();
    expect(calls).toBe(16);
    expect(busy.socket.readyState).toBe(WebSocket.OPEN);
  });
});

describe("2. paid warms have a global budget", () => {
  it("caps automatic warms across conversations per minute, and says the schedule is paused by it", async () => {
    let calls = 0;
    const { server, clock } = await serve(
      { maxWarmsPerMinute: 6, manualWarmMinGapMs: 0 },
      {
        warm: {
          warm: async () => {
            calls += 1;
            return USAGE;
          },
        },
      },
    );
    for (let i = 0; i < 20; i++) {
      await server.warming.setSpendLimits(`c${i}`, { idleWarmCap: 0, deadWarmLimit: 0 });
      await server.warmer.setIntervalMs(`c${i}`, 1_000);
      await server.warmer.setEnabled(`c${i}`, true);
    }
    await clock.tickAsync(60_000);
    expect(calls).toBeLessThanOrEqual(6 + 6); // the burst, plus one minute's refill
    expect(calls).toBeGreaterThanOrEqual(6);
    expect(server.warming.budget.retryAt("c19")).not.toBeNull();
    expect(server.warming.stats().budgetRefusals).toBeGreaterThan(0);
    await clock.tickAsync(10 * 60_000);
    expect(calls).toBeLessThanOrEqual(6 + 11 * 6);
  });

  it("answers manual warms over the budget with 503 and Retry-After, whatever the id", async () => {
    const { server } = await serve({ maxWarmsPerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      expect((await postWarm(server.httpUrl, { conversationId: `id-${i}` })).status).toBe(200);
    }
    const refused = await postWarm(server.httpUrl, { conversationId: "id-9" });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/warm budget/) });
    // Upstream's ids take any case or spelling: each is its own conversation, and the budget
    // is global, so none of them buys a warm past it.
    for (const id of ["ID-1", "id-1 ", "id\u200b-1", "іd-1"]) {
      expect((await postWarm(server.httpUrl, { conversationId: id })).status).toBe(503);
    }
    expect((await postWarm(server.httpUrl, { conversationId: "id-1\u0000" })).status).toBe(400);
  });

  it("refuses to enable warming on more conversations than the cap", async () => {
    const { server } = await serve({ maxEnabledConversations: 2 });
    const c = await client(server.wsUrl);
    const toggle = (conversationId: string) =>
      c.send({
        type: "invoke",
        surfaceId: "cache-warming",
        actionId: "cache-warming/toggle",
        conversationId,
        payload: true,
      });
    toggle("a");
    toggle("b");
    toggle("c");
    expect((await c.take("error")).message).toBe(
      "at most 2 conversations may have warming enabled at once; disable one first",
    );
    expect(server.warmer.getState("c").enabled).toBe(false);
    expect(server.warming.stats()).toMatchObject({ enabledConversations: 2, enabledRefusals: 1 });
  });
});

describe("3. a settings write the disk refuses", () => {
  it("is refused without leaking paths, and never comes back — not with a later write, not after a restart", async () => {
    const dataDir = await tempDataDir();
    // The server holds its database alone, so the refusing disk is set up before it starts:
    // a stored row for c1, and a trigger that refuses to update it.
    const side = new Database(join(dataDir, "cache-warming.db"));
    side.exec(`CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO kv VALUES ('settings:c1', '{"enabled":false,"intervalMs":60000}');
      CREATE TRIGGER refuse BEFORE UPDATE ON kv WHEN NEW.key = 'settings:c1'
      BEGIN SELECT RAISE(ABORT, 'EROFS: read-only file system, open ${dataDir}/x'); END`);
    side.close();
    const first = await startTestServer({ dataDir });
    const c = await SurfaceClient.connect(first.server.wsUrl);
    c.send({
      type: "invoke",
      surfaceId: "cache-warming",
      actionId: "cache-warming/toggle",
      conversationId: "c1",
      payload: true,
    });
    const error = await c.take("error");
    expect(error.message).toBe("the request failed on the server");
    expect(error.message).not.toContain(dataDir);
    expect(first.server.warmer.getState("c1").enabled).toBe(false);
    await first.server.warmer.setEnabled("c2", true);
    await c.close();
    await first.server.close();

    const { server } = await serve({ dataDir });
    await server.warming.load("c1");
    expect(server.warmer.getState("c1")).toMatchObject({ enabled: false, intervalMs: 60_000 });
    await server.warming.load("c2");
    expect(server.warmer.getState("c2").enabled).toBe(true);
  });
});

describe("4. connections", () => {
  it("caps sockets in all and per address, and HTTP keeps answering meanwhile", async () => {
    const { server } = await serve(
      {},
      { transportLimits: { maxSockets: 2, maxSocketsPerAddress: 3 } },
    );
    await client(server.wsUrl);
    await client(server.wsUrl);
    await expect(SurfaceClient.connect(server.wsUrl)).rejects.toThrow("upgrade refused: 503");
    expect((await fetch(`${server.httpUrl}/health`)).status).toBe(200);
  });

  it("closes a subscribed socket that has said nothing for the subscribed idle time", async () => {
    const { server, clock } = await serve(
      {},
      // One beat, at 30 min: fake time gives the client no moment to answer pings in between.
      { transportLimits: { heartbeatMs: 30 * 60_000, subscribedIdleMs: 30 * 60_000 } },
    );
    const quiet = await client(server.wsUrl);
    quiet.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c1" });
    await quiet.take("surface");
    const shut = closed(quiet.socket);
    await clock.tickAsync(30 * 60_000);
    expect(await shut).toBe(1000);
  });

  it("drops a peer that stops answering pings, and closes a socket that watches and says nothing", async () => {
    const { server, clock } = await serve(
      {},
      { transportLimits: { heartbeatMs: 1_000, idleMs: 2_500 } },
    );
    const live = await client(server.wsUrl);
    live.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c1" });
    await live.take("surface");
    const dead = await client(server.wsUrl);
    dead.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c2" });
    await dead.take("surface");
    const idle = await client(server.wsUrl);
    const deadClosed = closed(dead.socket);
    const idleClosed = closed(idle.socket);
    (dead.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let beat = 0; beat < 3; beat++) {
      const pinged = new Promise((resolve) => live.socket.once("ping", resolve));
      await clock.tickAsync(1_000);
      // The live client answers each ping at once; a round trip after it means the server has
      // read the pong before the next beat.
      await pinged;
      await live.drain();
    }
    expect(await idleClosed).toBe(1000);
    (dead.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await deadClosed).toBe(1006);
    expect(live.socket.readyState).toBe(WebSocket.OPEN);
  });

  it("refuses an upgrade with two Host headers, and a cross-site one hiding its Origin", async () => {
    const { server } = await serve();
    const port = Number(new URL(server.wsUrl).port);
    const upgrade = (extra: string) =>
      rawStatus(
        port,
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
    expect(await upgrade("Host: evil.example\r\n")).toMatch(/^HTTP\/1\.1 421/);
    expect(await upgrade("Sec-Fetch-Site: cross-site\r\n")).toMatch(/^HTTP\/1\.1 403/);
    expect(await upgrade("")).toMatch(/^HTTP\/1\.1 101/);
  });
});

describe("5. state per conversation id", () => {
  it("does not keep conversations nobody watches once nothing runs, nor subscriptions of a closed socket", async () => {
    const { server, clock } = await serve();
    for (let i = 0; i < 200; i++) {
      expect((await postWarm(server.httpUrl, { conversationId: `unknown-${i}` })).status).toBe(200);
    }
    // Nothing is kept once each warm is answered (the rate limit keeps its own times, which
    // leave as they pass).
    expect(server.warming.stats().conversationsInMemory).toBe(0);
    await clock.tickAsync(1_010);
    expect(server.warming.stats().conversationsInMemory).toBe(0);

    const c = await SurfaceClient.connect(server.wsUrl);
    for (let i = 0; i < 50; i++) {
      c.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: `w${i}` });
      await c.take("surface");
    }
    expect(server.registry.hasSubscribers("cache-warming", "w0")).toBe(true);
    expect(server.warming.stats().conversationsInMemory).toBe(50);
    await c.close();
    await expect
      .poll(() => server.registry.hasSubscribers("cache-warming", "w0"), { timeout: 10_000 })
      .toBe(false);
    expect(server.warming.stats().conversationsInMemory).toBe(0);
  });

  it("keeps nothing in memory for refused requests: warms over the budget, enables over the cap", async () => {
    const { server } = await serve({ maxWarmsPerMinute: 1, maxEnabledConversations: 1 });
    expect((await postWarm(server.httpUrl, { conversationId: "paid" })).status).toBe(200);
    for (let i = 0; i < 300; i++) {
      expect((await postWarm(server.httpUrl, { conversationId: `fresh-${i}` })).status).toBe(503);
    }
    await server.warmer.setEnabled("on", true);
    for (let i = 0; i < 100; i++) {
      await expect(server.warmer.setEnabled(`more-${i}`, true)).rejects.toThrow(/at most 1/);
    }
    // "on" has warming on: nothing else is held.
    expect(server.warming.stats()).toMatchObject({
      conversationsInMemory: 1,
      budgetRefusals: 300,
      enabledRefusals: 100,
    });
  });

  it("stores nothing for settings back at their defaults", async () => {
    const dataDir = await tempDataDir();
    const { server } = await serve({ dataDir });
    for (let i = 0; i < 50; i++) {
      await server.warmer.setEnabled(`t${i}`, true);
      await server.warmer.setEnabled(`t${i}`, false);
    }
    await server.close();
    const db = new Database(join(dataDir, "cache-warming.db"), { readonly: true });
    afterTest(() => {
      db.close();
    });
    // Only the global warm budget is kept: nothing for the 50 conversations.
    expect(db.prepare("SELECT key FROM kv").all()).toEqual([{ key: "warm-budget" }]);
  });
});

describe("7. names no record can hold", () => {
  it("warms no model whose name is longer than a record keeps, manual or automatic", async () => {
    let calls = 0;
    const usage = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
    const { server, clock } = await serve(
      {},
      {
        warm: {
          warm: async () => {
            calls += 1;
            return usage;
          },
        },
      },
    );
    const long = `anthropic/${"x".repeat(265)}`; // 275 characters
    const manual = await postWarm(server.httpUrl, { conversationId: "c1", model: long });
    expect(manual.status).toBe(400);
    expect(await manual.json()).toEqual({
      error: "model names are at most 256 characters; no warm was sent",
    });
    await server.warmer.setEnabled("c2", true);
    await server.warmer.onTurnSettled("c2", { modelName: long });
    await clock.tickAsync(240_000);
    expect(calls).toBe(0);
    expect(
      (await postWarm(server.httpUrl, { conversationId: "c1", model: "x".repeat(256) })).status,
    ).toBe(200);
    expect(calls).toBe(1);
  });
});

describe("6. what errors say", () => {
  it("repeats at most 64 characters of the client's own input", async () => {
    const { server } = await serve();
    const c = await client(server.wsUrl);
    c.send({ type: `chat.${"x".repeat(60_000)}` });
    const error = await c.take("error");
    expect(error.message.length).toBeLessThan(140);
    c.send({
      type: "invoke",
      surfaceId: "cache-warming",
      actionId: "y".repeat(250),
      conversationId: "c1",
    });
    expect((await c.take("error")).message.length).toBeLessThan(140);
  });
});

describe("6. ports already in use", () => {
  it("fails the start with EADDRINUSE instead of hanging, and frees what it opened", async () => {
    const { server } = await serve();
    const httpPort = Number(new URL(server.httpUrl).port);
    const wsPort = Number(new URL(server.wsUrl).port);
    await expect(startTestServer({ httpPort })).rejects.toMatchObject({ code: "EADDRINUSE" });
    // The WebSocket port is taken: the HTTP port opened before it is closed again.
    const free = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    await expect(startTestServer({ httpPort: free, wsPort })).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    const again = await serve({ httpPort: free });
    expect(new URL(again.server.httpUrl).port).toBe(String(free));
  });
});
