// Pins what upstream's `POST /chat/warm` tests and callers rely on, with the warm route mounted
// the way upstream's `createApp` mounts it: into a foreign Hono app with its own global CORS
// and routes, called in-process with `app.request()` (no Host header).

import type { WarmOutcome, WarmService } from "@dispatch/cache-warming";
import { createCacheWarmer } from "@dispatch/cache-warming";
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

function service(outcome: WarmOutcome): WarmService & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    async warm(...args) {
      calls.push(args);
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

  it("judges a request without a Host header by its URL, and still refuses a foreign name", async () => {
    const app = upstreamLikeApp({ warmService: service(USAGE) });
    expect((await post(app, { conversationId: "c" })).status).toBe(200);
    const foreign = await app.request("http://evil.example/chat/warm", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversationId: "c" }),
    });
    expect(foreign.status).toBe(421);
  });

  it("leaves the host app's other routes alone (its checks apply to /chat/warm only)", async () => {
    const app = upstreamLikeApp({ warmService: service(USAGE) });
    const other = await app.request("http://evil.example/chat", {
      method: "POST",
      headers: { Origin: "https://evil.example" },
    });
    expect(other.status).toBe(200);
    const warm = await post(app, { conversationId: "c" }, { Origin: "https://evil.example" });
    expect(warm.status).toBe(403);
  });
});

describe("POST /chat/warm mounted in upstream's app, with the warmer", () => {
  it("warms through warmNow: the answer carries the new schedule and the warmer re-armed", async () => {
    const clock = FakeTimers.createClock(1_000_000);
    const svc = service(USAGE);
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
