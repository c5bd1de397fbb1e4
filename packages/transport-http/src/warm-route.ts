// `POST /chat/warm` as one mountable piece. Upstream's `createApp` replaces only its own
// handler with
//   app.route("/", createWarmRoute({ warmer: opts.cacheWarmer, warmService: opts.warmService, logger: log }));
// It answers every request as upstream's handler did (any Host, any Origin, any content type,
// any non-empty id, upstream's words for a bad body, 409 for the service's refusal, 500 when
// it throws), except that a manual warm goes through `CacheWarmer.warmNow`: the timer's own
// path, so the countdown restarts and subscribers get an update. Hono's request API only, and
// no other dependency, so it runs on Bun as on Node and adds nothing to upstream's package.
import {
  type CacheWarmer,
  computeCachePct,
  computeExpectedCacheRate,
  type WarmNowResult,
  type WarmResult,
} from "@dispatch/cache-warming";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { jsonLine } from "./json-line.js";

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
  /** Upstream's bare warm service, used only when no warmer is given. */
  readonly warmService?:
    | {
        warm(
          id: string,
          opts?: { cwd?: string; modelName?: string },
        ): Promise<WarmResult | { readonly error: string }>;
      }
    | undefined;
  /** Runs before the handler: the host app's own access policy, if it wants one here. */
  readonly guard?: MiddlewareHandler | undefined;
  /** A stricter id rule than upstream's (a non-empty string): why an id is refused, or null. */
  readonly checkConversationId?: ((id: string) => string | null) | undefined;
  readonly logger?: RouteLogger | undefined;
}

/** Upstream's body rule, in its words: `conversationId` a non-empty string, `model`/`cwd` strings. */
export function parseWarmBody(
  body: unknown,
): { conversationId: string; model?: string; cwd?: string } | { error: string } {
  if (typeof body !== "object" || body === null)
    return { error: "Request body must be a JSON object" };
  const { conversationId, model, cwd } = body as Record<string, unknown>;
  if (typeof conversationId !== "string" || conversationId === "") {
    return { error: "Field 'conversationId' is required and must be a non-empty string" };
  }
  if (model !== undefined && typeof model !== "string")
    return { error: "Field 'model' must be a string" };
  if (cwd !== undefined && typeof cwd !== "string")
    return { error: "Field 'cwd' must be a string" };
  return {
    conversationId,
    ...(model === undefined ? {} : { model }),
    ...(cwd === undefined ? {} : { cwd }),
  };
}

/** A refused warm's status: the service's own refusal is upstream's 409; the extras' say more. */
const STATUS_BY_REASON: Readonly<Record<string, ContentfulStatusCode>> = {
  invalid: 400,
  "rate-limited": 429,
  budget: 503,
  unavailable: 503,
  closed: 503,
  failed: 500,
  timeout: 504,
};

type WarmNow = (
  conversationId: string,
  opts: { cwd?: string; modelName?: string },
) => Promise<WarmNowResult>;

/** Without a warmer: the bare service, as upstream's handler called it (a throw goes to the app). */
function warmNowFromService(service: NonNullable<WarmRouteOptions["warmService"]>): WarmNow {
  return async (conversationId, opts) => {
    const outcome = await service.warm(conversationId, opts);
    if ("error" in outcome) return { ok: false, reason: "refused", error: outcome.error };
    return {
      ok: true,
      usage: outcome,
      cachePct: computeCachePct(outcome.inputTokens, outcome.cacheReadTokens),
      expectedCacheRate: computeExpectedCacheRate(
        outcome.cacheReadTokens,
        outcome.cacheWriteTokens,
      ),
      lastWarmAt: null,
      nextWarmAt: null,
    };
  };
}

export function createWarmRoute(options: WarmRouteOptions): Hono {
  const { warmer, warmService, logger } = options;
  const warmNow: WarmNow | null = warmer
    ? (conversationId, opts) => warmer.warmNow(conversationId, opts)
    : warmService
      ? warmNowFromService(warmService)
      : null;
  const route = new Hono();
  const guard: MiddlewareHandler = options.guard ?? ((_c, next) => next());

  route.post("/chat/warm", guard, async (c) => {
    if (!warmNow) return jsonLine(c, { error: "Warm service not available" }, 503);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      logger?.warn("chat/warm: invalid JSON body");
      return jsonLine(c, { error: "Invalid JSON body" }, 400);
    }
    const parsed = parseWarmBody(body);
    const error =
      "error" in parsed
        ? parsed.error
        : (options.checkConversationId?.(parsed.conversationId) ?? null);
    if (error !== null || "error" in parsed) {
      logger?.warn("chat/warm: validation failed", { reason: String(error) });
      return jsonLine(c, { error }, 400);
    }
    const { conversationId, model, cwd } = parsed;
    logger?.info("chat/warm: request accepted", {
      conversationId,
      hasModel: model !== undefined,
      hasCwd: cwd !== undefined,
    });
    const result = await warmNow(conversationId, {
      ...(cwd === undefined ? {} : { cwd }),
      ...(model === undefined ? {} : { modelName: model }),
    });
    if (!result.ok) logger?.warn("chat/warm: refused", { conversationId, reason: result.reason });
    return respond(c, result);
  });
  return route;
}

function respond(c: Context, result: WarmNowResult): Response {
  if (!result.ok) {
    if (result.retryAfterMs !== undefined) {
      c.header("Retry-After", String(Math.ceil(result.retryAfterMs / 1000)));
    }
    return jsonLine(c, { error: result.error }, STATUS_BY_REASON[result.reason] ?? 409);
  }
  const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = result.usage;
  return jsonLine(c, {
    inputTokens,
    outputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    cachePct: result.cachePct,
    expectedCacheRate: result.expectedCacheRate,
    nextWarmAt: result.nextWarmAt,
    lastWarmAt: result.lastWarmAt,
  });
}
