import {
  createCacheWarmer,
  createSurfaceProvider,
  TIMER_RENDERER_ID,
  type WarmResult,
} from "@dispatch/cache-warming";
import { createMemoryStorage } from "@dispatch/kv-storage";
import type { CacheWarmingTimerPayload, SurfaceSpec } from "@dispatch/ui-contract";
import FakeTimers from "@sinonjs/fake-timers";
import { createApp } from "../index.js";

export const START = Date.UTC(2026, 10, 25, 12, 0, 0);
export const HIT = {
  inputTokens: 1000,
  outputTokens: 1,
  cacheReadTokens: 870,
  cacheWriteTokens: 130,
};

type Outcome = WarmResult | { readonly error: string };

/**
 * The HTTP app over the core's warmer on fake time, its provider reporting each completion
 * as upstream's orchestrator does; `updates` records each pushed spec.
 */
export function createFixture(respond: () => Outcome | Promise<Outcome> = () => HIT) {
  const clock = FakeTimers.createClock(START);
  const calls: string[] = [];
  const updates: Array<{ conversationId: string | undefined; spec: SurfaceSpec }> = [];
  const warmer = createCacheWarmer({
    warm: async (conversationId) => {
      calls.push(conversationId);
      const outcome = await respond();
      if (!("error" in outcome)) warmer.onWarmCompleted({ conversationId, usage: outcome });
      return outcome;
    },
    storage: createMemoryStorage(),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    timers: {
      setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
      clearTimer: (id) => clock.clearTimeout(id),
    },
    now: () => clock.now,
    onSurfaceChange: (conversationId) =>
      updates.push({
        conversationId,
        spec: surface.getSpec({ conversationId: conversationId ?? "" }),
      }),
  });
  const surface = createSurfaceProvider(warmer);
  const app = createApp({ warmer });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request("/chat/warm", {
      method: "POST",
      headers: { "content-type": "application/json", host: "127.0.0.1:24203", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { clock, calls, updates, warmer, surface, app, post, surfaceId: "cache-warming" };
}

export function timerOf(spec: SurfaceSpec): CacheWarmingTimerPayload {
  for (const field of spec.fields) {
    if (field.kind === "custom" && field.rendererId === TIMER_RENDERER_ID) {
      return field.payload as CacheWarmingTimerPayload;
    }
  }
  throw new Error("no timer field");
}
