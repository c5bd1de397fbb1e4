import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { captureExamples, DOC_PATH, examplesIn } from "../scripts/examples.js";

it("keeps the JSON examples in docs/handoff-reply.md equal to what the server sends", async () => {
  const shown = examplesIn(await readFile(DOC_PATH, "utf8"));
  expect(Object.keys(shown).sort()).toEqual([
    "post-warm-200",
    "post-warm-409",
    "timer-failed",
    "timer-model",
    "timer-not-resumed",
    "timer-paused",
    "timer-warming",
    "update-after-automatic-warm",
    "update-after-manual-warm",
  ]);
  // After a deliberate change, refresh them with `pnpm --filter @dispatch/server examples`.
  expect(shown).toEqual(await captureExamples());
});
