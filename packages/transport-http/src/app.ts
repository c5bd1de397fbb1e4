// This repo's HTTP app (the standalone server's, not merged): one access policy for the
// whole app (Host, Origin, CORS), bounded JSON bodies, /health and /stats, the state and
// settings routes and the dev routes, around the same warm route upstream mounts into its app.
import { conversationIdSchema, describeIssues } from "@dispatch/ui-contract-schemas";
import { type Context, Hono } from "hono";
import * as z from "zod";
import { jsonLine } from "./json-line.js";
import { jsonBodyLimit } from "./read-body.js";
import { type AccessPolicy, createAccessPolicy, requestHost } from "./security.js";
import { createWarmRoute, type WarmRouteOptions } from "./warm-route.js";

/** Largest JSON body the app accepts, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024;

/** Longest piece of a client's own input a log line repeats. */
const LOG_ECHO_LIMIT = 64;
const clip = (value: string | null) =>
  value === null || value.length <= LOG_ECHO_LIMIT ? value : `${value.slice(0, LOG_ECHO_LIMIT)}…`;

/** Dev-only controls (off unless configured): turns and history, to try every behaviour. */
export interface DevControls {
  turn(
    conversationId: string,
    phase: "started" | "settled",
    ctx: { modelName?: string; cwd?: string },
  ): void;
  setHistory(conversationId: string, present: boolean): void;
}

export interface AppDeps extends Pick<WarmRouteOptions, "warmer" | "warmService"> {
  /** Who may talk to the server (Host, Origin); default: this machine's loopback names. */
  readonly policy?: AccessPolicy | undefined;
  /** Largest JSON body accepted, in bytes. Default 4 KiB. */
  readonly maxBodyBytes?: number | undefined;
  /** One conversation's state, as the surface shows it, for `GET /cache-warming/:id`. */
  readonly conversationState?: ((conversationId: string) => Promise<unknown>) | undefined;
  /**
   * A surface action on one conversation (`toggle`, `set-interval`, `set-spend-limits`), for
   * `POST /cache-warming/:id/actions/:name`: the same checks as over the socket.
   */
  readonly invokeAction?:
    | ((conversationId: string, actionId: string, payload: unknown) => Promise<void>)
    | undefined;
  readonly dev?: DevControls | undefined;
  /**
   * Whether the server can do its work (its store writes), for `GET /health`: 200 `{ ok: true }`,
   * else 503 `{ ok: false, reason }`. Default: always ok.
   */
  readonly health?: (() => { readonly ok: boolean; readonly reason: string | null }) | undefined;
  /** Counters for `GET /stats` (warms, refusals, conversations, sockets). */
  readonly stats?: (() => Readonly<Record<string, number>>) | undefined;
  readonly logger?:
    | (WarmRouteOptions["logger"] & {
        readonly error: (
          msg: string,
          attrs?: { readonly err?: unknown; readonly [key: string]: unknown },
        ) => void;
      })
    | undefined;
}

export function createApp(deps: AppDeps): Hono {
  const policy: AccessPolicy = deps.policy ?? createAccessPolicy();
  const app = new Hono();

  // One policy for the whole app: a check on one route of many protects nothing. CORS
  // headers are set before the handler runs, so the handler's response goes out as built
  // (appending them afterwards, as hono/cors does, rebuilds every response around a stream).
  app.use("*", async (c, next) => {
    // DNS rebinding: a foreign name that resolves to 127.0.0.1 still carries its own Host.
    if (!policy.allowsHost(requestHost(c.req.raw))) {
      deps.logger?.warn("request refused: foreign host", { host: clip(requestHost(c.req.raw)) });
      return jsonLine(c, { error: "this server answers only to localhost names" }, 421);
    }
    const origin = c.req.header("origin");
    const allowed = origin !== undefined && policy.allowsOrigin(origin);
    if (c.req.method === "OPTIONS") {
      if (allowed) {
        c.header("Access-Control-Allow-Origin", origin);
        c.header("Access-Control-Allow-Methods", "GET,POST,OPTIONS");
        c.header("Access-Control-Allow-Headers", "Content-Type");
        c.header("Access-Control-Max-Age", "600");
      }
      c.header("Vary", "Origin");
      return c.body(null, 204);
    }
    // A change (a paid warm, a setting) from a foreign page is refused outright, not just
    // denied its answer.
    if (c.req.method !== "GET" && !policy.allowsRequest(origin, c.req.header("sec-fetch-site"))) {
      deps.logger?.warn("request refused: origin not allowed", { origin: clip(origin ?? null) });
      return jsonLine(c, { error: "origin not allowed" }, 403);
    }
    if (allowed) c.header("Access-Control-Allow-Origin", origin);
    if (origin !== undefined) c.header("Vary", "Origin");
    await next();
  });
  app.post("*", jsonBodyLimit(deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, deps.logger));

  app.get("/health", (c) => {
    const health = deps.health?.() ?? { ok: true, reason: null };
    return health.ok
      ? jsonLine(c, { ok: true })
      : jsonLine(c, { ok: false, reason: health.reason }, 503);
  });
  if (deps.stats) {
    const stats = deps.stats;
    app.get("/stats", (c) => jsonLine(c, stats()));
  }
  app.route(
    "/",
    createWarmRoute({
      ...deps,
      checkConversationId: (id) => {
        const parsed = conversationIdSchema.safeParse(id);
        return parsed.success ? null : describeIssues(parsed.error, "conversationId");
      },
    }),
  );

  const conversationState = deps.conversationState;
  if (conversationState) {
    app.get("/cache-warming/:conversationId", async (c) => {
      const id = conversationIdSchema.safeParse(c.req.param("conversationId"));
      if (!id.success)
        return jsonLine(c, { error: describeIssues(id.error, "conversationId") }, 400);
      return jsonLine(c, await conversationState(id.data));
    });
  }
  if (conversationState && deps.invokeAction) {
    mountActionRoute(app, deps.invokeAction, conversationState);
  }
  if (deps.dev) mountDevRoutes(app, deps.dev);

  app.notFound((c) => jsonLine(c, { error: "not found" }, 404));
  app.onError((err, c) => {
    deps.logger?.error("request failed", { path: c.req.path, err });
    return jsonLine(c, { error: "internal error" }, 500);
  });
  return app;
}

const HTTP_ACTIONS = new Set(["toggle", "set-interval", "set-spend-limits"]);

/** Settings over HTTP: one route onto the surface's own actions, answered with the new state. */
function mountActionRoute(
  app: Hono,
  invokeAction: NonNullable<AppDeps["invokeAction"]>,
  conversationState: (conversationId: string) => Promise<unknown>,
): void {
  app.post("/cache-warming/:conversationId/actions/:action", async (c) => {
    const id = conversationIdSchema.safeParse(c.req.param("conversationId"));
    if (!id.success) return jsonLine(c, { error: describeIssues(id.error, "conversationId") }, 400);
    const action = c.req.param("action");
    if (!HTTP_ACTIONS.has(action)) {
      return jsonLine(
        c,
        { error: `unknown action; use one of ${[...HTTP_ACTIONS].join(", ")}` },
        404,
      );
    }
    const text = await c.req.text();
    let payload: unknown;
    try {
      payload = text.trim() === "" ? undefined : JSON.parse(text);
    } catch {
      return jsonLine(c, { error: "Invalid JSON body" }, 400);
    }
    try {
      await invokeAction(id.data, `cache-warming/${action}`, payload);
    } catch (error) {
      // Refusals written for the client say what was wrong; anything else is ours (500).
      if (error instanceof Error && (error as { expose?: unknown }).expose === true) {
        return jsonLine(c, { error: error.message }, 400);
      }
      throw error;
    }
    return jsonLine(c, await conversationState(id.data));
  });
}

const devTurnSchema = z.object({
  conversationId: conversationIdSchema,
  phase: z.enum(["started", "settled"]),
  model: z.string().min(1).max(256).exactOptional(),
  cwd: z.string().min(1).max(4096).exactOptional(),
});
const devHistorySchema = z.object({ conversationId: conversationIdSchema, present: z.boolean() });

/** `POST /dev/turn` and `POST /dev/history`: for trying turn-related behaviour by hand. */
function mountDevRoutes(app: Hono, dev: DevControls): void {
  const parse = async <T>(c: Context, schema: z.ZodType<T>) => {
    try {
      const parsed = schema.safeParse(await c.req.json());
      return parsed.success
        ? { value: parsed.data }
        : { error: describeIssues(parsed.error, "body") };
    } catch {
      return { error: "Invalid JSON body" };
    }
  };
  app.post("/dev/turn", async (c) => {
    const body = await parse(c, devTurnSchema);
    if ("error" in body) return jsonLine(c, { error: body.error }, 400);
    const { conversationId, phase, model, cwd } = body.value;
    dev.turn(conversationId, phase, {
      ...(model === undefined ? {} : { modelName: model }),
      ...(cwd === undefined ? {} : { cwd }),
    });
    return jsonLine(c, { ok: true });
  });
  app.post("/dev/history", async (c) => {
    const body = await parse(c, devHistorySchema);
    if ("error" in body) return jsonLine(c, { error: body.error }, 400);
    dev.setHistory(body.value.conversationId, body.value.present);
    return jsonLine(c, { ok: true });
  });
}
