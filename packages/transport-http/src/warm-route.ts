// `POST /chat/warm` as one mountable piece. Upstream's `createApp` keeps its other ~40 route
// groups and replaces only its own handler with
//   app.route("/", createWarmRoute({ warmer: opts.cacheWarmer, warmService: opts.warmService, logger: log }));
// Toward every request upstream's handler accepted it answers as that handler did (any Host,
// any Origin, any content type, any non-empty id, any body size): what it changes is what the
// seed asked for, a manual warm through the warmer. Policies (Host, Origin, limits, stricter
// ids) belong to the whole app, so the host app passes its own, as this repo's app does.
// Runtime-agnostic: Hono's request API only, so it runs on Bun as on Node.
import {
  type CacheWarmer,
  computeCachePct,
  computeExpectedCacheRate,
  isWarmFailure,
  systemClock,
  type WarmNowResult,
  type WarmService,
} from "@dispatch/cache-warming";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import * as z from "zod";
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
  /**
   * Upstream's bare warm service, used only when no warmer is given (the cache-warming
   * extension is not loaded); its completion event still reaches a warmer that listens.
   */
  readonly warmService?: WarmService | undefined;
  /** Runs before the handler: the host app's own access policy, if it wants one here. */
  readonly guard?: MiddlewareHandler | undefined;
  /** What a conversation id must be. Default: upstream's rule, any non-empty string. */
  readonly conversationId?: z.ZodType<string> | undefined;
  readonly logger?: RouteLogger | undefined;
  /** Epoch-ms clock for `lastWarmAt` on the warmer-less path. */
  readonly now?: (() => number) | undefined;
}

/** Upstream's body rule: `conversationId` a non-empty string, `model` and `cwd` strings. */
export function warmRequestSchema(conversationId: z.ZodType<string> = z.string().min(1)) {
  return z.object({
    conversationId,
    model: z.string().optional(),
    cwd: z.string().optional(),
  });
}

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

/** `path: message` of the first problem, as upstream's one-line 400 answers read. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  // Stryker disable next-line OptionalChaining,LogicalOperator: a failed parse has an issue
  return `${issue?.path.join(".") || "body"}: ${issue?.message}`;
}

export function createWarmRoute(options: WarmRouteOptions): Hono {
  const schema = warmRequestSchema(options.conversationId);
  const warmer = options.warmer;
  const warmNow: WarmNow | null = warmer
    ? (conversationId, opts) => warmer.warmNow(conversationId, opts)
    : options.warmService
      ? warmNowFromService(options.warmService, options.now ?? systemClock.now)
      : null;
  const route = new Hono();
  const guard: MiddlewareHandler = options.guard ?? ((_c, next) => next());

  route.post("/chat/warm", guard, async (c) => {
    if (!warmNow) return jsonLine(c, { error: "Warm service not available" }, 503);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      options.logger?.warn("chat/warm: invalid JSON body");
      return jsonLine(c, { error: "Invalid JSON body" }, 400);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const error = firstIssue(parsed.error);
      options.logger?.warn("chat/warm: validation failed", { reason: error });
      return jsonLine(c, { error }, 400);
    }
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
    if (!result.ok) {
      options.logger?.warn("chat/warm: refused", { conversationId, reason: result.reason });
    }
    return respond(c, result);
  });
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
