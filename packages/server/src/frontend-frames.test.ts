import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { captureFrames, EXPECTED_PATH, FRAMES_PATH } from "../scripts/frontend-frames.js";

it("keeps docs/frontend/frames.json equal to what the server sends, and the reference panel's rendering of them", async () => {
  const recorded = JSON.parse(await readFile(FRAMES_PATH, "utf8")) as unknown[];
  // After a deliberate change, refresh them with `pnpm --filter @dispatch/server frontend-frames`.
  expect(recorded).toEqual(JSON.parse(JSON.stringify(await captureFrames())));
  const { renderPanel } = (await import(
    new URL("../../../docs/frontend/render.mjs", import.meta.url).href
  )) as {
    renderPanel: (spec: unknown) => unknown;
  };
  const expected = JSON.parse(await readFile(EXPECTED_PATH, "utf8")) as Record<string, unknown>;
  const shown = Object.fromEntries(
    (
      recorded as Array<{ step: string; message: { spec?: unknown; update?: { spec: unknown } } }>
    ).map((frame) => [frame.step, renderPanel(frame.message.spec ?? frame.message.update?.spec)]),
  );
  expect(shown).toEqual(expected);
});
