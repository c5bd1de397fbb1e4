import { spawn } from "node:child_process";
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

  it("starts from `pnpm start`'s entry, says where it listens, and exits 0 on SIGTERM", async () => {
    const entry = fileURLToPath(new URL("./main.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));
    const child = spawn(tsx, [entry], {
      env: { ...process.env, PORT: "0", WS_PORT: "0", DISPATCH_DATA_DIR: await tempDataDir() },
    });
    let output = "";
    const listening = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk) => {
        output += chunk;
        if (output.includes("surface WebSocket")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await listening;
    expect(output).toMatch(
      /HTTP http:\/\/127\.0\.0\.1:\d+, surface WebSocket ws:\/\/127\.0\.0\.1:\d+/,
    );
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("SIGTERM: shutting down");
  }, 20_000);
});
