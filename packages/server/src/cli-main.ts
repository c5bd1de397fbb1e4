// Entry of `pnpm dispatch-cw`: Ctrl-C ends `watch`; the exit code is the command's. On a
// terminal, `watch` keeps a live status line at the bottom: every printed line first clears it,
// then it is drawn again below.
import { runCli } from "./cli.js";

const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
const terminal = process.stdout.isTTY === true;
let liveLine = "";
const CLEAR_LINE = "\r\x1b[2K";
const code = await runCli(process.argv.slice(2), {
  out: (line) =>
    process.stdout.write(liveLine === "" ? `${line}\n` : `${CLEAR_LINE}${line}\n${liveLine}`),
  err: (line) => process.stderr.write(`${line}\n`),
  now: () => Date.now(),
  env: process.env,
  signal: stop.signal,
  ...(process.stdout.columns === undefined ? {} : { columns: process.stdout.columns }),
  ...(terminal
    ? {
        live: (line: string) => {
          liveLine = line.slice(0, (process.stdout.columns ?? 80) - 1);
          process.stdout.write(`${CLEAR_LINE}${liveLine}`);
        },
      }
    : {}),
});
if (liveLine !== "") process.stdout.write("\n");
process.exit(code);
