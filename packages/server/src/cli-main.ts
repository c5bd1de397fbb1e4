// Entry of `pnpm dispatch-cw`: Ctrl-C ends `watch`; the exit code is the command's.
import { runCli } from "./cli.js";

const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  now: () => Date.now(),
  env: process.env,
  signal: stop.signal,
  ...(process.stdout.columns === undefined ? {} : { columns: process.stdout.columns }),
});
process.exit(code);
