// This package's HTTP app: the host check, CORS and /health around the same warm route
// upstream mounts into its own app.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { type AccessPolicy, createAccessPolicy, requestHost } from "./security.js";
import { createWarmRoute, type WarmRouteOptions } from "./warm-route.js";

export interface AppDeps extends Omit<WarmRouteOptions, "logger"> {
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

  // DNS rebinding: a foreign name that resolves to 127.0.0.1 still carries its own Host.
  app.use("*", async (c, next) => {
    if (!policy.allowsHost(requestHost(c.req.raw))) {
      return c.json({ error: "this server answers only to localhost names" }, 421);
    }
    await next();
  });
  app.use(
    "*",
    cors({
      origin: (origin) => (policy.allowsOrigin(origin) ? origin : null),
      allowMethods: ["GET", "POST", "OPTIONS"],
      allowHeaders: ["Content-Type"],
      maxAge: 600,
    }),
  );

  app.get("/health", (c) => c.json({ ok: true }));
  if (deps.stats) {
    const stats = deps.stats;
    app.get("/stats", (c) => c.json(stats()));
  }
  app.route("/", createWarmRoute({ ...deps, policy }));

  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((err, c) => {
    deps.logger?.error("request failed", { path: c.req.path, err });
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
