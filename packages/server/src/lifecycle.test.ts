import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { postWarm, startTestServer, tempDataDir } from "./testing/helpers.js";

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
    await server.warmer.onTurnSettled("c1");
    const pending = postWarm(server.httpUrl, { conversationId: "c1" }).then(
      (res) => res.status,
      () => "connection closed",
    );
    await providerCalled;
    await server.close();
    expect([409, "connection closed"]).toContain(await pending);
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
