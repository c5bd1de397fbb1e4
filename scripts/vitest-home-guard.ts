// Tests never touch the user's data, and leave nothing behind. Every test process runs with
// HOME and TMPDIR pointed at folders of one run folder (set here, before vitest starts its
// workers, so they and every child process inherit them): a test that falls back on the
// default data directory (`$HOME/.dispatch/cache-warming`) writes into the run's folder, never
// into the user's, and every temporary data directory a test makes goes with the run folder
// at the end. The run fails if anything appeared under the sandbox's `.dispatch`. A server the
// user runs meanwhile (`pnpm start`) keeps its own HOME, untouched.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const run = mkdtempSync(join(tmpdir(), "dispatch-test-"));
  const home = join(run, "home");
  const temp = join(run, "tmp");
  mkdirSync(home);
  mkdirSync(temp);
  process.env.HOME = home;
  process.env.USERPROFILE = home;
  process.env.TMPDIR = temp;
  return () => {
    const dispatchDir = join(home, ".dispatch");
    const wrote = existsSync(dispatchDir);
    const touched = wrote ? readdirSync(dispatchDir, { recursive: true }) : [];
    rmSync(run, { recursive: true, force: true });
    if (wrote) {
      // vitest reports an error thrown here but still exits 0: fail the run explicitly.
      process.exitCode = 1;
      throw new Error(
        `a test wrote under $HOME/.dispatch (${touched.join(", ") || "the folder itself"}): ` +
          "give every server a test starts its own data directory (tempDataDir())",
      );
    }
  };
}
