// Issue 37, item 4: a store that cannot write stops the spending, says so, and comes back.
import { createMemoryStorage, type KeyValueStorage } from "@dispatch/kv-storage";
import { expect, it } from "vitest";
import { cleanupAfterEach, postWarm, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();
const USAGE = { inputTokens: 1_000, outputTokens: 1, cacheReadTokens: 1_000, cacheWriteTokens: 0 };

/** Memory storage whose every operation fails while `broken` is set, as a dead thread's do. */
function breakableStorage() {
  const memory = createMemoryStorage();
  const state = { broken: false };
  const guard = <T>(run: () => Promise<T>) =>
    state.broken ? Promise.reject(new Error("the settings database's thread failed")) : run();
  const storage: KeyValueStorage = {
    get: (key) => guard(() => memory.get(key)),
    set: (key, value) => guard(() => memory.set(key, value)),
    delete: (key) => guard(() => memory.delete(key)),
    has: (key) => guard(() => memory.has(key)),
    keys: (prefix) => guard(() => memory.keys(prefix)),
  };
  return { storage, state };
}

it("pays no warm while the store cannot write, says why on /health and to Warm now, and resumes with it", async () => {
  const { storage, state } = breakableStorage();
  let paid = 0;
  const { server, clock } = await startTestServer(
    {},
    {
      storage,
      warm: {
        warm: async () => {
          paid += 1;
          return USAGE;
        },
      },
    },
  );
  afterTest(() => server.close());
  const health = async () => {
    const res = await fetch(`${server.httpUrl}/health`);
    return { status: res.status, body: (await res.json()) as { ok: boolean; reason?: string } };
  };
  await server.warmer.setEnabled("c1", true);
  await server.warmer.onTurnSettled("c1", {});
  expect((await health()).status).toBe(200);

  state.broken = true;
  // The next look probes the store in the background; the one after reports what it found.
  await clock.tickAsync(1_000);
  await expect.poll(async () => (await health()).status, { timeout: 10_000 }).toBe(503);
  expect((await health()).body).toEqual({
    ok: false,
    reason: "the settings database's thread failed",
  });

  const manual = await postWarm(server.httpUrl, { conversationId: "c1" });
  expect(manual.status).toBe(503);
  expect(((await manual.json()) as { error: string }).error).toMatch(/settings store cannot write/);
  await clock.tickAsync(240_000 + 30_000); // the automatic warm comes due, and its retries
  expect(paid).toBe(0);
  expect(server.warmer.getState("c1").enabled).toBe(true);

  state.broken = false;
  await clock.tickAsync(5_000); // the next retry finds the store writing again
  expect(paid).toBe(1);
  await clock.tickAsync(1_000);
  await expect.poll(async () => (await health()).status, { timeout: 10_000 }).toBe(200);
});
