import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { CLI_DOC_PATH, captureCliDoc } from "../scripts/cli-help.js";

it("keeps docs/cli.md equal to the CLI's own help for every command", async () => {
  // After a deliberate change, refresh it with `pnpm --filter @dispatch/server cli-help`.
  expect(await readFile(CLI_DOC_PATH, "utf8")).toBe(await captureCliDoc());
});
