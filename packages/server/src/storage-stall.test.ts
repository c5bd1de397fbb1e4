// A frozen filesystem holds every write until the thaw. The server keeps answering /health and
// keeps its timers while it lasts (the store's thread is what waits); a warm due meanwhile
// waits for its record to reach the disk before it is paid, and a settings change is
// acknowledged only once it is on disk, both after the thaw.
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { settingsKey } from "@dispatch/cache-warming";
import { openSqliteStorage } from "@dispatch/kv-storage";
import { expect, it } from "vitest";
import { isSettingKey } from "./compose.js";
import { cleanupAfterEach, startTestServer, tempDataDir } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();
const FROZEN_DRIVER = createRequire(import.meta.url).resolve(
  "@dispatch/kv-storage/testing/frozen-driver",
);
const HIT = { inputTokens: 12_000, outputTokens: 1, cacheReadTokens: 12_000, cacheWriteTokens: 0 };

it("answers /health while the disk is frozen, and pays a due warm and acknowledges a change only after the thaw", async () => {
  const path = join(await tempDataDir(), "cache-warming.db");
  const storage = openSqliteStorage(path, { driverPath: FROZEN_DRIVER, durable: isSettingKey });
  afterTest(() => storage.close());
  const calls: string[] = [];
  const warm = {
    warm: async (id: string) => {
      calls.push(id);
      return HIT;
    },
  };
  const { clock, server } = await startTestServer({}, { storage, warm });
  afterTest(() => server.close());
  await server.warmer.setEnabled("c", true);
  await server.warmer.onTurnSettled("c", { modelName: "sim" });

  writeFileSync(`${path}.frozen`, "");
  afterTest(() => rmSync(`${path}.frozen`, { force: true }));
  let acknowledged = false;
  const change = server.warmer.setEnabled("d", true).then(() => {
    acknowledged = true;
  });
  // The armed timer fires on time; its warm waits until the ledger can count it.
  await clock.tickAsync(240_000);
  const started = performance.now();
  const health = await fetch(`${server.httpUrl}/health`, { signal: AbortSignal.timeout(2_000) });
  expect(health.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(1_000);
  // Answered by the same event loop the warm would have been sent from.
  expect(calls).toEqual([]);
  expect(acknowledged).toBe(false);

  rmSync(`${path}.frozen`);
  await change;
  await expect.poll(() => calls, { timeout: 10_000 }).toEqual(["c"]);
  expect(await storage.get(settingsKey("d"))).toContain(`"enabled":true`);
});
