// README's "Try it" against a running server, as a newcomer runs it: terminal 3's block pasted
// whole (the commands back to back, the server's defaults, Warm now's one-a-second limit
// included), each `dispatch-cw` line saying what its comment quotes; terminal 2's `watch`
// counting down in a terminal.
import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { type CliIo, runCli } from "./cli.js";
import { cleanupAfterEach, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();
const README = new URL("../../../README.md", import.meta.url);

/** The shell blocks of Try it, in order, as lines. */
async function tryItBlocks(): Promise<string[][]> {
  const readme = await readFile(README, "utf8");
  const section = /## Try it\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    (m[1] ?? "").split("\n").filter((line) => line.trim() !== ""),
  );
}

/** A `dispatch-cw …` line: its arguments and the text its comment quotes. */
function call(line: string) {
  const [command = "", comment = ""] = line.split("#");
  return {
    argv: command.trim().split(/\s+/).slice(1),
    promised: /"([^"]+)"/.exec(comment)?.[1] ?? null,
  };
}

it("has three blocks: the server, watch, and the commands to paste whole", async () => {
  const [server, watch, paste] = await tryItBlocks();
  expect(server).toEqual(["pnpm start"]);
  expect(watch?.[0]).toMatch(/^alias dispatch-cw=/);
  expect(watch?.slice(1).map((line) => call(line).argv)).toEqual([["watch", "demo"]]);
  expect(paste?.[0]).toBe(watch?.[0]);
  expect(paste?.slice(1).map((line) => call(line).argv[0])).toEqual([
    "enable",
    "warm",
    "warm",
    "interval",
    "status",
  ]);
});

it("says, for the block pasted whole, what each comment quotes", async () => {
  const paste = (await tryItBlocks())[2] ?? [];
  const { server, clock } = await startTestServer();
  afterTest(() => server.close());
  for (const line of paste.slice(1)) {
    const { argv, promised } = call(line);
    const out: string[] = [];
    const sink: CliIo = {
      out: (text) => out.push(text),
      err: (text) => out.push(text),
      now: () => clock.now,
      // Back to back, as pasted: only a refused warm's own wait moves time.
      sleep: (ms) => clock.tickAsync(ms).then(() => {}),
    };
    const code = await runCli(["--server", server.httpUrl, "--ws", server.wsUrl, ...argv], sink);
    expect(code, out.join("\n")).toBe(0);
    expect(promised, line).not.toBeNull();
    expect(out.join("\n"), line).toContain(promised);
  }
});

it("counts down in terminal 2's watch, one live line a second", async () => {
  const watch = (await tryItBlocks())[1] ?? [];
  const { argv } = call(watch[1] ?? "");
  const { server, clock } = await startTestServer();
  afterTest(() => server.close());
  await server.warmer.setEnabled("demo", true);
  const live: string[] = [];
  const stop = new AbortController();
  const running = runCli(["--server", server.httpUrl, "--ws", server.wsUrl, ...argv], {
    out: () => {},
    err: () => {},
    now: () => clock.now,
    live: (text) => live.push(text),
    signal: stop.signal,
  });
  await expect
    .poll(() => live.some((text) => text.includes("next in 4:00")), { timeout: 10_000 })
    .toBe(true);
  await clock.tickAsync(1_000);
  await expect
    .poll(() => live.some((text) => text.includes("next in 3:59")), { timeout: 10_000 })
    .toBe(true);
  stop.abort();
  expect(await running).toBe(0);
});
