import type { WarmOutcome } from "@dispatch/cache-warming";
import {
  buildCacheWarmingSpec,
  createCacheWarmer,
  createCacheWarmingSurface,
  SURFACE_ID,
  TIMER_RENDERER_ID,
  type TimerPayload,
} from "@dispatch/cache-warming";
import { createMemoryStorage } from "@dispatch/kv-storage";
import type { SurfaceSpec } from "@dispatch/ui-contract";
import FakeTimers from "@sinonjs/fake-timers";
import { createApp } from "../index.js";

export const START = Date.UTC(2026, 10, 25, 12, 0, 0);
export const HIT = {
  inputTokens: 1000,
  outputTokens: 1,
  cacheReadTokens: 870,
  cacheWriteTokens: 130,
};

/** The HTTP app over a real warmer on fake time; `updates` records each pushed spec. */
export function createFixture(respond: () => WarmOutcome | Promise<WarmOutcome> = () => HIT) {
  const clock = FakeTimers.createClock(START);
  const calls: string[] = [];
  const updates: Array<{ conversationId: string | undefined; spec: SurfaceSpec }> = [];
  const warmer = createCacheWarmer({
    warm: async (conversationId) => {
      calls.push(conversationId);
      return respond();
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
        spec: buildCacheWarmingSpec(warmer.getState(conversationId ?? ""), clock.now),
      }),
  });
  const surface = createCacheWarmingSurface(warmer, () => clock.now);
  const app = createApp({ warmer });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request("/chat/warm", {
      method: "POST",
      headers: { "content-type": "application/json", host: "127.0.0.1:24203", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { clock, calls, updates, warmer, surface, app, post, surfaceId: SURFACE_ID };
}

export function timerOf(spec: SurfaceSpec): TimerPayload {
  for (const field of spec.fields) {
    if (field.kind === "custom" && field.rendererId === TIMER_RENDERER_ID) {
      return field.payload as TimerPayload;
    }
  }
  throw new Error("no timer field");
}
