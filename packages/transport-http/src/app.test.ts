// The app around the warm route: Host check, CORS, /health, /stats, the state and settings
// routes, the dev routes and the error handler — what an HTTP client is answered.
import { SurfaceError } from "@dispatch/surface-registry";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { type AppDeps, createApp, createWarmRoute, type DevControls } from "./index.js";

const HOST = { host: "127.0.0.1:24203" };
const FRONTEND = "http://localhost:5173";
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

function setup(extra: Partial<AppDeps> = {}) {
  const actions: unknown[][] = [];
  const devCalls: unknown[][] = [];
  const errors: unknown[][] = [];
  let setting = "off";
  const dev: DevControls = {
    turn: (...args) => {
      devCalls.push(["turn", ...args]);
    },
    setHistory: (...args) => {
      devCalls.push(["history", ...args]);
    },
  };
  const app = createApp({
    conversationState: async (id) => ({ id, setting }),
    invokeAction: async (id, actionId, payload) => {
      actions.push([id, actionId, payload]);
      if (payload === "refuse") throw new SurfaceError("toggle expects true or false");
      if (payload === "crash") throw new Error("disk on fire");
      setting = String(payload);
    },
    dev,
    stats: () => ({ warms: 3 }),
    logger: {
      info() {},
      warn() {},
      error: (...args) => {
        errors.push(args);
      },
    },
    ...extra,
  });
  const request = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    app.request(path, { ...init, headers: { ...HOST, ...init.headers } });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { app, request, post, actions, devCalls, errors };
}

describe("HTTP app", () => {
  it("answers only to this machine's names (421 with a JSON reason)", async () => {
    const { request } = setup();
    const refused = await request("/health", { headers: { host: "evil.example" } });
    expect(refused.status).toBe(421);
    expect(await refused.json()).toEqual({ error: "this server answers only to localhost names" });
    const ok = await request("/health");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
  });

  it("answers a preflight from an allowed page with the CORS grant, and others with none", async () => {
    const { request } = setup();
    const allowed = await request("/chat/warm", {
      method: "OPTIONS",
      headers: { origin: FRONTEND },
    });
    expect(allowed.status).toBe(204);
    expect(Object.fromEntries(allowed.headers)).toMatchObject({
      "access-control-allow-origin": FRONTEND,
      "access-control-allow-methods": "GET,POST,OPTIONS",
      "access-control-allow-headers": "Content-Type",
      "access-control-max-age": "600",
      vary: "Origin",
    });
    const foreign = await request("/chat/warm", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(204);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    expect(foreign.headers.get("access-control-allow-methods")).toBeNull();
    expect(foreign.headers.get("vary")).toBe("Origin");
  });

  it("grants an allowed page's GET, says Vary for any page, and leaves non-browser calls bare", async () => {
    const { request } = setup();
    const page = await request("/health", { headers: { origin: FRONTEND } });
    expect(page.headers.get("access-control-allow-origin")).toBe(FRONTEND);
    expect(page.headers.get("vary")).toBe("Origin");
    const foreign = await request("/health", { headers: { origin: "https://evil.example" } });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    expect(foreign.headers.get("vary")).toBe("Origin");
    const curl = await request("/health");
    expect(curl.headers.get("access-control-allow-origin")).toBeNull();
    expect(curl.headers.get("vary")).toBeNull();
  });

  it("serves /stats only when counters are given", async () => {
    expect(await (await setup().request("/stats")).json()).toEqual({ warms: 3 });
    const bare = await setup({ stats: undefined }).request("/stats");
    expect(bare.status).toBe(404);
    expect(await bare.json()).toEqual({ error: "not found" });
  });

  it("answers a conversation's state, and 400 for an id that cannot be one", async () => {
    const { request } = setup();
    const state = await request("/cache-warming/c1");
    expect(state.status).toBe(200);
    expect(await state.json()).toEqual({ id: "c1", setting: "off" });
    const bad = await request("/cache-warming/line%0Abreak");
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatch(/^conversationId/);
    expect(
      (await setup({ conversationState: undefined }).request("/cache-warming/c1")).status,
    ).toBe(404);
  });

  it("applies a settings action and answers with the new state", async () => {
    const { post, actions } = setup();
    const res = await post("/cache-warming/c1/actions/toggle", true);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "c1", setting: "true" });
    expect(actions).toEqual([["c1", "cache-warming/toggle", true]]);
    // An empty body is an action without payload.
    const empty = await setup().post("/cache-warming/c1/actions/set-spend-limits", "");
    expect(empty.status).toBe(200);
  });

  it("refuses bad settings calls with a reason, changing nothing", async () => {
    const { post, actions, errors } = setup();
    const foreign = await post("/cache-warming/c1/actions/toggle", true, {
      origin: "https://evil.example",
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: "origin not allowed" });
    const hidden = await post("/cache-warming/c1/actions/toggle", true, {
      "sec-fetch-site": "cross-site",
    });
    expect(hidden.status).toBe(403);
    const badId = await post("/cache-warming/nul%00id/actions/toggle", true);
    expect(badId.status).toBe(400);
    expect(await errorOf(badId)).toMatch(/^conversationId/);
    const unknown = await post("/cache-warming/c1/actions/warm-now", true);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: "unknown action; use one of toggle, set-interval, set-spend-limits",
    });
    const notJson = await post("/cache-warming/c1/actions/toggle", "{", {});
    expect(notJson.status).toBe(400);
    expect(actions).toEqual([]);
    const refused = await post("/cache-warming/c1/actions/toggle", JSON.stringify("refuse"));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: "toggle expects true or false" });
    const crashed = await post("/cache-warming/c1/actions/toggle", JSON.stringify("crash"));
    expect(crashed.status).toBe(500);
    expect(await crashed.json()).toEqual({ error: "internal error" });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toBe("request failed");
    expect(errors[0]?.[1]).toMatchObject({ path: "/cache-warming/c1/actions/toggle" });
  });

  it("mounts settings actions only with both a state reader and an action handler", async () => {
    const { post } = setup({ invokeAction: undefined });
    expect((await post("/cache-warming/c1/actions/toggle", true)).status).toBe(404);
  });

  it("passes dev turns and history through, with only the fields given", async () => {
    const { post, devCalls } = setup();
    expect(
      (await post("/dev/turn", { conversationId: "c1", phase: "started", model: "m", cwd: "/w" }))
        .status,
    ).toBe(200);
    const settled = await post("/dev/turn", { conversationId: "c1", phase: "settled" });
    expect(await settled.json()).toEqual({ ok: true });
    expect(
      await (await post("/dev/history", { conversationId: "c1", present: false })).json(),
    ).toEqual({ ok: true });
    expect(devCalls).toEqual([
      ["turn", "c1", "started", { modelName: "m", cwd: "/w" }],
      ["turn", "c1", "settled", {}],
      ["history", "c1", false],
    ]);
  });

  it("refuses bad dev calls with a reason, and is absent unless configured", async () => {
    const { post, devCalls } = setup();
    for (const path of ["/dev/turn", "/dev/history"]) {
      const foreign = await post(path, {}, { origin: "https://evil.example" });
      expect(foreign.status).toBe(403);
      expect(await foreign.json()).toEqual({ error: "origin not allowed" });
      const notJson = await post(path, "{");
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toEqual({ error: "Invalid JSON body" });
    }
    const badPhase = await post("/dev/turn", { conversationId: "c1", phase: "later" });
    expect(badPhase.status).toBe(400);
    expect(await errorOf(badPhase)).toMatch(/^phase: /);
    const badHistory = await post("/dev/history", { conversationId: "c1", present: "yes" });
    expect(badHistory.status).toBe(400);
    expect(await errorOf(badHistory)).toMatch(/^present: /);
    expect(devCalls).toEqual([]);
    expect((await setup({ dev: undefined }).post("/dev/turn", {})).status).toBe(404);
  });

  it("answers a preflight without an Origin with no grant", async () => {
    const bare = await setup().request("/chat/warm", { method: "OPTIONS" });
    expect(bare.status).toBe(204);
    expect(bare.headers.get("access-control-allow-methods")).toBeNull();
    expect(bare.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("the app's refusal log lines", () => {
  it("logs every refusal of the app's policy: foreign host, foreign origin, not JSON, too large", async () => {
    const lines: unknown[][] = [];
    const app = createApp({
      warmService: {
        warm: async () => ({
          inputTokens: 1,
          outputTokens: 1,
          cacheReadTokens: 1,
          cacheWriteTokens: 0,
        }),
      },
      maxBodyBytes: 64,
      logger: {
        info() {},
        warn: (...args) => {
          lines.push(args);
        },
        error() {},
      },
    });
    const post = (headers: Record<string, string>, body = '{"conversationId":"c1"}') =>
      app.request("/chat/warm", {
        method: "POST",
        headers: { host: "127.0.0.1:24203", "content-type": "application/json", ...headers },
        body,
      });
    expect((await post({ host: "evil.example" })).status).toBe(421);
    expect((await post({ origin: "https://evil.example" })).status).toBe(403);
    expect((await post({ "content-type": "text/plain" })).status).toBe(415);
    expect(
      (await post({}, JSON.stringify({ conversationId: "c1", pad: "x".repeat(100) }))).status,
    ).toBe(413);
    expect(lines).toEqual([
      ["request refused: foreign host", { host: "evil.example" }],
      ["request refused: origin not allowed", { origin: "https://evil.example" }],
      ["request refused: body not sent as JSON", { path: "/chat/warm" }],
      ["request refused: body too large", { path: "/chat/warm", maxBytes: 64 }],
    ]);
  });

  it("takes a body of exactly the limit, and answers 400 when the body cannot be read", async () => {
    const app = createApp({
      warmService: {
        warm: async () => ({
          inputTokens: 1,
          outputTokens: 1,
          cacheReadTokens: 1,
          cacheWriteTokens: 0,
        }),
      },
      maxBodyBytes: 64,
    });
    const body = JSON.stringify({ conversationId: "c1", pad: "" });
    const exact = `${body.slice(0, -1)}${" ".repeat(64 - body.length)}}`;
    expect(Buffer.byteLength(exact)).toBe(64);
    const ok = await app.request("/chat/warm", {
      method: "POST",
      headers: { host: "127.0.0.1:24203", "content-type": "application/json" },
      body: exact,
    });
    expect(ok.status).toBe(200);
    const broken = new ReadableStream({
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const res = await app.request("/chat/warm", {
      method: "POST",
      headers: { host: "127.0.0.1:24203", "content-type": "application/json" },
      body: broken,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Invalid JSON body" });
  });
});

describe("the warm route's log lines", () => {
  const USAGE = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };

  function route() {
    const lines: unknown[][] = [];
    const app = new Hono();
    app.route(
      "/",
      createWarmRoute({
        warmService: {
          warm: async (id) => (id === "busy" ? { error: "conversation is generating" } : USAGE),
        },
        logger: {
          info: (...args) => {
            lines.push(["info", ...args]);
          },
          warn: (...args) => {
            lines.push(["warn", ...args]);
          },
        },
      }),
    );
    const post = (body: string, headers: Record<string, string> = {}) =>
      app.request("/chat/warm", {
        method: "POST",
        headers: { host: "localhost:24203", "content-type": "application/json", ...headers },
        body,
      });
    return { lines, post };
  }

  it("logs a warm the service refused, with the reason", async () => {
    const { lines, post } = route();
    expect((await post(JSON.stringify({ conversationId: "busy" }))).status).toBe(409);
    expect(lines).toEqual([
      [
        "info",
        "chat/warm: request accepted",
        { conversationId: "busy", hasModel: false, hasCwd: false },
      ],
      ["warn", "chat/warm: refused", { conversationId: "busy", reason: "refused" }],
    ]);
  });

  it("logs an accepted request with what it carried, and each refusal with its reason", async () => {
    const { lines, post } = route();
    await post(JSON.stringify({ conversationId: "c1", model: "m" }));
    await post(JSON.stringify({ conversationId: "c2", cwd: "/w" }));
    await post("{");
    await post(JSON.stringify({ conversationId: "" }));
    await post("{}", { "content-type": "text/plain" });
    expect(lines).toEqual([
      [
        "info",
        "chat/warm: request accepted",
        { conversationId: "c1", hasModel: true, hasCwd: false },
      ],
      [
        "info",
        "chat/warm: request accepted",
        { conversationId: "c2", hasModel: false, hasCwd: true },
      ],
      ["warn", "chat/warm: invalid JSON body"],
      [
        "warn",
        "chat/warm: validation failed",
        { reason: expect.stringMatching(/^Field 'conversationId'/) },
      ],
      // Upstream reads the body whatever its content type; so does the route on its own.
      [
        "warn",
        "chat/warm: validation failed",
        { reason: expect.stringMatching(/^Field 'conversationId'/) },
      ],
    ]);
  });

  it("answers any host, as upstream's handler does, and lets the host app add a guard", async () => {
    const { post } = route();
    const res = await post(JSON.stringify({ conversationId: "c1" }), { host: "my-desktop" });
    expect(res.status).toBe(200);
    const guarded = new Hono();
    guarded.route(
      "/",
      createWarmRoute({
        warmService: { warm: async () => USAGE },
        guard: async (c, next) =>
          c.req.header("x-key") === "k" ? next() : c.json({ error: "no key" }, 401),
      }),
    );
    const refused = await guarded.request("/chat/warm", {
      method: "POST",
      body: JSON.stringify({ conversationId: "c1" }),
    });
    expect(refused.status).toBe(401);
    const allowed = await guarded.request("/chat/warm", {
      method: "POST",
      headers: { "x-key": "k" },
      body: JSON.stringify({ conversationId: "c1" }),
    });
    expect(allowed.status).toBe(200);
  });
});
