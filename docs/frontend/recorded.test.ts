// The recorded frames against the panel; copy beside panel.ts. To check a view-model of your
// own instead, have the function below return what panel.ts's `renderPanel` returns.
import { expect, it } from "vitest";
import { checkRecordedFrames } from "./check";
import { renderPanel } from "./panel";

it("shows what each frame recorded from a real server should show", () => {
	const render = (spec: Parameters<typeof renderPanel>[0], elapsedMs: number, receivedAt: number) =>
		renderPanel(spec, elapsedMs, true, receivedAt);
	expect(checkRecordedFrames(render)).toEqual([]);
});
