import type { CacheWarmer, WarmNowResult } from "@dispatch/cache-warming";
import { describeIssues } from "@dispatch/ui-contract";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { type AccessPolicy, createAccessPolicy } from "./security.js";

export interface AppDeps {
  /** The warmer behind `POST /chat/warm`; null when no warm service is configured (503). */
  warmer: Pick<CacheWarmer, "warmNow"> | null;
  policy?: AccessPolicy;
  /** Largest JSON body accepted, in bytes. Default 4 KiB. */
  maxBodyBytes?: number;
  logger?: { error(message: string, meta?: Record<string, unknown>): void };
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024;

export const warmRequestSchema = z.object({
  conversationId: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters"),
  model: z.string().min(1).max(256).optional(),
  cwd: z.string().min(1).max(4096).optional(),
});

const STATUS_BY_REASON: Record<
  Exclude<WarmNowResult, { ok: true }>["reason"],
  ContentfulStatusCode
> = {
  generating: 409,
  refused: 409,
  closed: 409,
  "rate-limited": 429,
  failed: 502,
  timeout: 502,
};

export function createApp(deps: AppDeps): Hono {
  const policy = deps.policy ?? createAccessPolicy();
  const app = new Hono();

  // DNS rebinding: a foreign name that resolves to 127.0.0.1 still carries its own Host.
  app.use("*", async (c, next) => {
    if (!policy.allowsHost(c.req.header("host"))) {
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

  app.post(
    "/chat/warm",
    // A warm costs money, so a foreign page is refused outright, not just denied the answer.
    async (c, next) => {
      if (!policy.allowsOrigin(c.req.header("origin"))) {
        return c.json({ error: "origin not allowed" }, 403);
      }
      await next();
    },
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          { error: `body is larger than ${deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes` },
          413,
        ),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return c.json({ error: "body is not valid JSON" }, 400);
      }
      const parsed = warmRequestSchema.safeParse(body);
      if (!parsed.success) return c.json({ error: describeIssues(parsed.error, "body") }, 400);
      if (!deps.warmer) return c.json({ error: "no warm service is configured" }, 503);

      const { conversationId, model, cwd } = parsed.data;
      const result = await deps.warmer.warmNow(conversationId, {
        ...(model === undefined ? {} : { modelName: model }),
        ...(cwd === undefined ? {} : { cwd }),
      });
      if (!result.ok) {
        if (result.retryAfterMs !== undefined) {
          c.header("Retry-After", String(Math.ceil(result.retryAfterMs / 1000)));
        }
        return c.json({ error: result.error }, STATUS_BY_REASON[result.reason]);
      }
      return c.json({
        ...result.usage,
        cachePct: result.cachePct,
        expectedCacheRate: result.expectedCacheRate,
        nextWarmAt: result.nextWarmAt,
        lastWarmAt: result.lastWarmAt,
      });
    },
  );

  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((error, c) => {
    deps.logger?.error("request failed", { path: c.req.path, error });
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
