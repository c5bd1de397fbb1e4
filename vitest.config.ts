import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Resolve the project globs from the repo root even when vitest starts in a package folder.
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    // Every package is a test project; this is the one list `pnpm test` runs.
    projects: ["packages/*", "docs/frontend"],
    // HOME and TMPDIR are fresh folders for the whole run, removed after it; the run fails if a
    // test wrote under its `.dispatch` (scripts/vitest-home-guard.ts).
    globalSetup: ["./scripts/vitest-home-guard.ts"],
    reporters: ["default", "./scripts/vitest-summary-reporter.ts"],
  },
});
