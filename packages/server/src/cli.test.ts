// The command-line client: its argument parsing, each subcommand against a real server, and
// watch + warm now end to end (including a server restart).
import { describe, expect, it } from "vitest";
import { type CliIo, runCli } from "./cli.js";
import { cleanupAfterEach, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();

function io(signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  const sink: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: () => Date.UTC(2026, 10, 25, 12, 0, 0),
    ...(signal === undefined ? {} : { signal }),
  };
  return { out, err, sink };
}

async function serve(config: Parameters<typeof startTestServer>[0] = {}) {
  const started = await startTestServer({ devRoutes: true, manualWarmMinGapMs: 0, ...config });
  afterTest(() => started.server.close());
  const { httpUrl, wsUrl } = started.server;
  return { ...started, urls: ["--http", httpUrl, "--ws", wsUrl] };
}

const waitFor = async (check: () => boolean, lines: () => string[] = () => []) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check(), lines().join("\n")).toBe(true);
};

describe("dispatch-cw arguments", () => {
  it("prints help with every command and exits 0", async () => {
    const { out, sink } = io();
    expect(await runCli(["--help"], sink)).toBe(0);
    const help = out.join("\n");
    for (const command of [
      "watch",
      "status",
      "enable",
      "disable",
      "interval",
      "warm",
      "limits",
      "turn",
      "history",
    ]) {
      expect(help).toContain(command);
    }
  });

  it.each([
    [["--bogus"], /unknown option '--bogus'/],
    [["watch", "--enable"], /unknown option '--enable'/],
    [["warm"], /missing required argument 'id'/],
    [["enable", "a\u0000b"], /control characters/],
    [["interval", "demo", "1.5"], /whole number/],
    [["turn", "demo", "paused"], /started or settled/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [[], /give a command/],
  ])("refuses %j with exit 2, says why in one line and points at --help", async (argv, message) => {
    const { err, sink } = io();
    expect(await runCli(argv, sink)).toBe(2);
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(message);
    const command = argv[0] !== undefined && !argv[0].startsWith("-") ? `${argv[0]} ` : "";
    expect(err[1]).toBe(
      argv[0] === "frobnicate" ? "see dispatch-cw --help" : `see dispatch-cw ${command}--help`,
    );
  });

  it("says when the server cannot be reached, exit 1", async () => {
    const { err, sink } = io();
    expect(await runCli(["--http", "http://127.0.0.1:9", "status", "demo"], sink)).toBe(1);
    expect(err.join("\n")).toMatch(/cannot reach the server/);
  });
});

describe("dispatch-cw against a running server", () => {
  it("enables, sets the interval and limits, warms, shows status, plays turns and history, disables", async () => {
    const { urls, server } = await serve();
    const run = async (...argv: string[]) => {
      const { out, err, sink } = io();
      const code = await runCli([...urls, ...argv], sink);
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    expect(await run("enable", "demo")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/demo {2}on {2}every 240s {2}next in 4:00/),
    });
    expect(await run("interval", "demo", "90")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/every 90s/),
    });
    expect(await run("limits", "demo", "--idle-cap", "3")).toMatchObject({ code: 0 });
    expect(server.warming.view("demo").spendLimits.idleWarmCap).toBe(3);
    expect(await run("limits", "demo", "--policy", "break-even")).toMatchObject({ code: 0 });
    expect(server.warming.view("demo").spendLimits.policy).toBe("break-even");
    expect(await run("limits", "demo", "--policy", "cheap")).toMatchObject({ code: 2 });
    expect(await run("limits", "demo")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--idle-cap/),
    });
    expect(await run("warm", "demo", "--model", "sim-large")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/demo: warmed, 0% read from the cache/),
    });
    expect(await run("status", "demo")).toMatchObject({
      code: 0,
      // The warm's model was for that warm; the schedule keeps the turn's (none yet: default).
      out: expect.stringMatching(
        /warming on, every 90s, Scheduled: 0 of 3 automatic warms before the idle cap;.*model default/,
      ),
    });
    const json = JSON.parse((await run("status", "demo", "--json")).out);
    expect(json).toMatchObject({
      conversationId: "demo",
      enabled: true,
      intervalMs: 90_000,
      state: "scheduled",
    });

    expect(await run("turn", "demo", "started")).toMatchObject({ code: 0 });
    expect(await run("warm", "demo")).toMatchObject({
      code: 1,
      err: expect.stringMatching(/409: conversation is generating/),
    });
    expect(await run("turn", "demo", "settled", "--model", "sim")).toMatchObject({ code: 0 });
    expect(await run("history", "demo", "none")).toMatchObject({ code: 0 });
    expect(await run("warm", "demo")).toMatchObject({
      code: 1,
      err: expect.stringMatching(/409: no history/),
    });
    expect(await run("history", "demo", "present")).toMatchObject({ code: 0 });
    expect(await run("interval", "demo", "100000")).toMatchObject({
      code: 1,
      err: expect.stringMatching(/at most 86400 s/),
    });
    expect(await run("disable", "demo")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/demo {2}off/),
    });
  });

  it("refuses the dev commands when the server has no dev routes", async () => {
    const { urls } = await serve({ devRoutes: false });
    const { err, sink } = io();
    expect(await runCli([...urls, "turn", "demo", "started"], sink)).toBe(1);
    expect(err.join("\n")).toMatch(/404/);
  });

  it("watch prints a line per change, including a warm now, and reconnects after a restart", async () => {
    const first = await startTestServer({ manualWarmMinGapMs: 0 });
    const { httpUrl, wsUrl } = first.server;
    const stop = new AbortController();
    const { out, err, sink } = io(stop.signal);
    const watching = runCli(["--http", httpUrl, "--ws", wsUrl, "watch", "demo", "other"], sink);
    await waitFor(() => out.filter((l) => l.includes("demo ")).length === 1);
    expect(out[0]).toMatch(/watching demo, other/);

    const { sink: warmSink } = io();
    expect(await runCli(["--http", httpUrl, "--ws", wsUrl, "warm", "demo"], warmSink)).toBe(0);
    await waitFor(() => out.some((l) => /demo {2}off {2}every 240s {2}next — {2}last 0%/.test(l)));
    expect(out.filter((l) => / other {2}off/.test(l))).toHaveLength(1);

    await first.server.close();
    await waitFor(
      () => err.some((l) => /lost .*; reconnecting/.test(l)),
      () => [...out, ...err],
    );
    const port = (url: string) => Number(new URL(url).port);
    const second = await startTestServer({ httpPort: port(httpUrl), wsPort: port(wsUrl) });
    afterTest(() => second.server.close());
    await waitFor(
      () => out.some((l) => l.startsWith("reconnected to")),
      () => [...out, ...err],
    );
    stop.abort();
    expect(await watching).toBe(0);
  }, 20_000);

  it("watch in a terminal keeps a live line whose countdown goes down a second at a time", async () => {
    const { server, clock, urls } = await serve();
    const stop = new AbortController();
    const live: string[] = [];
    const sink: CliIo = {
      out: () => {},
      err: () => {},
      now: () => clock.now,
      signal: stop.signal,
      live: (line) => live.push(line),
    };
    const watching = runCli([...urls, "watch", "demo"], sink);
    await waitFor(() => live.some((l) => l.includes("off")));
    const { sink: enableSink } = io();
    expect(await runCli([...urls, "enable", "demo"], enableSink)).toBe(0);
    await waitFor(
      () => live.some((l) => l.includes("next in 4:00")),
      () => live,
    );
    // Server time goes on: the line is redrawn from what the server said and how long ago.
    for (const shown of ["3:59", "3:58"]) {
      await clock.tickAsync(1_000);
      await waitFor(
        () => live.at(-1)?.includes(`next in ${shown}`) === true,
        () => live,
      );
    }
    expect(live.at(-1)).toMatch(
      /^demo {2}on {2}every 240s {2}next in 3:58 {2}last — {2}scheduled$/,
    );
    stop.abort();
    expect(await watching).toBe(0);
    expect(server.warmer.getState("demo").enabled).toBe(true);
  });

  it("warm waits out the manual-warm rate limit once, as a person pasting two warms would", async () => {
    const { urls, clock } = await serve({ manualWarmMinGapMs: 1_000 });
    const waited: number[] = [];
    const run = async () => {
      const { out, err, sink } = io();
      const code = await runCli([...urls, "warm", "demo"], {
        ...sink,
        sleep: async (ms) => {
          waited.push(ms);
          await clock.tickAsync(ms);
        },
      });
      return { code, out, err };
    };
    expect((await run()).out).toEqual([
      "demo: warmed, 0% read from the cache; next automatic warm —",
    ]);
    const second = await run();
    expect(second).toMatchObject({
      code: 0,
      out: ["demo: warmed, 100% read from the cache; next automatic warm —"],
    });
    expect(second.err).toEqual([
      "manual warms are limited to one per 1000 ms per conversation; retrying in 1 s",
    ]);
    expect(waited).toEqual([1_000]);
  });
});
