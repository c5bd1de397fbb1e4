// `pnpm mutation`: mutation testing, on demand (never in CI, which must stay fast).
// 1. Stryker over every package with source (ui-contract-schemas in a run of its own, judged by
//    its own tests), each run incremental against the previous run's results kept under
//    reports/stryker/ (ignored by git: a cache on this machine, never committed);
// 2. every mutated file held to 90 % (scripts/mutation-scores.mjs);
// 3. the store's thread's hand-made mutants (Stryker cannot switch a mutant on in a worker).
// Stryker mutates the files in place and restores them; this checks that the working tree is
// exactly as it was before (content and file modes), and puts modes back if they were lost.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, readdirSync, rmSync } from "node:fs";

const git = (...args) => execFileSync("git", args, { encoding: "utf8" });
const before = git("status", "--porcelain");
// Executable files as git knows them, to restore a mode an in-place run dropped.
const executables = git("ls-files", "-s")
  .split("\n")
  .filter((line) => line.startsWith("100755"))
  .map((line) => line.split("\t")[1]);

const steps = [
  ["stryker", ["run"]],
  ["stryker", ["run", "stryker.schemas.config.json"]],
  ["node", ["scripts/mutation-scores.mjs", "90"]],
  ["pnpm", ["--filter", "@dispatch/kv-storage", "mutants"]],
];
let failed = null;
for (const [command, args] of steps) {
  const bin = command === "stryker" ? "node_modules/.bin/stryker" : command;
  const run = spawnSync(bin, args, { stdio: "inherit" });
  if (run.status !== 0) {
    failed = `${command} ${args.join(" ")} exited ${run.status}`;
    break;
  }
}
for (const path of executables) chmodSync(path, 0o755);
// The vitest runner writes a setup file per test process it starts in the root, and leaves
// those of processes it had to restart (a mutant that hung or crashed its runner).
for (const name of readdirSync(".")) {
  if (/^stryker-setup-\d+\.js$/.test(name)) rmSync(name);
}
const after = git("status", "--porcelain");
if (after !== before) {
  console.error(`mutation testing left the tree changed:\n${after}`);
  process.exitCode = 1;
}
if (failed !== null) {
  console.error(failed);
  process.exitCode = 1;
}
