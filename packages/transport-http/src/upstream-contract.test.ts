// Pins what upstream's `POST /chat/warm` tests and callers rely on, with the warm route mounted
// the way upstream's `createApp` mounts it: into a foreign Hono app with its own global CORS
// and routes, called in-process with `app.request()` (no Host header).

import { createCacheWarmer, type WarmResult } from "@dispatch/cache-warming";
import FakeTimers from "@sinonjs/fake-timers";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { describe, expect, it } from "vitest";
import { createWarmRoute, type WarmRouteOptions } from "./index.js";

const USAGE = { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 800, cacheWriteTokens: 100 };

/** Upstream's app shape: global CORS "*", other routes, and the one mounted line. */
function upstreamLikeApp(options: WarmRouteOptions) {
  const app = new Hono();
  app.use("*", cors({ origin: "*" }));
  app.get("/health", (c) => c.json({ ok: true }));
  app.post("/chat", (c) => c.json({ other: true }));
  app.route("/", createWarmRoute(options));
  return app;
}

type Outcome = WarmResult | { readonly error: string };

/** Upstream's warm service; `completed` is its warm-completed event, emitted before it answers. */
function service(outcome: Outcome, completed: (id: string, usage: WarmResult) => void = () => {}) {
  const calls: unknown[][] = [];
  return {
    calls,
    async warm(id: string, opts?: { cwd?: string; modelName?: string }): Promise<Outcome> {
      calls.push([id, opts]);
      if (!("error" in outcome)) completed(id, outcome);
      return outcome;
    },
  };
}

const post = (app: Hono, body: unknown, headers: Record<string, string> = {}) =>
  app.request("/chat/warm", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /chat/warm mounted in upstream's app, with upstream's warm service only", () => {
  it("answers 200 with the six fields upstream returns, model and cwd passed as upstream names them", async () => {
    const svc = service(USAGE);
    const res = await post(upstreamLikeApp({ warmService: svc }), {
      conversationId: "conv1",
      model: "m1",
      cwd: "/repo",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ...USAGE,
      cachePct: 80,
      expectedCacheRate: 89,
    });
    expect(svc.calls).toEqual([["conv1", { modelName: "m1", cwd: "/repo" }]]);
  });

  it("answers 409 with the service's own refusal text", async () => {
    const res = await post(upstreamLikeApp({ warmService: service({ error: "no history" }) }), {
      conversationId: "conv1",
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: "no history" });
  });

  it.each([
    ["not JSON", "{", /Invalid JSON body/],
    ["no conversationId", {}, /conversationId/],
    ["empty conversationId", { conversationId: "" }, /conversationId/],
    ["model not a string", { conversationId: "c", model: 5 }, /model/],
  ])("answers 400 for %s and does not warm", async (_name, body, message) => {
    const svc = service(USAGE);
    const res = await post(upstreamLikeApp({ warmService: svc }), body);
    expect(res.status).toBe(400);
    expect((await res.json()) as { error: string }).toEqual({
      error: expect.stringMatching(message),
    });
    expect(svc.calls).toHaveLength(0);
  });

  it("answers 503 with upstream's text when neither a warmer nor a service is there", async () => {
    const res = await post(upstreamLikeApp({}), { conversationId: "c" });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "Warm service not available" });
  });

  // Upstream's deployment: Bun.serve on every interface, the web at ${location.hostname}:24203.
  it.each([
    ["a LAN host name", { host: "my-desktop:24203" }, JSON.stringify({ conversationId: "c" })],
    [
      "a tailnet address",
      { host: "100.101.102.103:24203" },
      JSON.stringify({ conversationId: "c" }),
    ],
    [
      "the web served from the LAN",
      { origin: "http://my-desktop:24204", host: "my-desktop:24203" },
      JSON.stringify({ conversationId: "c" }),
    ],
    [
      "a foreign Origin",
      { origin: "https://elsewhere.example" },
      JSON.stringify({ conversationId: "c" }),
    ],
    [
      "a text/plain body",
      { "content-type": "text/plain" },
      JSON.stringify({ conversationId: "c" }),
    ],
    ["an id with capitals and a dot", {}, JSON.stringify({ conversationId: "My-Chat.v2" })],
    ["a 5 KiB body", {}, JSON.stringify({ conversationId: "c", pad: "x".repeat(5 * 1024) })],
  ])("serves %s as upstream's handler did", async (_name, headers, body) => {
    const svc = service(USAGE);
    const app = upstreamLikeApp({ warmService: svc });
    const res = await app.request("http://127.0.0.1:24203/chat/warm", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body,
    });
    expect(res.status).toBe(200);
    expect(svc.calls).toHaveLength(1);
  });

  it("leaves the host app's other routes and its CORS alone", async () => {
    const app = upstreamLikeApp({ warmService: service(USAGE) });
    const other = await app.request("/chat", { method: "POST" });
    expect(await other.json()).toEqual({ other: true });
    const warm = await post(app, { conversationId: "c" }, { Origin: "https://elsewhere.example" });
    expect(warm.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("POST /chat/warm mounted in upstream's app, with the warmer", () => {
  it("warms through warmNow: the answer carries the new schedule and the warmer re-armed", async () => {
    const clock = FakeTimers.createClock(1_000_000);
    // The host's bus carries the service's completion event to the warmer, as upstream's does.
    const svc = service(USAGE, (conversationId, usage) =>
      warmer.onWarmCompleted({ conversationId, usage }),
    );
    const warmer = createCacheWarmer({
      warm: svc.warm,
      storage: { get: async () => null, set: async () => {} },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      timers: {
        setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
        clearTimer: (id) => clock.clearTimeout(id),
      },
      now: () => clock.now,
      onSurfaceChange() {},
    });
    await warmer.setEnabled("c", true);
    clock.tick(5_000);
    const app = upstreamLikeApp({ warmer, warmService: svc });
    const res = await post(app, { conversationId: "c", model: "m1" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ...USAGE,
      cachePct: 80,
      expectedCacheRate: 89,
      lastWarmAt: 1_005_000,
      nextWarmAt: 1_005_000 + 240_000,
    });
    expect(warmer.getState("c").nextWarmAt).toBe(1_005_000 + 240_000);
    expect(svc.calls).toEqual([["c", { modelName: "m1" }]]);
  });
});
