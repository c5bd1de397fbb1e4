// What the CLI prints, word for word: the line `watch` and the setters print for a spec, and
// each subcommand's answer against a running server, with its exit code.
import { TIMER_RENDERER_ID } from "@dispatch/cache-warming";
import type { SurfaceField, SurfaceSpec } from "@dispatch/ui-contract";
import { describe, expect, it } from "vitest";
import { type CliIo, describeLine, runCli } from "./cli.js";
import { cleanupAfterEach, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();
const AT = Date.UTC(2026, 11, 2, 3, 32, 2);

const spec = (fields: SurfaceField[]): SurfaceSpec => ({
  id: "cache-warming",
  region: "chat-sidebar",
  title: "Cache warming",
  fields,
});
const timer = (payload: Record<string, unknown>): SurfaceField => ({
  kind: "custom",
  rendererId: TIMER_RENDERER_ID,
  payload,
});

describe("the line for a spec", () => {
  it("shows every part it has, finding each field by its kind and label", () => {
    const fields: SurfaceField[] = [
      // Decoys first: a field of another kind or label must not be read as the one asked for.
      { kind: "stat", label: "Warming cost", value: "$9" },
      { kind: "custom", rendererId: "something-else", payload: { state: "off" } },
      { kind: "toggle", label: "Warm", value: true, action: { actionId: "t" } },
      { kind: "number", label: "Interval", value: 240, action: { actionId: "n" } },
      { kind: "stat", label: "Last Cache %", value: "87%" },
      timer({
        nextWarmAt: AT + 239_900,
        lastWarmAt: null,
        serverNow: AT,
        state: "paused",
        reason: "idle-cap",
        lastFailure: { message: "provider down", at: AT },
        ledger: { warms: 2, spentUsd: 0.0123, savedUsd: 0.5 },
      }),
    ];
    expect(describeLine("c", spec(fields), AT)).toBe(
      "03:32:02  c  on  every 240s  next in 4:00  last 87%  paused (idle-cap)  failed: provider down  spent $0.0123 saved $0.5000",
    );
  });

  it("leaves out what the spec does not say, with no empty gaps", () => {
    expect(describeLine("c", spec([]), AT)).toBe("03:32:02  c  off  every ?s  next —  last —");
    const quiet = timer({
      nextWarmAt: null,
      lastWarmAt: null,
      serverNow: AT,
      state: "scheduled",
      reason: null,
      lastFailure: null,
      ledger: { warms: 0, spentUsd: 0, savedUsd: 0 },
    });
    expect(describeLine("c", spec([quiet]), AT)).toBe(
      "03:32:02  c  off  every ?s  next —  last —  scheduled",
    );
    const unsaved = timer({
      nextWarmAt: AT,
      lastWarmAt: null,
      ledger: { warms: 1, spentUsd: 0.01 },
    });
    expect(describeLine("c", spec([unsaved]), AT)).toBe(
      "03:32:02  c  off  every ?s  next —  last —  spent $0.0100 saved $0.0000",
    );
  });
});

async function serve(config: Parameters<typeof startTestServer>[0] = {}) {
  const started = await startTestServer({ devRoutes: true, manualWarmMinGapMs: 0, ...config });
  afterTest(() => started.server.close());
  const { httpUrl, wsUrl } = started.server;
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const sink: CliIo = {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      now: () => started.clock.now,
    };
    const code = await runCli(["--server", httpUrl, "--ws", wsUrl, ...argv], sink);
    return { code, out, err };
  };
  return { ...started, run };
}

describe("each command's answer", () => {
  it("status says the state in one line, and the model and last % once there are some", async () => {
    const { run, clock } = await serve();
    expect(await run("status", "demo")).toEqual({
      code: 0,
      out: ["demo: warming off, every 240s, Off; next warm —; last —; model default"],
      err: [],
    });
    await run("enable", "demo");
    await run("turn", "demo", "settled", "--model", "sim");
    await run("warm", "demo");
    const next = new Date(clock.now + 240_000).toISOString();
    expect((await run("status", "demo")).out).toEqual([
      `demo: warming on, every 240s, Scheduled: 0 of 15 automatic warms before the idle cap; next warm ${next}; last 0%; model sim`,
    ]);
  });

  it("warm says how much the cache held and when the next automatic warm is", async () => {
    const { run, clock } = await serve();
    expect((await run("warm", "demo")).out).toEqual([
      "demo: warmed, 0% read from the cache; next automatic warm —",
    ]);
    await run("enable", "demo");
    const next = new Date(clock.now + 240_000).toISOString();
    expect((await run("warm", "demo")).out).toEqual([
      `demo: warmed, 100% read from the cache; next automatic warm ${next}`,
    ]);
  });

  it("turn and history say what they did; history none makes warms fail until present", async () => {
    const { run } = await serve();
    expect((await run("turn", "demo", "started")).out).toEqual(["demo: turn started"]);
    expect((await run("turn", "demo", "settled")).out).toEqual(["demo: turn settled"]);
    expect((await run("history", "demo", "none")).out).toEqual(["demo: history none"]);
    expect((await run("warm", "demo")).code).toBe(1);
    expect((await run("history", "demo", "present")).out).toEqual(["demo: history present"]);
    expect((await run("warm", "demo")).code).toBe(0);
  });

  it("a refused setter says the server's reason, exit 1; an unrelated later one is not refused", async () => {
    const { run } = await serve({ maxEnabledConversations: 1 });
    expect((await run("enable", "a")).code).toBe(0);
    const refused = await run("enable", "b");
    expect(refused.code).toBe(1);
    expect(refused.err).toHaveLength(1);
    expect(refused.err[0]).toMatch(/^refused: .*1 conversation/);
    // The refusal stays on b's spec; the next call is judged by what changed since it.
    expect((await run("interval", "b", "60")).code).toBe(0);
  });

  it("an action the server refuses with an error message ends with it, exit 1", async () => {
    const { run } = await serve();
    const result = await run("interval", "demo", "999999999");
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/^refused: /);
  });

  it("watch prints the server's error for a subscription it refuses", async () => {
    const { server } = await serve();
    const ids = Array.from({ length: 101 }, (_, i) => `c${i}`);
    const stop = new AbortController();
    const err: string[] = [];
    const watching = runCli(["--ws", server.wsUrl, "watch", ...ids], {
      out: () => {},
      err: (line) => err.push(line),
      now: () => 0,
      signal: stop.signal,
    });
    for (let i = 0; i < 200 && err.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    expect(await watching).toBe(0);
    expect(err[0]).toMatch(/^error: .*subscriptions/);
  });
});

describe("bad arguments (exit 2, the reason on stderr, no trailing blank)", () => {
  it.each([
    [["turn", "demo", "begun"], "started or settled"],
    [["history", "demo", "maybe"], "present or none"],
    [["interval", "demo", "0"], "expected a whole number ≥ 1"],
    [["limits", "demo", "--idle-cap", "-1"], "expected a whole number ≥ 0"],
    [["limits", "demo"], "give --idle-cap, --dead-limit and/or --policy"],
    [["--server", "ftp://box", "status", "demo"], 'must be http(s)://…, not "ftp://box"'],
    [
      ["--server", "not a url", "status", "demo"],
      'must be a URL like http://127.0.0.1:24203, not "not a url"',
    ],
    [["--server", "http://127.0.0.1:1"], "give a command, such as status, enable, warm or watch"],
  ])("%j", async (argv, reason) => {
    const err: string[] = [];
    const code = await runCli(argv, { out: () => {}, err: (line) => err.push(line), now: () => 0 });
    expect(code).toBe(2);
    // One line that says what was wrong, one that says where the usage is: never the whole help.
    expect(err).toHaveLength(2);
    expect(err[0]).toContain(reason);
    expect(err[1]).toMatch(/^see dispatch-cw( [a-z]+)? --help$/);
  });

  it("accepts an https server address", async () => {
    const err: string[] = [];
    const code = await runCli(["--server", "https://127.0.0.1:1", "status", "demo"], {
      out: () => {},
      err: (line) => err.push(line),
      now: () => 0,
    });
    expect(code).toBe(1); // refused by the network, not by the argument check
    expect(err.join("\n")).toMatch(/^cannot reach the server at https:\/\/127\.0\.0\.1:1/);
  });
});
