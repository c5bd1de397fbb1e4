// The composed warmer's default policy: what a user who never chose one gets.
import { createMemoryStorage } from "@dispatch/kv-storage";
import { expect, it } from "vitest";
import { createHarness } from "../testing/harness.js";
import { ttlCache } from "../testing/states.js";

const MINUTE = 60_000;
const PREFIX = 20_000;

async function idleHour(stored: string | null) {
  const storage = createMemoryStorage();
  if (stored !== null) await storage.set("spend-limits:c", stored);
  const h = createHarness({ storage });
  h.setResponse(ttlCache(() => h.clock.now, PREFIX));
  await h.warmer.setEnabled("c", true);
  await h.warmer.onTurnSettled("c", { modelName: "sim" });
  await h.clock.tickAsync(60 * MINUTE);
  return h;
}

it("is adaptive for a conversation that never chose: the prior's three warms, then a pause that says why", async () => {
  const h = await idleHour(null);
  expect(h.calls).toHaveLength(3);
  expect(h.timer("c")).toMatchObject({
    state: "paused",
    reason: "not-worth-it",
    policy: "adaptive",
  });
});

it("is adaptive too for limits stored before policies existed", async () => {
  const h = await idleHour(JSON.stringify({ idleWarmCap: 15, deadWarmLimit: 2 }));
  expect(h.calls).toHaveLength(3);
  expect(h.timer("c").policy).toBe("adaptive");
});

it("keeps fixed for a conversation whose stored limits chose it: every interval up to the idle cap", async () => {
  const h = await idleHour(JSON.stringify({ idleWarmCap: 15, deadWarmLimit: 2, policy: "fixed" }));
  expect(h.calls).toHaveLength(15);
  expect(h.timer("c")).toMatchObject({ state: "paused", reason: "idle-cap", policy: "fixed" });
});
