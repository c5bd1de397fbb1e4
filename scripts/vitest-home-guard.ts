// Tests never touch the user's data. Every test process runs with HOME pointed at an empty
// folder of its own (set here, before vitest starts its workers, so they inherit it), so a
// test that falls back on the default data directory (`$HOME/.dispatch/cache-warming`) writes
// into that folder, never into the user's; and the run fails if anything appeared under its
// `.dispatch`. A server the user runs meanwhile (`pnpm start`) keeps its own HOME, untouched.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const sandbox = mkdtempSync(join(tmpdir(), "dispatch-test-home-"));
  process.env.HOME = sandbox;
  process.env.USERPROFILE = sandbox;
  return () => {
    const dispatchDir = join(sandbox, ".dispatch");
    const wrote = existsSync(dispatchDir);
    const touched = wrote ? readdirSync(dispatchDir, { recursive: true }) : [];
    rmSync(sandbox, { recursive: true, force: true });
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
