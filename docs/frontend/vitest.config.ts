// docs/frontend's own tests (panel.test.ts) run in `pnpm test` as a project of the root config.
import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "docs/frontend", include: ["*.test.ts"] } });
