import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach, postWarm, startTestServer, tempDataDir } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();

describe("server lifecycle", () => {
  it("shuts down with a warm in flight: timers cleared, the caller answered, nothing unhandled", async () => {
    let called: () => void = () => {};
    const providerCalled = new Promise<void>((resolve) => (called = resolve));
    const { server, clock } = await startTestServer(
      {},
      {
        warm: {
          warm: () => {
            called();
            return new Promise(() => {}); // a provider that never answers
          },
        },
      },
    );
    await server.warmer.setEnabled("c1", true);
    await server.warmer.onTurnSettled("c1", {});
    const pending = postWarm(server.httpUrl, { conversationId: "c1" }).then(
      (res) => res.status,
      () => "connection closed",
    );
    await providerCalled;
    await server.close();
    expect([503, "connection closed"]).toContain(await pending);
    expect(clock.countTimers()).toBe(0);
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "`pnpm start` runs one node process, logs where it listens, and stops on %s with exit 0 and a clean stderr",
    async (signal) => {
      const root = fileURLToPath(new URL("../../..", import.meta.url));
      // Its own process group, as a terminal's: Ctrl-C sends SIGINT to pnpm and the server.
      const child = spawn("pnpm", ["start"], {
        cwd: root,
        detached: true,
        env: {
          ...process.env,
          PORT: "0",
          WS_PORT: "0",
          DISPATCH_DATA_DIR: await tempDataDir(),
          LOG_FORMAT: "json",
        },
      });
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const listening = new Promise<Record<string, string>>((resolve) => {
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
          const line = stdout.split("\n").find((l) => l.includes('"msg":"listening"'));
          if (line) resolve(JSON.parse(line));
        });
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      // A test that fails before its signal leaves no process group behind.
      afterTest(() => {
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(-(child.pid as number), "SIGKILL");
        }
      });
      const started = await listening;
      expect(started).toMatchObject({
        level: "info",
        http: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        surfaceWebSocket: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/),
      });
      expect((await fetch(`${started.http}/health`)).status).toBe(200);
      // pnpm and exactly one node process under it: the server (no tsx, no nested pnpm).
      const tree = execFileSync("ps", ["-o", "pid=,args=", "-g", String(child.pid)], {
        encoding: "utf8",
      });
      const processes = tree
        .trim()
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => !/^\d+ ps /.test(line));
      const servers = processes.filter((line) => line.includes("server.mjs"));
      expect(servers).toHaveLength(1);
      expect(processes.filter((line) => /tsx|--filter/.test(line))).toEqual([]);

      if (signal === "SIGINT") process.kill(-(child.pid as number), "SIGINT");
      else process.kill(Number.parseInt(servers[0] as string, 10), "SIGTERM");
      expect(await exited).toBe(0);
      expect(stderr).toBe("");
      const shutdown = stdout.split("\n").filter((l) => l.includes("shutting down"));
      expect(shutdown.map((l) => JSON.parse(l))).toEqual([
        expect.objectContaining({ msg: "shutting down", signal }),
      ]);
    },
    30_000,
  );
});

describe("start-up order", () => {
  const warmOf = (calls: string[]) => ({
    warm: async (id: string) => {
      calls.push(id);
      return { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
    },
  });

  it("refuses a second server on the same data directory, naming the holder", async () => {
    const dataDir = await tempDataDir();
    const first = await startTestServer({ dataDir });
    await expect(startTestServer({ dataDir })).rejects.toThrow(
      new RegExp(`cache-warming\\.db is in use by another server \\(pid ${process.pid}\\)`),
    );
    await first.server.close();
    const again = await startTestServer({ dataDir });
    await again.server.close();
  });

  it("binds both ports before resuming: a start that fails has made no provider call and logged no resume", async () => {
    const dataDir = await tempDataDir();
    const calls: string[] = [];
    const before = await startTestServer({ dataDir }, { warm: warmOf(calls) });
    await before.server.warmer.setEnabled("c1", true);
    await before.server.warmer.onTurnSettled("c1", {});
    await before.clock.tickAsync(230_000);
    await before.server.close();

    const busy = await startTestServer();
    const port = Number(new URL(busy.server.httpUrl).port);
    const lines: string[] = [];
    const logger = {
      debug() {},
      info: (msg: string) => lines.push(msg),
      warn: (msg: string) => lines.push(msg),
      error: (msg: string) => lines.push(msg),
    };
    // The old time has passed: a resume would warm at once.
    await expect(
      startTestServer(
        { dataDir, httpPort: port },
        { warm: warmOf(calls), logger },
        Date.UTC(2026, 10, 25, 12, 4, 10),
      ),
    ).rejects.toThrow(/EADDRINUSE/);
    expect(calls).toEqual([]);
    expect(lines.filter((line) => /resumed/.test(line))).toEqual([]);
    await busy.server.close();
    // And it let go of the data directory.
    const after = await startTestServer({ dataDir }, { warm: warmOf(calls) });
    await after.server.close();
  });

  it("takes the data directory back after the holder was killed with kill -9, losing no acknowledged change", async () => {
    const dataDir = await tempDataDir();
    const { http, kill } = await spawnBuiltServer(dataDir);
    await expect(startTestServer({ dataDir })).rejects.toThrow(/in use by another server/);
    // Acknowledged, then killed at once: group commit answers only after the commit.
    for (let i = 1; i <= 20; i++) {
      const res = await fetch(`${http}/cache-warming/c${i}/actions/set-interval`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(60 + i),
      });
      expect(res.status).toBe(200);
    }
    await kill();
    const after = await startTestServer({ dataDir });
    for (let i = 1; i <= 20; i++) {
      await after.server.warming.load(`c${i}`);
      expect(after.server.warmer.getState(`c${i}`).intervalMs).toBe((60 + i) * 1000);
    }
    await after.server.close();
  }, 30_000);

  it("keeps a warm's unsynced records through kill -9: written to the WAL before the next request", async () => {
    const dataDir = await tempDataDir();
    const { http, kill } = await spawnBuiltServer(dataDir);
    for (let i = 1; i <= 10; i++) {
      expect((await postWarm(http, { conversationId: `w${i}` })).status).toBe(200);
    }
    // Each warm's history and ledger were committed, none of those commits synced to the disk:
    // the one synced commit is the budget's lease, stored at start, that the warms drew on.
    const stats = (await (await fetch(`${http}/stats`)).json()) as Record<string, number>;
    expect(stats.commits).toBeGreaterThanOrEqual(10);
    expect(stats.syncedCommits).toBe(1);
    // A setting the client is told was saved is synced before the answer.
    const saved = await fetch(`${http}/cache-warming/w1/actions/set-interval`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "90",
    });
    expect(saved.status).toBe(200);
    const afterSetting = (await (await fetch(`${http}/stats`)).json()) as Record<string, number>;
    expect(afterSetting.syncedCommits).toBe(2);
    await kill();
    const after = await startTestServer({ dataDir });
    for (let i = 1; i <= 10; i++) {
      await after.server.warming.load(`w${i}`);
      const view = after.server.warming.view(`w${i}`) as unknown as {
        history: unknown[];
        ledger: { warms: number };
      };
      expect([view.history.length, view.ledger.warms]).toEqual([1, 1]);
    }
    await after.server.close();
  }, 30_000);
});

it("keeps every warm answered 200 through a kill -9 the moment the last answer arrives", async () => {
  const dataDir = await tempDataDir();
  const { http, kill } = await spawnBuiltServer(dataDir);
  const ids = Array.from({ length: 100 }, (_, i) => `k${i}`);
  const answers = await Promise.all(ids.map((id) => postWarm(http, { conversationId: id })));
  await kill();
  expect(answers.map((res) => res.status)).toEqual(ids.map(() => 200));
  const after = await startTestServer({ dataDir });
  const kept = [];
  for (const id of ids) {
    await after.server.warming.load(id);
    const view = after.server.warming.view(id) as unknown as {
      history: unknown[];
      ledger: { warms: number };
    };
    kept.push([view.history.length, view.ledger.warms]);
  }
  expect(kept).toEqual(ids.map(() => [1, 1]));
  await after.server.close();
}, 30_000);

/** The bundled server in its own process on `dataDir`, as `pnpm start` runs it; `kill` is kill -9. */
async function spawnBuiltServer(dataDir: string) {
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  // Today's sources, whatever the bundles' times say.
  execFileSync("node", ["packages/server/scripts/build.mjs", "--force"], { cwd: root });
  const child = spawn("node", ["packages/server/dist/server.mjs"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      WS_PORT: "0",
      DISPATCH_DATA_DIR: dataDir,
      LOG_FORMAT: "json",
    },
  });
  const http = await new Promise<string>((resolve) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.includes('"msg":"listening"'));
      if (line) resolve((JSON.parse(line) as { http: string }).http);
    });
  });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  // A test that fails before its own kill leaves no server behind.
  afterTest(kill);
  return { http, kill };
}
