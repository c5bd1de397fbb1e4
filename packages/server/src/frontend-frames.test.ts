import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { checkRecordedFrames } from "../../../docs/frontend/check.js";
import { renderPanel } from "../../../docs/frontend/panel.js";
import { captureFrames, RECORDED_PATH, recordedSource } from "../scripts/frontend-frames.js";

it("keeps docs/frontend/recorded.ts equal to what the server sends, in every state and for every reason", async () => {
  const frames = await captureFrames();
  // After a deliberate change, refresh it with `pnpm --filter @dispatch/server frontend-frames`.
  expect(await readFile(RECORDED_PATH, "utf8")).toBe(recordedSource(frames));
  const states = new Set(frames.map((f) => JSON.stringify(stateOf(f.message))));
  for (const state of [
    ["loading", undefined],
    ["off", null],
    ["generating", null],
    ["warming", null],
    ["scheduled", null],
    ["paused", "idle-cap"],
    ["paused", "dead-cache"],
    ["paused", "not-worth-it"],
    ["paused", "budget"],
    ["paused", "self-caching"],
    ["paused", "quiet-hours"],
    ["paused", null],
    ["idle", "awaiting-turn"],
    ["idle", "cache-expired"],
    [undefined, undefined],
  ]) {
    expect(states, JSON.stringify(state)).toContain(JSON.stringify(state));
  }
});

it("docs/frontend/check.ts catches a panel that shows other words or other times", () => {
  // The reference panel passes (docs/frontend/recorded.test.ts); these do not.
  const late = checkRecordedFrames((spec, elapsedMs, receivedAt) =>
    renderPanel(spec, elapsedMs + 999, true, receivedAt),
  );
  expect(late.length).toBeGreaterThan(0);
  const silent = checkRecordedFrames((spec, elapsedMs, receivedAt) => ({
    ...renderPanel(spec, elapsedMs, true, receivedAt),
    failure: null,
  }));
  expect(silent.some((line) => line.startsWith("failed-warm at +0 ms"))).toBe(true);
});

function stateOf(message: unknown): [unknown, unknown] {
  const m = message as { spec?: Spec; update?: { spec: Spec } };
  const spec = m.spec ?? m.update?.spec;
  const timer = spec?.fields.find((f) => f.rendererId === "cache-warming-timer")?.payload;
  return [timer?.state, timer?.reason];
}

type Spec = {
  fields: Array<{ rendererId?: string; payload?: { state?: string; reason?: string } }>;
};
