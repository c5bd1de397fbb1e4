import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Stryker's run over ui-contract-schemas: its schemas are built at import, so every mutant of
// them re-runs the whole suite it is given. They are judged by their own package's tests.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: { projects: ["packages/ui-contract-schemas"] },
});
