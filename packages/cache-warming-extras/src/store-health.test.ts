// The store's health as /health and the warmer see it: the first failure and since when, one
// probe at a time, at most one look-probe a second, and a log line per change, not per failure.
import { createMemoryStorage } from "@dispatch/kv-storage";
import { expect, it } from "vitest";
import { createStoreHealth, PROBE_KEY } from "./store-health.js";

function setUp() {
  const memory = createMemoryStorage();
  const state = { broken: false, probes: 0, now: 1_000_000 };
  const logged: string[] = [];
  const health = createStoreHealth({
    storage: {
      get: (key) => (state.broken ? Promise.reject(new Error("disk gone")) : memory.get(key)),
      delete: (key) => (state.broken ? Promise.reject(new Error("gone")) : memory.delete(key)),
      keys: (prefix) => (state.broken ? Promise.reject(new Error("gone")) : memory.keys(prefix)),
      async set(key, value) {
        if (key === PROBE_KEY) state.probes += 1;
        if (state.broken) throw new Error(`disk gone at ${state.now}`);
        await memory.set(key, value);
      },
    },
    now: () => state.now,
    logger: {
      warn: (msg, attrs) => void logged.push(`warn ${msg} ${JSON.stringify(attrs)}`),
      info: (msg) => void logged.push(`info ${msg}`),
    },
  });
  return { health, state, logged };
}

it("keeps the first failure and its time until the store answers, logging each change once", async () => {
  const { health, state, logged } = setUp();
  state.broken = true;
  await expect(health.storage.set("a", "1")).rejects.toThrow();
  state.now += 5_000;
  await expect(health.storage.get("a")).rejects.toThrow();
  expect(health.status()).toEqual({ ok: false, reason: "disk gone at 1000000", since: 1_000_000 });
  expect(logged).toEqual([
    'warn cache-warming: the store failed; no warm is sent until it answers {"reason":"disk gone at 1000000"}',
  ]);

  state.broken = false;
  await health.storage.set("a", "1");
  await health.storage.set("b", "2");
  expect(health.status()).toEqual({ ok: true, reason: null, since: null });
  expect(logged).toHaveLength(2);
  expect(logged[1]).toBe("info cache-warming: the store answers again; warming resumes");
});

it("refuses warms with one probe at a time, and probes again after it answered", async () => {
  const { health, state } = setUp();
  state.broken = true;
  await expect(health.storage.set("a", "1")).rejects.toThrow();
  const before = health.hooks.beforeWarm as (...args: unknown[]) => Promise<unknown>;
  const refusals = await Promise.all([before("c", "auto", {}), before("d", "manual", {})]);
  expect(refusals).toEqual([
    expect.objectContaining({ reason: "unavailable", retryAfterMs: 5_000 }),
    expect.objectContaining({ reason: "unavailable" }),
  ]);
  expect(state.probes).toBe(1);
  await before("c", "auto", {});
  expect(state.probes).toBe(2);
  state.broken = false;
  expect(await before("c", "auto", {})).toBeUndefined();
  expect(health.hooks.beforeWarm?.("c", "auto", {})).toBeUndefined();
});

it("looks at most once a second, in the background", async () => {
  const { health, state } = setUp();
  const settled = () => new Promise((resolve) => setImmediate(resolve));
  expect(health.look()).toEqual({ ok: true, reason: null, since: null });
  await settled();
  state.broken = true;
  health.look();
  state.now += 999;
  health.look();
  await settled();
  expect(state.probes).toBe(1);
  expect(health.status().ok).toBe(true);
  state.now += 1;
  expect(health.look().ok).toBe(true); // the probe it starts answers later
  await settled();
  expect(state.probes).toBe(2);
  expect(health.status().ok).toBe(false);
});

it("watches every operation of the store: deletes and key lists too", async () => {
  for (const operation of ["delete", "keys"] as const) {
    const { health, state } = setUp();
    state.broken = true;
    await expect(
      operation === "delete" ? health.storage.delete?.("a") : health.storage.keys?.("a"),
    ).rejects.toThrow("gone");
    expect(health.status()).toMatchObject({ ok: false, reason: "gone" });
  }
});
