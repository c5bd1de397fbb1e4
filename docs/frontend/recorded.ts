// Recorded from a real server by `pnpm --filter @dispatch/server frontend-frames`: do not edit.
// Each frame is what one subscriber received; `shows` is what the panel should show for it,
// at each time (ms) after it arrived. docs/frontend/check.ts compares a rendering with it.
import type { SurfaceServerMessage } from "@dispatch/ui-contract";
import type { PanelRendering } from "./panel";

export interface RecordedFrame {
	readonly step: string;
	readonly derived?: string;
	readonly receivedAt: number;
	readonly message: SurfaceServerMessage;
	readonly shows: Readonly<Record<string, PanelRendering>>;
}

export const FRAMES: readonly RecordedFrame[] = [
	{
		step: "subscribed",
		receivedAt: 1795608000000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: false,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: null,
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795608000000,
							state: "off",
							reason: null,
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Off",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "default",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-web",
		},
		shows: {
			"0": {
				status: "Off",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "enabled",
		receivedAt: 1795608000000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "—",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "—",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795608240000,
								lastWarmAt: null,
								intervalMs: 240000,
								model: null,
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608000000,
								state: "scheduled",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [],
								ledger: {
									spentUsd: 0,
									savedUsd: 0,
									netUsd: 0,
									warms: 0,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: null,
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Scheduled: 0 of 15 automatic warms before the idle cap",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "default",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0000, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value: "—",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"240000": {
				status: "Warming now…",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "refused-interval",
		receivedAt: 1795608000000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "—",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "—",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795608240000,
								lastWarmAt: null,
								intervalMs: 240000,
								model: null,
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608000000,
								state: "scheduled",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [],
								ledger: {
									spentUsd: 0,
									savedUsd: 0,
									netUsd: 0,
									warms: 0,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: {
									action: "cache-warming/set-interval",
									message:
										"interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
									at: 1795608000000,
								},
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Scheduled: 0 of 15 automatic warms before the idle cap",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "default",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0000, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value:
								"cache-warming/set-interval: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"240000": {
				status: "Warming now…",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "turn-settled",
		receivedAt: 1795608000000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "—",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "—",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795608240000,
								lastWarmAt: null,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608000000,
								state: "scheduled",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [],
								ledger: {
									spentUsd: 0,
									savedUsd: 0,
									netUsd: 0,
									warms: 0,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: {
									action: "cache-warming/set-interval",
									message:
										"interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
									at: 1795608000000,
								},
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Scheduled: 0 of 15 automatic warms before the idle cap",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0000, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value:
								"cache-warming/set-interval: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
			"240000": {
				status: "Warming now…",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "automatic-warm-in-flight",
		receivedAt: 1795608240000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "—",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "—",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: null,
								lastWarmAt: null,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608240000,
								state: "warming",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [],
								ledger: {
									spentUsd: 0,
									savedUsd: 0,
									netUsd: 0,
									warms: 0,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 1,
								lastRefusal: {
									action: "cache-warming/set-interval",
									message:
										"interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
									at: 1795608000000,
								},
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Warming",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0000, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value:
								"cache-warming/set-interval: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Warming now…",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "automatic-warm",
		receivedAt: 1795608240000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "0%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "0%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795608480000,
								lastWarmAt: 1795608240000,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608240000,
								state: "scheduled",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [
									{
										at: 1795608240000,
										trigger: "auto",
										model: "sim",
										cachePct: 0,
										costUsd: 0.045063,
										error: null,
									},
								],
								ledger: {
									spentUsd: 0.045063,
									savedUsd: 0,
									netUsd: -0.045063,
									warms: 1,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 1,
								lastRefusal: {
									action: "cache-warming/set-interval",
									message:
										"interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
									at: 1795608000000,
								},
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Scheduled: 1 of 15 automatic warms before the idle cap",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0451, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value:
								"cache-warming/set-interval: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"240000": {
				status: "Warming now…",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "manual-warm",
		receivedAt: 1795608270000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "100%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "100%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795608510000,
								lastWarmAt: 1795608270000,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608270000,
								state: "scheduled",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [
									{
										at: 1795608240000,
										trigger: "auto",
										model: "sim",
										cachePct: 0,
										costUsd: 0.045063,
										error: null,
									},
									{
										at: 1795608270000,
										trigger: "manual",
										model: "sim",
										cachePct: 100,
										costUsd: 0.003663,
										error: null,
									},
								],
								ledger: {
									spentUsd: 0.048726,
									savedUsd: 0,
									netUsd: -0.048726,
									warms: 2,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: {
									action: "cache-warming/set-interval",
									message:
										"interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
									at: 1795608000000,
								},
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Scheduled: 0 of 15 automatic warms before the idle cap",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0487, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value:
								"cache-warming/set-interval: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"240000": {
				status: "Warming now…",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "generating",
		receivedAt: 1795608270000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "100%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "100%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: null,
								lastWarmAt: 1795608270000,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608270000,
								state: "generating",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [
									{
										at: 1795608240000,
										trigger: "auto",
										model: "sim",
										cachePct: 0,
										costUsd: 0.045063,
										error: null,
									},
									{
										at: 1795608270000,
										trigger: "manual",
										model: "sim",
										cachePct: 100,
										costUsd: 0.003663,
										error: null,
									},
								],
								ledger: {
									spentUsd: 0.048726,
									savedUsd: 0,
									netUsd: -0.048726,
									warms: 2,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: {
									action: "cache-warming/set-interval",
									message:
										"interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
									at: 1795608000000,
								},
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Waiting for the turn to finish",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0487, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value:
								"cache-warming/set-interval: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Waiting for the reply to finish",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "turn-settled-again",
		receivedAt: 1795608270000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "100%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "100%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795608510000,
								lastWarmAt: 1795608270000,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608270000,
								state: "scheduled",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [
									{
										at: 1795608240000,
										trigger: "auto",
										model: "sim",
										cachePct: 0,
										costUsd: 0.045063,
										error: null,
									},
									{
										at: 1795608270000,
										trigger: "manual",
										model: "sim",
										cachePct: 100,
										costUsd: 0.003663,
										error: null,
									},
								],
								ledger: {
									spentUsd: 0.048726,
									savedUsd: 0,
									netUsd: -0.048726,
									warms: 2,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: {
									action: "cache-warming/set-interval",
									message:
										"interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
									at: 1795608000000,
								},
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Scheduled: 0 of 15 automatic warms before the idle cap",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0487, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value:
								"cache-warming/set-interval: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"240000": {
				status: "Warming now…",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "failed-warm",
		receivedAt: 1795608280000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "100%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "100%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795608520000,
								lastWarmAt: 1795608270000,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608280000,
								state: "scheduled",
								reason: null,
								pause: null,
								lastFailure: {
									message: "no history",
									at: 1795608280000,
								},
								history: [
									{
										at: 1795608240000,
										trigger: "auto",
										model: "sim",
										cachePct: 0,
										costUsd: 0.045063,
										error: null,
									},
									{
										at: 1795608270000,
										trigger: "manual",
										model: "sim",
										cachePct: 100,
										costUsd: 0.003663,
										error: null,
									},
									{
										at: 1795608280000,
										trigger: "manual",
										model: "sim",
										cachePct: null,
										costUsd: null,
										error: "no history",
									},
								],
								ledger: {
									spentUsd: 0.048726,
									savedUsd: 0,
									netUsd: -0.048726,
									warms: 2,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: {
									action: "cache-warming/set-interval",
									message:
										"interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
									at: 1795608000000,
								},
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Scheduled: 0 of 15 automatic warms before the idle cap",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "no history",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0487, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value:
								"cache-warming/set-interval: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"240000": {
				status: "Warming now…",
				refusal:
					"Not changed: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "idle-cap-1",
		receivedAt: 1795608280000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "100%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "100%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795608520000,
								lastWarmAt: 1795608270000,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608280000,
								state: "scheduled",
								reason: null,
								pause: null,
								lastFailure: {
									message: "no history",
									at: 1795608280000,
								},
								history: [
									{
										at: 1795608240000,
										trigger: "auto",
										model: "sim",
										cachePct: 0,
										costUsd: 0.045063,
										error: null,
									},
									{
										at: 1795608270000,
										trigger: "manual",
										model: "sim",
										cachePct: 100,
										costUsd: 0.003663,
										error: null,
									},
									{
										at: 1795608280000,
										trigger: "manual",
										model: "sim",
										cachePct: null,
										costUsd: null,
										error: "no history",
									},
								],
								ledger: {
									spentUsd: 0.048726,
									savedUsd: 0,
									netUsd: -0.048726,
									warms: 2,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 1,
								autoWarmsSinceTurn: 0,
								lastRefusal: null,
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Scheduled: 0 of 1 automatic warms before the idle cap",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "no history",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0487, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value: "—",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal: null,
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal: null,
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal: null,
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal: null,
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"240000": {
				status: "Warming now…",
				refusal: null,
				failure: "Last warm failed: no history",
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "paused-by-idle-cap",
		receivedAt: 1795608520000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "100%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "100%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: null,
								lastWarmAt: 1795608520000,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608520000,
								state: "paused",
								reason: "idle-cap",
								pause: {
									rule: "the idle cap",
									why: "1 automatic warm since the last turn (idle cap 1)",
									resumes: "a turn, Warm now, or turning warming off and on",
								},
								lastFailure: null,
								history: [
									{
										at: 1795608240000,
										trigger: "auto",
										model: "sim",
										cachePct: 0,
										costUsd: 0.045063,
										error: null,
									},
									{
										at: 1795608270000,
										trigger: "manual",
										model: "sim",
										cachePct: 100,
										costUsd: 0.003663,
										error: null,
									},
									{
										at: 1795608280000,
										trigger: "manual",
										model: "sim",
										cachePct: null,
										costUsd: null,
										error: "no history",
									},
									{
										at: 1795608520000,
										trigger: "auto",
										model: "sim",
										cachePct: 100,
										costUsd: 0.003663,
										error: null,
									},
								],
								ledger: {
									spentUsd: 0.052389,
									savedUsd: 0,
									netUsd: -0.052389,
									warms: 3,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 1,
								autoWarmsSinceTurn: 1,
								lastRefusal: null,
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value:
								"Paused by the idle cap: 1 automatic warm since the last turn (idle cap 1). A turn, Warm now, or turning warming off and on resumes it.",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0524, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value: "—",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status:
					"Paused at the idle cap: 1 automatic warm without a message. Send a message or press Warm now to start again.",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "other-subscribed",
		receivedAt: 1795608520000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: false,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: null,
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795608520000,
							state: "off",
							reason: null,
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Off",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "default",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-expired",
		},
		shows: {
			"0": {
				status: "Off",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "another-subscribed",
		receivedAt: 1795608520000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: false,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: null,
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795608520000,
							state: "off",
							reason: null,
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Off",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "default",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-new",
		},
		shows: {
			"0": {
				status: "Off",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "after-restart",
		receivedAt: 1795609200000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: true,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "100%",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "100%",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: 1795608520000,
							intervalMs: 240000,
							model: "sim",
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795609200000,
							state: "paused",
							reason: "idle-cap",
							pause: {
								rule: "the idle cap",
								why: "1 automatic warm since the last turn (idle cap 1)",
								resumes: "a turn, Warm now, or turning warming off and on",
							},
							lastFailure: null,
							history: [
								{
									at: 1795608240000,
									trigger: "auto",
									model: "sim",
									cachePct: 0,
									costUsd: 0.045063,
									error: null,
								},
								{
									at: 1795608270000,
									trigger: "manual",
									model: "sim",
									cachePct: 100,
									costUsd: 0.003663,
									error: null,
								},
								{
									at: 1795608280000,
									trigger: "manual",
									model: "sim",
									cachePct: null,
									costUsd: null,
									error: "no history",
								},
								{
									at: 1795608520000,
									trigger: "auto",
									model: "sim",
									cachePct: 100,
									costUsd: 0.003663,
									error: null,
								},
							],
							ledger: {
								spentUsd: 0.052389,
								savedUsd: 0,
								netUsd: -0.052389,
								warms: 3,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 1,
							autoWarmsSinceTurn: 1,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value:
							"Paused by the idle cap: 1 automatic warm since the last turn (idle cap 1). A turn, Warm now, or turning warming off and on resumes it.",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "sim",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0524, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-web",
		},
		shows: {
			"0": {
				status:
					"Paused at the idle cap: 1 automatic warm without a message. Send a message or press Warm now to start again.",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "not-resumed-cache-expired",
		receivedAt: 1795609200000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: true,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: "sim",
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795609200000,
							state: "idle",
							reason: "cache-expired",
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value:
							"Not resumed: the cache expired while the server was down. A turn or Warm now starts it again.",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "sim",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-expired",
		},
		shows: {
			"0": {
				status:
					"Not resumed: the cache expired while the server was down. Send a message to start again.",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "not-resumed-awaiting-turn",
		receivedAt: 1795609200000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: true,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: null,
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795609200000,
							state: "idle",
							reason: "awaiting-turn",
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Not scheduled: waiting for a turn",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "default",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-new",
		},
		shows: {
			"0": {
				status: "Starts after the next message.",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "manual-warm-of-another-model",
		receivedAt: 1795609200000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "0%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "0%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795609440000,
								lastWarmAt: 1795609200000,
								intervalMs: 240000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795609200000,
								state: "scheduled",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [
									{
										at: 1795608240000,
										trigger: "auto",
										model: "sim",
										cachePct: 0,
										costUsd: 0.045063,
										error: null,
									},
									{
										at: 1795608270000,
										trigger: "manual",
										model: "sim",
										cachePct: 100,
										costUsd: 0.003663,
										error: null,
									},
									{
										at: 1795608280000,
										trigger: "manual",
										model: "sim",
										cachePct: null,
										costUsd: null,
										error: "no history",
									},
									{
										at: 1795608520000,
										trigger: "auto",
										model: "sim",
										cachePct: 100,
										costUsd: 0.003663,
										error: null,
									},
									{
										at: 1795609200000,
										trigger: "manual",
										model: "sim-large",
										cachePct: 0,
										costUsd: null,
										error: null,
									},
								],
								ledger: {
									spentUsd: null,
									savedUsd: null,
									netUsd: null,
									warms: 4,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 1,
								autoWarmsSinceTurn: 0,
								lastRefusal: null,
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Scheduled: 0 of 1 automatic warms before the idle cap",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "4 warms, 0 turns saved; prices unknown",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value: "—",
						},
					],
				},
				conversationId: "conv-web",
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795609200000,
						text: "Warm now · sim-large · 0% cached",
						tone: "error",
					},
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795609200000,
						text: "Warm now · sim-large · 0% cached",
						tone: "error",
					},
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795609200000,
						text: "Warm now · sim-large · 0% cached",
						tone: "error",
					},
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795609200000,
						text: "Warm now · sim-large · 0% cached",
						tone: "error",
					},
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795609200000,
						text: "Warm now · sim-large · 0% cached",
						tone: "error",
					},
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795609200000,
						text: "Warm now · sim-large · 0% cached",
						tone: "error",
					},
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795609200000,
						text: "Warm now · sim-large · 0% cached",
						tone: "error",
					},
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
			"240000": {
				status: "Warming now…",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795609200000,
						text: "Warm now · sim-large · 0% cached",
						tone: "error",
					},
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "budget-subscribed",
		receivedAt: 1795608000000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: false,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: null,
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795608000000,
							state: "off",
							reason: null,
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Off",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "default",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-budget",
		},
		shows: {
			"0": {
				status: "Off",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "paused-by-budget",
		receivedAt: 1795608040000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 20,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "0%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "0%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: 1795608080001,
								lastWarmAt: 1795608020000,
								intervalMs: 20000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795608040000,
								state: "paused",
								reason: "budget",
								pause: {
									rule: "the server's warm budget",
									why: "the calls or dollars it allows a minute are spent",
									resumes: "the next warm it allows, at 12:01:20",
								},
								lastFailure: null,
								history: [
									{
										at: 1795608020000,
										trigger: "auto",
										model: "sim",
										cachePct: 0,
										costUsd: 0.045063,
										error: null,
									},
								],
								ledger: {
									spentUsd: 0.045063,
									savedUsd: 0,
									netUsd: -0.045063,
									warms: 1,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 1,
								lastRefusal: null,
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value:
								"Paused by the server's warm budget: the calls or dollars it allows a minute are spent. The next warm it allows, at 12:01:20 resumes it.",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0451, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value: "—",
						},
					],
				},
				conversationId: "conv-budget",
			},
		},
		shows: {
			"0": {
				status: "Waiting: the server's warm budget is spent for now; it retries by itself.",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608020000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "dead-subscribed",
		receivedAt: 1795608000000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: false,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: null,
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795608000000,
							state: "off",
							reason: null,
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Off",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "default",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-dead",
		},
		shows: {
			"0": {
				status: "Off",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "paused-by-dead-cache",
		receivedAt: 1795609200000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 600,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "0%",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "0%",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: null,
								lastWarmAt: 1795609200000,
								intervalMs: 600000,
								model: "model-x",
								maxIntervalMs: null,
								cacheTtlMs: null,
								pricesKnown: false,
								serverNow: 1795609200000,
								state: "paused",
								reason: "dead-cache",
								pause: {
									rule: "the dead-cache limit",
									why: "the cache was not retained (2 warms in a row read nothing)",
									resumes: "a turn, Warm now, or turning warming off and on",
								},
								lastFailure: null,
								history: [
									{
										at: 1795608600000,
										trigger: "auto",
										model: "model-x",
										cachePct: 0,
										costUsd: null,
										error: null,
									},
									{
										at: 1795609200000,
										trigger: "auto",
										model: "model-x",
										cachePct: 0,
										costUsd: null,
										error: null,
									},
								],
								ledger: {
									spentUsd: null,
									savedUsd: null,
									netUsd: null,
									warms: 2,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 2,
								lastRefusal: null,
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value:
								"Paused by the dead-cache limit: the cache was not retained (2 warms in a row read nothing). A turn, Warm now, or turning warming off and on resumes it.",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "model-x",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "2 warms, 0 turns saved; prices unknown",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value: "—",
						},
					],
				},
				conversationId: "conv-dead",
			},
		},
		shows: {
			"0": {
				status:
					"Paused: the last warms found the cache gone, so more would not help. Send a message or press Warm now to start again.",
				refusal: null,
				failure: null,
				model: "Keeps warm: model-x",
				intervalHint: null,
				history: [
					{
						at: 1795609200000,
						text: "Automatic · model-x · 0% cached",
						tone: "error",
					},
					{
						at: 1795608600000,
						text: "Automatic · model-x · 0% cached",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "self-caching-subscribed",
		receivedAt: 1795609200000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: false,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: null,
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795609200000,
							state: "off",
							reason: null,
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Off",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "default",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-self-caching",
		},
		shows: {
			"0": {
				status: "Off",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "paused-self-caching",
		receivedAt: 1795609200000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "—",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "—",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: null,
								lastWarmAt: null,
								intervalMs: 240000,
								model: "gpt-4o",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795609200000,
								state: "paused",
								reason: "self-caching",
								pause: {
									rule: "the model",
									why: "this model's provider caches prompts by itself, so warming would only cost",
									resumes: "a turn on a model whose cache needs warming",
								},
								lastFailure: null,
								history: [],
								ledger: {
									spentUsd: 0,
									savedUsd: 0,
									netUsd: 0,
									warms: 0,
									turnsSaved: 0,
								},
								policy: "fixed",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: null,
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value:
								"Paused by the model: this model's provider caches prompts by itself, so warming would only cost. A turn on a model whose cache needs warming resumes it.",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "gpt-4o",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0000, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "fixed",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value: "—",
						},
					],
				},
				conversationId: "conv-self-caching",
			},
		},
		shows: {
			"0": {
				status: "Not warmed: this model's provider keeps its cache by itself.",
				refusal: null,
				failure: null,
				model: "Keeps warm: gpt-4o",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "policy-subscribed",
		receivedAt: 1795609200000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: false,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: null,
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795609200000,
							state: "off",
							reason: null,
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Off",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "default",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
			conversationId: "conv-policy",
		},
		shows: {
			"0": {
				status: "Off",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "policy-adaptive",
		receivedAt: 1795609200000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: false,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 240,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "—",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "—",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: null,
								lastWarmAt: null,
								intervalMs: 240000,
								model: null,
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795609200000,
								state: "off",
								reason: null,
								pause: null,
								lastFailure: null,
								history: [],
								ledger: {
									spentUsd: 0,
									savedUsd: 0,
									netUsd: 0,
									warms: 0,
									turnsSaved: 0,
								},
								policy: "adaptive",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: null,
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value: "Off",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "default",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0000, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "adaptive",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value: "—",
						},
					],
				},
				conversationId: "conv-policy",
			},
		},
		shows: {
			"0": {
				status: "Off",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "paused-by-policy",
		receivedAt: 1795609200000,
		message: {
			type: "update",
			update: {
				surfaceId: "cache-warming",
				spec: {
					id: "cache-warming",
					region: "side",
					title: "Cache Warming",
					fields: [
						{
							kind: "toggle",
							label: "Enabled",
							value: true,
							action: {
								actionId: "cache-warming/toggle",
							},
						},
						{
							kind: "number",
							label: "Refresh Interval",
							value: 20,
							min: 1,
							step: 1,
							unit: "s",
							action: {
								actionId: "cache-warming/set-interval",
							},
							max: 290,
						},
						{
							kind: "stat",
							label: "Last Cache %",
							value: "—",
						},
						{
							kind: "stat",
							label: "Cache retention",
							value: "—",
						},
						{
							kind: "custom",
							rendererId: "cache-warming-timer",
							payload: {
								nextWarmAt: null,
								lastWarmAt: null,
								intervalMs: 20000,
								model: "sim",
								maxIntervalMs: 290000,
								cacheTtlMs: 300000,
								pricesKnown: true,
								serverNow: 1795609200000,
								state: "paused",
								reason: "not-worth-it",
								pause: {
									rule: "the adaptive policy",
									why: "after 0 warms, this conversation's returns say the next would not pay",
									resumes:
										"a turn, Warm now, or turning warming off and on; the fixed policy warms every interval",
								},
								lastFailure: null,
								history: [],
								ledger: {
									spentUsd: 0,
									savedUsd: 0,
									netUsd: 0,
									warms: 0,
									turnsSaved: 0,
								},
								policy: "adaptive",
								idleWarmCap: 15,
								autoWarmsSinceTurn: 0,
								lastRefusal: null,
							},
						},
						{
							kind: "button",
							label: "Warm now",
							action: {
								actionId: "cache-warming/warm-now",
							},
						},
						{
							kind: "stat",
							label: "Schedule",
							value:
								"Paused by the adaptive policy: after 0 warms, this conversation's returns say the next would not pay. A turn, Warm now, or turning warming off and on; the fixed policy warms every interval resumes it.",
						},
						{
							kind: "stat",
							label: "Last error",
							value: "—",
						},
						{
							kind: "stat",
							label: "Model",
							value: "sim",
						},
						{
							kind: "stat",
							label: "Warming cost",
							value: "spent $0.0000, saved $0.0000 (0 turns)",
						},
						{
							kind: "selector",
							label: "When to stop warming",
							value: "adaptive",
							options: [
								{
									value: "fixed",
									label: "Every interval, until the idle cap",
								},
								{
									value: "break-even",
									label: "While the next warm likely pays (break-even)",
								},
								{
									value: "adaptive",
									label: "As this conversation's returns have paid (adaptive)",
								},
							],
							action: {
								actionId: "cache-warming/set-policy",
							},
						},
						{
							kind: "stat",
							label: "Last refusal",
							value: "—",
						},
					],
				},
				conversationId: "conv-policy",
			},
		},
		shows: {
			"0": {
				status:
					"Paused by the adaptive policy: another warm would likely cost more than it saves. Send a message or press Warm now to start again.",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
	{
		step: "older-backend",
		derived: "automatic-warm with upstream's two keys only",
		receivedAt: 1795608240000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: true,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "0%",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "0%",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: 1795608480000,
							lastWarmAt: 1795608240000,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Scheduled: 1 of 15 automatic warms before the idle cap",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "sim",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0451, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value:
							"cache-warming/set-interval: interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
					},
				],
			},
		},
		shows: {
			"0": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: null,
				model: null,
				intervalHint: null,
				history: [],
			},
			"1": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: null,
				model: null,
				intervalHint: null,
				history: [],
			},
			"999": {
				status: "Next warm in 4:00",
				refusal: null,
				failure: null,
				model: null,
				intervalHint: null,
				history: [],
			},
			"1000": {
				status: "Next warm in 3:59",
				refusal: null,
				failure: null,
				model: null,
				intervalHint: null,
				history: [],
			},
			"1001": {
				status: "Next warm in 3:59",
				refusal: null,
				failure: null,
				model: null,
				intervalHint: null,
				history: [],
			},
			"59500": {
				status: "Next warm in 3:01",
				refusal: null,
				failure: null,
				model: null,
				intervalHint: null,
				history: [],
			},
			"239999": {
				status: "Next warm in 0:01",
				refusal: null,
				failure: null,
				model: null,
				intervalHint: null,
				history: [],
			},
			"240000": {
				status: "Warming now…",
				refusal: null,
				failure: null,
				model: null,
				intervalHint: null,
				history: [],
			},
		},
	},
	{
		step: "unknown-reason",
		derived: "paused-by-idle-cap with a reason this panel has no words for",
		receivedAt: 1795608520000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: true,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "100%",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "100%",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: 1795608520000,
							intervalMs: 240000,
							model: "sim",
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795608520000,
							state: "paused",
							reason: "quiet-hours",
							pause: {
								rule: "quiet hours",
								why: "it is night where you are",
								resumes: "the morning",
							},
							lastFailure: null,
							history: [
								{
									at: 1795608240000,
									trigger: "auto",
									model: "sim",
									cachePct: 0,
									costUsd: 0.045063,
									error: null,
								},
								{
									at: 1795608270000,
									trigger: "manual",
									model: "sim",
									cachePct: 100,
									costUsd: 0.003663,
									error: null,
								},
								{
									at: 1795608280000,
									trigger: "manual",
									model: "sim",
									cachePct: null,
									costUsd: null,
									error: "no history",
								},
								{
									at: 1795608520000,
									trigger: "auto",
									model: "sim",
									cachePct: 100,
									costUsd: 0.003663,
									error: null,
								},
							],
							ledger: {
								spentUsd: 0.052389,
								savedUsd: 0,
								netUsd: -0.052389,
								warms: 3,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 1,
							autoWarmsSinceTurn: 1,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value:
							"Paused by the idle cap: 1 automatic warm since the last turn (idle cap 1). A turn, Warm now, or turning warming off and on resumes it.",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "sim",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0524, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
		},
		shows: {
			"0": {
				status: "Paused by quiet hours: it is night where you are. Resumes with the morning.",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "paused-without-reason",
		derived: "paused-by-idle-cap with a null reason and no pause",
		receivedAt: 1795608520000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: true,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "100%",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "100%",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: 1795608520000,
							intervalMs: 240000,
							model: "sim",
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795608520000,
							state: "paused",
							reason: null,
							pause: null,
							lastFailure: null,
							history: [
								{
									at: 1795608240000,
									trigger: "auto",
									model: "sim",
									cachePct: 0,
									costUsd: 0.045063,
									error: null,
								},
								{
									at: 1795608270000,
									trigger: "manual",
									model: "sim",
									cachePct: 100,
									costUsd: 0.003663,
									error: null,
								},
								{
									at: 1795608280000,
									trigger: "manual",
									model: "sim",
									cachePct: null,
									costUsd: null,
									error: "no history",
								},
								{
									at: 1795608520000,
									trigger: "auto",
									model: "sim",
									cachePct: 100,
									costUsd: 0.003663,
									error: null,
								},
							],
							ledger: {
								spentUsd: 0.052389,
								savedUsd: 0,
								netUsd: -0.052389,
								warms: 3,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 1,
							autoWarmsSinceTurn: 1,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value:
							"Paused by the idle cap: 1 automatic warm since the last turn (idle cap 1). A turn, Warm now, or turning warming off and on resumes it.",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "sim",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0524, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
		},
		shows: {
			"0": {
				status: "Paused. Send a message or press Warm now to start again.",
				refusal: null,
				failure: null,
				model: "Keeps warm: sim",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [
					{
						at: 1795608520000,
						text: "Automatic · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608280000,
						text: "Warm now · sim · failed: no history",
						tone: "error",
					},
					{
						at: 1795608270000,
						text: "Warm now · sim · 100% cached · $0.0037",
						tone: "success",
					},
					{
						at: 1795608240000,
						text: "Automatic · sim · 0% cached · $0.0451",
						tone: "error",
					},
				],
			},
		},
	},
	{
		step: "loading",
		derived: "subscribed while its stored settings are still being read",
		receivedAt: 1795608000000,
		message: {
			type: "surface",
			spec: {
				id: "cache-warming",
				region: "side",
				title: "Cache Warming",
				fields: [
					{
						kind: "toggle",
						label: "Enabled",
						value: false,
						action: {
							actionId: "cache-warming/toggle",
						},
					},
					{
						kind: "number",
						label: "Refresh Interval",
						value: 240,
						min: 1,
						step: 1,
						unit: "s",
						action: {
							actionId: "cache-warming/set-interval",
						},
						max: 290,
					},
					{
						kind: "stat",
						label: "Last Cache %",
						value: "—",
					},
					{
						kind: "stat",
						label: "Cache retention",
						value: "—",
					},
					{
						kind: "custom",
						rendererId: "cache-warming-timer",
						payload: {
							nextWarmAt: null,
							lastWarmAt: null,
							intervalMs: 240000,
							model: null,
							maxIntervalMs: 290000,
							cacheTtlMs: 300000,
							pricesKnown: true,
							serverNow: 1795608000000,
							state: "loading",
							reason: null,
							pause: null,
							lastFailure: null,
							history: [],
							ledger: {
								spentUsd: 0,
								savedUsd: 0,
								netUsd: 0,
								warms: 0,
								turnsSaved: 0,
							},
							policy: "fixed",
							idleWarmCap: 15,
							autoWarmsSinceTurn: 0,
							lastRefusal: null,
						},
					},
					{
						kind: "button",
						label: "Warm now",
						action: {
							actionId: "cache-warming/warm-now",
						},
					},
					{
						kind: "stat",
						label: "Schedule",
						value: "Off",
					},
					{
						kind: "stat",
						label: "Last error",
						value: "—",
					},
					{
						kind: "stat",
						label: "Model",
						value: "default",
					},
					{
						kind: "stat",
						label: "Warming cost",
						value: "spent $0.0000, saved $0.0000 (0 turns)",
					},
					{
						kind: "selector",
						label: "When to stop warming",
						value: "fixed",
						options: [
							{
								value: "fixed",
								label: "Every interval, until the idle cap",
							},
							{
								value: "break-even",
								label: "While the next warm likely pays (break-even)",
							},
							{
								value: "adaptive",
								label: "As this conversation's returns have paid (adaptive)",
							},
						],
						action: {
							actionId: "cache-warming/set-policy",
						},
					},
					{
						kind: "stat",
						label: "Last refusal",
						value: "—",
					},
				],
			},
		},
		shows: {
			"0": {
				status: "Loading…",
				refusal: null,
				failure: null,
				model: "Keeps warm: the default model",
				intervalHint: "At most 4:50: this model's cache lives 5:00.",
				history: [],
			},
		},
	},
];
