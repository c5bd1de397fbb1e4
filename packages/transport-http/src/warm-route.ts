// `POST /chat/warm` as one mountable piece. Upstream's `createApp` keeps its other ~40 route
// groups and replaces only its own handler with
//   app.route("/", createWarmRoute({ warmer: opts.cacheWarmer, warmService: opts.warmService, logger: log }));
// and this package's own app is composed from the same piece.
import {
  type CacheWarmer,
  computeCachePct,
  computeExpectedCacheRate,
  isWarmFailure,
  systemClock,
  type WarmNowResult,
  type WarmService,
} from "@dispatch/cache-warming";
import { conversationIdSchema, describeIssues } from "@dispatch/ui-contract";
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { jsonLine } from "./json-line.js";
import { readJsonBody } from "./read-body.js";
import { type AccessPolicy, createAccessPolicy, requestHost } from "./security.js";

/** The route logs like upstream's routes do (their kernel logger fits). */
export interface RouteLogger {
  readonly info: (
    msg: string,
    attrs?: Readonly<Record<string, string | number | boolean | null>>,
  ) => void;
  readonly warn: (
    msg: string,
    attrs?: Readonly<Record<string, string | number | boolean | null>>,
  ) => void;
}

export interface WarmRouteOptions {
  /** Manual warms go through the warmer (warm → record → re-arm → notify). */
  readonly warmer?: Pick<CacheWarmer, "warmNow"> | null | undefined;
  /**
   * Upstream's bare warm service, used only when no warmer is given (the cache-warming
   * extension is not loaded); its completion event still reaches a warmer that listens.
   */
  readonly warmService?: WarmService | undefined;
  readonly policy?: AccessPolicy | undefined;
  /** Largest JSON body accepted, in bytes. Default 4 KiB. */
  readonly maxBodyBytes?: number | undefined;
  readonly logger?: RouteLogger | undefined;
  /** Epoch-ms clock for `lastWarmAt` on the warmer-less path. */
  readonly now?: (() => number) | undefined;
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024;

export const warmRequestSchema = z.object({
  conversationId: conversationIdSchema,
  model: z.string().min(1).max(256).optional(),
  cwd: z.string().min(1).max(4096).optional(),
});

type Refusal = Exclude<WarmNowResult, { ok: true }>;

const STATUS_BY_REASON: Record<Refusal["reason"], ContentfulStatusCode> = {
  generating: 409,
  refused: 409,
  closed: 409,
  "rate-limited": 429,
  budget: 503,
  failed: 502,
  timeout: 502,
};

type WarmNow = (
  conversationId: string,
  opts: { cwd?: string; modelName?: string },
) => Promise<WarmNowResult>;

/** Without a warmer: call the bare service, as upstream's handler did. */
function warmNowFromService(service: WarmService, now: () => number): WarmNow {
  return async (conversationId, opts) => {
    const outcome = await service.warm(conversationId, opts);
    if (isWarmFailure(outcome)) return { ok: false, reason: "refused", error: outcome.error };
    return {
      ok: true,
      usage: outcome,
      cachePct: computeCachePct(outcome.inputTokens, outcome.cacheReadTokens),
      expectedCacheRate: computeExpectedCacheRate(
        outcome.cacheReadTokens,
        outcome.cacheWriteTokens,
      ),
      lastWarmAt: now(),
      nextWarmAt: null,
    };
  };
}

export function createWarmRoute(options: WarmRouteOptions): Hono {
  const policy = options.policy ?? createAccessPolicy();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const warmer = options.warmer;
  const warmNow: WarmNow | null = warmer
    ? (conversationId, opts) => warmer.warmNow(conversationId, opts)
    : options.warmService
      ? warmNowFromService(options.warmService, options.now ?? systemClock.now)
      : null;
  const route = new Hono();

  route.post(
    "/chat/warm",
    // A warm costs money: a foreign page is refused outright, not just denied the answer, and
    // a foreign host name (DNS rebinding) is refused too.
    async (c, next) => {
      if (!policy.allowsHost(requestHost(c.req.raw))) {
        return jsonLine(c, { error: "this server answers only to localhost names" }, 421);
      }
      if (!policy.allowsRequest(c.req.header("origin"), c.req.header("sec-fetch-site"))) {
        return jsonLine(c, { error: "origin not allowed" }, 403);
      }
      await next();
    },
    async (c) => {
      const body = await readJsonBody(c, maxBodyBytes);
      if ("refusal" in body) {
        if (body.refusal.status === 400) options.logger?.warn("chat/warm: invalid JSON body");
        return body.refusal;
      }
      const parsed = warmRequestSchema.safeParse(body.value);
      if (!parsed.success) {
        const error = describeIssues(parsed.error, "body");
        options.logger?.warn("chat/warm: validation failed", { reason: error });
        return jsonLine(c, { error }, 400);
      }
      if (!warmNow) return jsonLine(c, { error: "Warm service not available" }, 503);

      const { conversationId, model, cwd } = parsed.data;
      options.logger?.info("chat/warm: request accepted", {
        conversationId,
        hasModel: model !== undefined,
        hasCwd: cwd !== undefined,
      });
      const result = await warmNow(conversationId, {
        ...(model === undefined ? {} : { modelName: model }),
        ...(cwd === undefined ? {} : { cwd }),
      });
      return respond(c, result);
    },
  );
  return route;
}

function respond(c: Context, result: WarmNowResult): Response {
  if (!result.ok) {
    if (result.retryAfterMs !== undefined) {
      c.header("Retry-After", String(Math.ceil(result.retryAfterMs / 1000)));
    }
    return jsonLine(c, { error: result.error }, STATUS_BY_REASON[result.reason]);
  }
  return jsonLine(c, {
    ...result.usage,
    cachePct: result.cachePct,
    expectedCacheRate: result.expectedCacheRate,
    nextWarmAt: result.nextWarmAt,
    lastWarmAt: result.lastWarmAt,
  });
}
