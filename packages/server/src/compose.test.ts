// What the composition root decides, seen from outside: which records are synced before an
// answer, where the store lives, which schedules outlive a restart, what /stats counts, when a
// conversation leaves memory, and the one line a restart logs.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { settingsKey } from "@dispatch/cache-warming";
import { createMemoryStorage, openSqliteStorage } from "@dispatch/kv-storage";
import { describe, expect, it } from "vitest";
import { isSettingKey } from "./compose.js";
import { cleanupAfterEach, startTestServer, tempDataDir } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();

async function started(...args: Parameters<typeof startTestServer>) {
  const running = await startTestServer(...args);
  afterTest(() => running.server.close());
  return running;
}

const stats = async (httpUrl: string) =>
  (await (await fetch(`${httpUrl}/stats`)).json()) as Record<string, number>;

describe("the records synced before a client's answer", () => {
  it("are the settings, the spend limits and the budget's reservations, named by their keys", () => {
    expect(isSettingKey(settingsKey("c"))).toBe(true);
    expect(isSettingKey("spend-limits:c")).toBe(true);
    expect(isSettingKey("warm-budget")).toBe(true);
    for (const key of ["schedule:c", "ledger:c", "spend-guard:c", "history:c", "c:settings:"]) {
      expect(isSettingKey(key)).toBe(false);
    }
    expect(isSettingKey(`x${settingsKey("c")}`)).toBe(false);
    expect(isSettingKey(`x${"spend-limits:c"}`)).toBe(false);
  });

  it("are synced on disk while what a warm records is not (GET /stats)", async () => {
    const dataDir = await tempDataDir();
    const { server } = await started({ dataDir });
    await server.warmer.setEnabled("c", true);
    const afterSetting = await stats(server.httpUrl);
    expect(afterSetting.syncedCommits).toBeGreaterThanOrEqual(1);
    await server.warmer.warmNow("c");
    await server.warming.drain();
    const afterWarm = await stats(server.httpUrl);
    // The warm drew on the budget's lease, synced at start; its records are committed only.
    expect(afterWarm.commits).toBeGreaterThan(afterSetting.commits as number);
    expect(afterWarm.syncedCommits).toBe(afterSetting.syncedCommits);
    expect(afterWarm).toMatchObject({ warmCalls: 1, enabledConversations: 1, sockets: 0 });
  });

  it("leave /stats without store counts when settings live in memory", async () => {
    const { server } = await started();
    const counts = await stats(server.httpUrl);
    expect(counts).not.toHaveProperty("commits");
    expect(counts).not.toHaveProperty("syncedCommits");
    expect(counts).toMatchObject({ warmCalls: 0, sockets: 0 });
  });
});

describe("where the settings live", () => {
  it("is the given storage when there is one, and no database is made in the data directory", async () => {
    const dataDir = await tempDataDir();
    const storage = createMemoryStorage();
    const { server } = await started({ dataDir }, { storage });
    await server.warmer.setEnabled("c", true);
    await server.warmer.onTurnSettled("c", { modelName: "sim" });
    await server.warming.load("c");
    await server.warming.drain();
    expect(existsSync(join(dataDir, "cache-warming.db"))).toBe(false);
    // Given storage outlives the server, so the schedules are kept in it too.
    expect(await storage.keys()).toEqual(expect.arrayContaining([settingsKey("c"), "schedule:c"]));
  });

  it("keeps a schedule in the data directory's database, for the next start", async () => {
    const dataDir = await tempDataDir();
    const { server } = await started({ dataDir });
    await server.warmer.setEnabled("c", true);
    await server.warmer.onTurnSettled("c", { modelName: "sim" });
    await server.close();
    const database = openSqliteStorage(join(dataDir, "cache-warming.db"));
    afterTest(() => database.close());
    expect(await database.get("schedule:c")).not.toBeNull();
  });
});

describe("a restart", () => {
  it("logs how many schedules resumed, and nothing when there were none", async () => {
    const dataDir = await tempDataDir();
    const lines: Array<{ msg: string; attrs: unknown }> = [];
    const logger = {
      debug() {},
      info: (msg: string, attrs?: unknown) => lines.push({ msg, attrs }),
      warn() {},
      error() {},
    };
    const first = await started({ dataDir }, { logger });
    expect(lines.map((line) => line.msg)).not.toContain("cache-warming: schedules after restart");
    // An id the transport would refuse (a control character) got into the store somehow.
    for (const id of ["c", "bad\u0001id"]) {
      await first.server.warmer.setEnabled(id, true);
      await first.server.warmer.onTurnSettled(id, { modelName: "sim" });
    }
    await first.server.close();
    await started({ dataDir }, { logger }, first.clock.now + 1_000);
    expect(lines.filter((line) => line.msg === "cache-warming: schedules after restart")).toEqual([
      { msg: "cache-warming: schedules after restart", attrs: { resumed: 1, notResumed: 0 } },
    ]);
  });
});

describe("pushes", () => {
  it("are one update for the changes made in one turn of the event loop", async () => {
    const { server } = await started();
    const pushes: unknown[] = [];
    await server.registry.subscribe("cache-warming", { conversationId: "c" }, (spec) =>
      pushes.push(spec),
    );
    server.warmer.onTurnStarted("c");
    void server.warmer.onTurnSettled("c", { modelName: "sim" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(pushes).toHaveLength(1);
  });
});

describe("memory", () => {
  it("releases a conversation when its last cache-warming subscriber leaves, not another surface's", async () => {
    const { server } = await started();
    server.registry.register({
      catalogEntry: { id: "other", region: "panel", title: "Other", scope: "conversation" },
      getSpec: () => ({ id: "other", region: "panel", title: "Other", fields: [] }),
      invoke() {},
    });
    const warming = await server.registry.subscribe(
      "cache-warming",
      { conversationId: "c" },
      () => {},
    );
    const other = await server.registry.subscribe("other", { conversationId: "c" }, () => {});
    expect(server.warming.stats().conversationsInMemory).toBe(1);
    other.unsubscribe();
    expect(server.warming.stats().conversationsInMemory).toBe(1);
    warming.unsubscribe();
    expect(server.warming.stats().conversationsInMemory).toBe(0);
  });
});
