import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import projects from "./vitest.workspace";

export default defineConfig({
  // Resolve the project globs from the repo root even when vitest starts in a package folder.
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    projects,
    reporters: ["default", "./vitest.summary-reporter.ts"],
  },
});
