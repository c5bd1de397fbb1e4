// Each CLI option reaches the server as the field it names, and only that field: observed in
// the running server's state, not in the CLI's own output.
import { describe, expect, it } from "vitest";
import { type CliIo, runCli } from "./cli.js";
import { cleanupAfterEach, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();

async function cli() {
  const sent: Array<{ id: string; opts: unknown }> = [];
  const { server } = await startTestServer(
    { devRoutes: true, manualWarmMinGapMs: 0 },
    {
      warm: {
        warm: async (id, opts) => {
          sent.push({ id, opts });
          return { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
        },
      },
    },
  );
  afterTest(() => server.close());
  const run = async (...argv: string[]) => {
    const err: string[] = [];
    const sink: CliIo = { out: () => {}, err: (line) => err.push(line), now: () => 0 };
    const code = await runCli(["--server", server.httpUrl, "--ws", server.wsUrl, ...argv], sink);
    expect(code, err.join("\n")).toBe(0);
  };
  return {
    run,
    sent,
    state: (id: string) => ({
      ...server.warmer.getState(id),
      ...server.warming.view(id).spendLimits,
      context: server.warmer.getContext(id),
    }),
  };
}

describe("what each option sends", () => {
  it.each([
    [["--idle-cap", "3"], { idleWarmCap: 3, deadWarmLimit: 2, policy: "fixed" }],
    [["--dead-limit", "5"], { idleWarmCap: 15, deadWarmLimit: 5, policy: "fixed" }],
    [["--policy", "adaptive"], { idleWarmCap: 15, deadWarmLimit: 2, policy: "adaptive" }],
    [["--policy", "fixed"], { idleWarmCap: 15, deadWarmLimit: 2, policy: "fixed" }],
    [
      ["--idle-cap", "0", "--dead-limit", "7", "--policy", "break-even"],
      { idleWarmCap: 0, deadWarmLimit: 7, policy: "break-even" },
    ],
  ])("limits %j sets exactly those limits", async (options, limits) => {
    const { run, state } = await cli();
    await run("limits", "demo", ...options);
    expect(state("demo")).toMatchObject(limits);
  });

  it("enable, interval and disable set the setting they name", async () => {
    const { run, state } = await cli();
    await run("enable", "demo");
    expect(state("demo")).toMatchObject({ enabled: true, intervalMs: 240_000 });
    await run("interval", "demo", "75");
    expect(state("demo")).toMatchObject({ enabled: true, intervalMs: 75_000 });
    await run("disable", "demo");
    expect(state("demo")).toMatchObject({ enabled: false, intervalMs: 75_000 });
    // Another conversation's settings stay as they were.
    expect(state("other")).toMatchObject({ enabled: false, intervalMs: 240_000 });
  });

  it("warm --model and --cwd warm that model in that directory, once; the schedule keeps its own", async () => {
    const { run, sent, state } = await cli();
    await run("enable", "demo");
    await run("warm", "demo", "--model", "sim-large", "--cwd", "/srv/project");
    await run("warm", "demo", "--cwd", "/srv/other");
    expect(sent).toEqual([
      { id: "demo", opts: { modelName: "sim-large", cwd: "/srv/project" } },
      { id: "demo", opts: { cwd: "/srv/other" } },
    ]);
    expect(state("demo").context).toEqual({});
  });

  it("turn started/settled with --model and --cwd play the turn with that context", async () => {
    const { run, state } = await cli();
    await run("enable", "demo");
    await run("turn", "demo", "started");
    expect(state("demo").active).toBe(true);
    await run("turn", "demo", "settled", "--model", "sim-large", "--cwd", "/srv/turn");
    expect(state("demo")).toMatchObject({
      active: false,
      context: { modelName: "sim-large", cwd: "/srv/turn" },
    });
  });
});
