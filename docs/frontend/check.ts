// Compares a panel's rendering with what docs/frontend/recorded.ts says each recorded frame
// should show. Copy this file and recorded.ts beside panel.ts; a test of a few lines runs it
// against your own view-model (docs/handoff-reply.md, "Check it against real frames").
import type { SurfaceSpec } from "@dispatch/ui-contract";
import type { PanelRendering } from "./panel";
import { FRAMES } from "./recorded";

/**
 * Your view-model, `elapsedMs` after the frame's spec arrived, as panel.ts renders it;
 * `receivedAt` stands in for `Date.now()` at arrival (only an older backend needs it).
 */
export type Render = (spec: SurfaceSpec, elapsedMs: number, receivedAt: number) => PanelRendering;

/** One line per difference; an empty list when every frame shows what it should. */
export function checkRecordedFrames(render: Render): string[] {
	const differences: string[] = [];
	for (const frame of FRAMES) {
		const spec =
			frame.message.type === "surface"
				? frame.message.spec
				: frame.message.type === "update"
					? frame.message.update.spec
					: null;
		if (spec === null) continue;
		for (const [elapsed, expected] of Object.entries(frame.shows)) {
			const shown = JSON.stringify(render(spec, Number(elapsed), frame.receivedAt));
			if (shown !== JSON.stringify(expected)) {
				differences.push(
					`${frame.step} at +${elapsed} ms:\n  shown    ${shown}\n  expected ${JSON.stringify(expected)}`,
				);
			}
		}
	}
	return differences;
}
