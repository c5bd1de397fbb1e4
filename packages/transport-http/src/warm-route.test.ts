import { describe, expect, it } from "vitest";
import { createApp } from "./index.js";
import { createFixture, HIT, START, timerOf } from "./testing/fixtures.js";

const C = "conv-1";

describe("POST /chat/warm", () => {
  it("warms through the warmer: 200 with the six fields and the timer, and one pushed update", async () => {
    const f = createFixture();
    await f.warmer.setEnabled(C, true);
    await f.warmer.onTurnSettled(C, {});
    await f.clock.tickAsync(60_000);
    f.updates.length = 0;

    const res = await f.post({ conversationId: C, model: "m1", cwd: "/repo" });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ...HIT,
      cachePct: 87,
      expectedCacheRate: 87,
      lastWarmAt: START + 60_000,
      nextWarmAt: START + 60_000 + 240_000,
    });
    expect(f.updates).toHaveLength(1);
    expect(timerOf(f.updates[0]!.spec)).toMatchObject({
      lastWarmAt: START + 60_000,
      nextWarmAt: START + 300_000,
    });
    // The old countdown is gone: nothing fires at the original time.
    await f.clock.tickAsync(180_000);
    expect(f.calls).toHaveLength(1);
  });

  it("answers 409 with the provider's refusal", async () => {
    const f = createFixture(() => ({ error: 'unknown model "zzz"' }));
    const res = await f.post({ conversationId: C, model: "zzz" });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'unknown model "zzz"' });
  });

  it("answers 500, as upstream's app answers a throw, with the provider's words", async () => {
    const f = createFixture(() => {
      throw new Error("ECONNRESET");
    });
    const res = await f.post({ conversationId: C });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "ECONNRESET" });
  });

  it("answers a second click at once, as upstream does: the core has no rate limit of its own", async () => {
    const f = createFixture();
    expect((await f.post({ conversationId: C })).status).toBe(200);
    expect((await f.post({ conversationId: C })).status).toBe(200);
    expect(f.calls).toHaveLength(2);
  });

  it("gives two concurrent callers the one in-flight warm's result", async () => {
    let release: (value: typeof HIT) => void = () => {};
    const f = createFixture(() => new Promise((resolve) => (release = resolve)));
    const a = f.post({ conversationId: C });
    const b = f.post({ conversationId: C });
    await f.clock.tickAsync(0);
    release(HIT);
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(await ra.json()).toEqual(await rb.json());
    expect(f.calls).toHaveLength(1);
  });

  it("answers 503 when no warm service is configured", async () => {
    const app = createApp({ warmer: null });
    const res = await app.request("/chat/warm", {
      method: "POST",
      headers: { host: "localhost:24203", "content-type": "application/json" },
      body: JSON.stringify({ conversationId: C }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "Warm service not available" });
  });

  it("ignores unknown fields in the body", async () => {
    const f = createFixture();
    const res = await f.post({ conversationId: C, extra: 1, __proto__: { polluted: true } });
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
