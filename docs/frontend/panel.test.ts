// Tests of panel.ts; copy beside it (`src/features/cache-warming/logic/panel.test.ts`).
import type { CacheWarmingTimerPayload, SurfaceSpec } from "@dispatch/ui-contract";
import { describe, expect, it } from "vitest";
import {
	historyRows,
	intervalHint,
	nextTickMs,
	policyField,
	remainingMs,
	renderPanel,
	secondsToShow,
	statusLine,
	timerOf,
	warmNowLine,
} from "./panel";

const NOW = 1_800_000_000_000;

function specWith(payload: unknown, enabled = true): SurfaceSpec {
	return {
		id: "cache-warming",
		region: "side",
		title: "Cache Warming",
		fields: [
			{
				kind: "toggle",
				label: "Enabled",
				value: enabled,
				action: { actionId: "cache-warming/toggle" },
			},
			{ kind: "custom", rendererId: "cache-warming-timer", payload },
		],
	};
}

const scheduled = (inMs: number): CacheWarmingTimerPayload => ({
	nextWarmAt: NOW + inMs,
	lastWarmAt: null,
	serverNow: NOW,
	state: "scheduled",
});

/** What a panel that re-renders at each `nextTickMs` shows, and when, until it reaches zero. */
function countdown(payload: CacheWarmingTimerPayload): Array<[number, string]> {
	const shown: Array<[number, string]> = [];
	let elapsed = 0;
	for (;;) {
		const remaining = remainingMs(payload, elapsed, 0);
		shown.push([elapsed, statusLine(payload, { enabled: true, connected: true, remaining })]);
		const next = nextTickMs(remaining);
		if (next === null) return shown;
		elapsed += next;
	}
}

describe("the countdown", () => {
	it("shows every whole second left, each for one second, then that the warm is due", () => {
		expect(countdown(scheduled(5_000))).toEqual([
			[0, "Next warm in 0:05"],
			[1_000, "Next warm in 0:04"],
			[2_000, "Next warm in 0:03"],
			[3_000, "Next warm in 0:02"],
			[4_000, "Next warm in 0:01"],
			[5_000, "Warming now…"],
		]);
	});

	it("rounds up, so the full interval shows first and 0:00 never shows", () => {
		expect(secondsToShow(240_000)).toBe(240);
		expect(secondsToShow(239_001)).toBe(240);
		expect(secondsToShow(239_000)).toBe(239);
		expect(secondsToShow(1)).toBe(1);
		expect(secondsToShow(0)).toBe(0);
		expect(secondsToShow(-5)).toBe(0);
	});

	it("ticks at the next whole second of what is left, wherever the update landed", () => {
		expect(nextTickMs(240_000)).toBe(1_000);
		expect(nextTickMs(1_500)).toBe(500);
		expect(nextTickMs(1_001)).toBe(1);
		expect(nextTickMs(1)).toBe(1);
		expect(nextTickMs(4_000.5)).toBeCloseTo(0.5);
		expect(nextTickMs(3_999.5)).toBeCloseTo(999.5);
		expect(nextTickMs(0)).toBeNull();
		expect(nextTickMs(null)).toBeNull();
		// An update 300 ms into a second: 2 s 700 ms left shows 3, then 2 after 700 ms.
		expect(countdown(scheduled(2_700)).map(([at, text]) => `${at} ${text}`)).toEqual([
			"0 Next warm in 0:03",
			"700 Next warm in 0:02",
			"1700 Next warm in 0:01",
			"2700 Warming now…",
		]);
	});

	it("counts from the server's clock, and from the browser's only for an older backend", () => {
		expect(remainingMs(scheduled(4_000), 500, NOW - 60_000)).toBe(3_500);
		const older: CacheWarmingTimerPayload = { nextWarmAt: NOW + 4_000, lastWarmAt: null };
		expect(remainingMs(older, 500, NOW)).toBe(3_500);
		expect(remainingMs({ ...older, nextWarmAt: null }, 0, NOW)).toBeNull();
	});
});

describe("the status line", () => {
	const line = (payload: CacheWarmingTimerPayload | null, enabled = true, connected = true) =>
		statusLine(payload, { enabled, connected, remaining: remainingMs(payload, 0, NOW) });

	it("says the socket is down instead of a countdown it cannot trust", () => {
		expect(line(scheduled(60_000), true, false)).toBe(
			"Disconnected from the server: reconnecting…",
		);
	});

	it("reads an older backend's two timestamps and the toggle", () => {
		expect(line({ nextWarmAt: NOW + 61_000, lastWarmAt: null })).toBe("Next warm in 1:01");
		expect(line({ nextWarmAt: null, lastWarmAt: null }, false)).toBe("Off");
		expect(line({ nextWarmAt: null, lastWarmAt: null }, true)).toBe("Not scheduled.");
	});

	it("has words for a state or a reason it does not know", () => {
		const unknownState = {
			...scheduled(0),
			state: "dozing",
		} as unknown as CacheWarmingTimerPayload;
		expect(line(unknownState)).toBe("Not scheduled.");
		expect(line({ ...scheduled(0), nextWarmAt: null, state: "idle", reason: "later" })).toBe(
			"Not scheduled: waiting for a message.",
		);
		expect(line({ ...scheduled(0), nextWarmAt: null, state: "paused", reason: null })).toBe(
			"Paused. Send a message or press Warm now to start again.",
		);
	});

	it("names the policy that paused it, and says so when the surface has no timer", () => {
		const paused: CacheWarmingTimerPayload = {
			...scheduled(0),
			nextWarmAt: null,
			state: "paused",
			reason: "not-worth-it",
			policy: "break-even",
		};
		expect(line(paused)).toMatch(/^Paused by the break-even policy: /);
		expect(line(null)).toBe("Cache warming is not available here.");
	});
});

describe("the lines under it", () => {
	it("renders the history newest first, failures in words, unknown prices without dollars", () => {
		const rows = historyRows({
			...scheduled(0),
			history: [
				{ at: 1, trigger: "auto", model: "sim", cachePct: 100, costUsd: 0.0037, error: null },
				{ at: 2, trigger: "manual", model: null, cachePct: 50, costUsd: null, error: null },
				{
					at: 3,
					trigger: "manual",
					model: "sim",
					cachePct: null,
					costUsd: null,
					error: "no history",
				},
			],
		});
		expect(rows).toEqual([
			{ at: 3, text: "Warm now · sim · failed: no history", tone: "error" },
			{ at: 2, text: "Warm now · default model · 50% cached", tone: "warning" },
			{ at: 1, text: "Automatic · sim · 100% cached · $0.0037", tone: "success" },
		]);
	});

	it("puts Warm now's answer into words by its status", () => {
		expect(warmNowLine({ status: 200 })).toBeNull();
		expect(warmNowLine({ status: 409, error: "conversation is generating" })).toBe(
			"Not warmed: conversation is generating.",
		);
		expect(warmNowLine({ status: 429, error: "one per second" })).toBe(
			"Not warmed yet: one per second.",
		);
		expect(warmNowLine({ status: 0, error: "Failed to fetch" })).toBe(
			"Could not reach the server (Failed to fetch).",
		);
		expect(warmNowLine({ status: 502 })).toBe("Warm failed: HTTP 502.");
	});

	it("states the interval's bound without clamping what the user typed", () => {
		expect(intervalHint({ ...scheduled(0), maxIntervalMs: 290_000, cacheTtlMs: 300_000 })).toBe(
			"At most 4:50: this model's cache lives 5:00.",
		);
		expect(intervalHint({ ...scheduled(0), maxIntervalMs: null })).toBeNull();
	});

	it("finds the policy choice by its action, and nothing on a server without it", () => {
		const spec = specWith(null);
		expect(policyField(spec)).toBeNull();
		const choice = {
			kind: "selector" as const,
			label: "When to stop warming",
			value: "fixed",
			options: [{ value: "fixed", label: "Every interval, until the idle cap" }],
			action: { actionId: "cache-warming/set-policy" },
		};
		expect(policyField({ ...spec, fields: [...spec.fields, choice] })).toEqual(choice);
	});

	it("ignores a timer payload that is not an object, and a spec without one", () => {
		expect(timerOf(specWith("nonsense"))).toBeNull();
		expect(timerOf(null)).toBeNull();
		expect(renderPanel(specWith(null), 0).status).toBe("Cache warming is not available here.");
	});
});
