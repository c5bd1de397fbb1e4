// POST /chat/warm through the warmer vs a bare route that calls the same warm service
// directly, side by side in one process, loaded with autocannon over loopback.
import type { AddressInfo } from "node:net";
import {
  type CacheWarmer,
  computeCachePct,
  computeExpectedCacheRate,
  createCacheWarmer,
} from "@dispatch/cache-warming";
import { createMemoryStorage } from "@dispatch/kv-storage";
import { systemClock } from "@dispatch/server";
import { createApp } from "@dispatch/transport-http";
import { createPromptCacheSimulator, isWarmFailure } from "@dispatch/warm-service";
import { serve } from "@hono/node-server";
import autocannon from "autocannon";
import { Hono } from "hono";
import { round, silentLogger } from "./stats.js";

const CONVERSATIONS = 1_000;

function load(url: string, path: string, seconds: number): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url,
    connections: 10,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path,
        headers: { "content-type": "application/json" },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ conversationId: `conv-${next++ % CONVERSATIONS}` }),
        }),
      },
    ],
  });
}

export async function benchHttpOverhead(seconds: number) {
  const { warm } = createPromptCacheSimulator({ now: Date.now });
  const warmer = createCacheWarmer({
    warm,
    storage: createMemoryStorage(),
    logger: silentLogger,
    now: systemClock.now,
    timers: systemClock.timers,
    onSurfaceChange() {},
    manualWarmMinGapMs: 0,
  });
  // The bare route is the same app (same Host/CORS/Origin checks, body limit and zod
  // schema) with warmNow swapped for a direct call, so the ratio isolates the warmer.
  const direct: Pick<CacheWarmer, "warmNow"> = {
    async warmNow(conversationId, opts) {
      const result = await warm(conversationId, opts);
      if (isWarmFailure(result)) return { ok: false, reason: "refused", error: result.error };
      return {
        ok: true,
        usage: result,
        cachePct: computeCachePct(result.inputTokens, result.cacheReadTokens),
        expectedCacheRate: computeExpectedCacheRate(
          result.cacheReadTokens,
          result.cacheWriteTokens,
        ),
        lastWarmAt: Date.now(),
        nextWarmAt: null,
      };
    },
  };
  const app = new Hono();
  app.route("/bare", createApp({ warmer: direct }));
  app.route("/", createApp({ warmer }));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  await load(url, "/bare/chat/warm", 1); // warm-up for both paths' code
  await load(url, "/chat/warm", 1);
  const bare = await load(url, "/bare/chat/warm", seconds);
  const viaWarmer = await load(url, "/chat/warm", seconds);
  server.close();
  warmer.dispose();

  const row = (result: autocannon.Result) => ({
    requestsPerSec: round(result.requests.average, 0),
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  });
  return {
    bare: row(bare),
    viaWarmer: row(viaWarmer),
    throughputRatio: round(viaWarmer.requests.average / bare.requests.average, 3),
  };
}
