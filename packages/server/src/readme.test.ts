// README's "Try it" against a running server: each `dispatch-cw` line in its order, with what
// its comment promises in quotes, so a change that makes the newcomer path false fails here.
import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { type CliIo, runCli } from "./cli.js";
import { cleanupAfterEach, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();
const README = new URL("../../../README.md", import.meta.url);

/** The `dispatch-cw …` lines of the Try it block: arguments and the comment's quoted text. */
async function tryItCalls(): Promise<Array<{ argv: string[]; promised: string | null }>> {
  const readme = await readFile(README, "utf8");
  const block = /## Try it\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .filter((line) => line.startsWith("dispatch-cw "))
    .map((line) => {
      const [command = "", comment = ""] = line.split("#");
      return {
        argv: command.trim().split(/\s+/).slice(1),
        promised: /"([^"]+)"/.exec(comment)?.[1] ?? null,
      };
    });
}

it("runs every dispatch-cw line of Try it, and each says what its comment promises", async () => {
  const calls = await tryItCalls();
  expect(calls.map(({ argv }) => argv[0])).toEqual([
    "watch",
    "enable",
    "warm",
    "warm",
    "interval",
    "status",
    "--help",
  ]);
  // The simulator's real cache, a second between the two warms as the comments say.
  const { server, clock } = await startTestServer({ manualWarmMinGapMs: 0 });
  afterTest(() => server.close());
  for (const { argv, promised } of calls) {
    if (argv[0] === "watch") continue; // runs until Ctrl-C; cli.test.ts drives it
    const out: string[] = [];
    const sink: CliIo = {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
      now: () => clock.now,
    };
    const code = await runCli(["--server", server.httpUrl, "--ws", server.wsUrl, ...argv], sink);
    expect(code, out.join("\n")).toBe(0);
    if (promised !== null) expect(out.join("\n")).toContain(promised);
    await clock.tickAsync(1_000);
  }
});
