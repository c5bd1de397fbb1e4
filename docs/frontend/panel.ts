// What the web's cache-warming panel shows, as pure functions of the `cache-warming` surface's
// spec. Copy this file to `src/features/cache-warming/logic/panel.ts` in dispatch-web (the
// change list in docs/handoff-reply.md says where each piece is used). It reads only the
// `cache-warming-timer` payload (typed by `@dispatch/ui-contract`), never the words of a stat,
// and works against an older backend that sends only `nextWarmAt` and `lastWarmAt`.
import type {
	CacheWarmingHistoryEntry,
	CacheWarmingTimerPayload,
	SelectorField,
	SurfaceSpec,
} from "@dispatch/ui-contract";

const TIMER_RENDERER_ID = "cache-warming-timer";
const SET_POLICY = "cache-warming/set-policy";

/** The timer payload of a spec, or null when the spec (or its timer field) is missing. */
export function timerOf(spec: SurfaceSpec | null): CacheWarmingTimerPayload | null {
	const field = spec?.fields.find((f) => f.kind === "custom" && f.rendererId === TIMER_RENDERER_ID);
	if (field?.kind !== "custom") return null;
	const payload = field.payload as Partial<CacheWarmingTimerPayload> | null;
	if (typeof payload !== "object" || payload === null) return null;
	return {
		...payload,
		nextWarmAt: finiteOrNull(payload.nextWarmAt),
		lastWarmAt: finiteOrNull(payload.lastWarmAt),
	};
}

function finiteOrNull(value: unknown): number | null {
	return typeof value === "number" && Number.isFinite(value) ? value : null;
}

// ── The countdown ────────────────────────────────────────────────────────────────────────────

/**
 * Milliseconds to the next automatic warm, `elapsedMs` after the update arrived (measure it
 * with `performance.now()`, which no clock change moves), or null when none is due. Counted
 * from the server's own clock (`serverNow`), so the browser's clock does not matter; an older
 * backend sends no `serverNow`, and then `clientNowAtArrival` (`Date.now()` when it arrived)
 * stands in.
 */
export function remainingMs(
	timer: CacheWarmingTimerPayload | null,
	elapsedMs: number,
	clientNowAtArrival: number,
): number | null {
	if (timer === null || timer.nextWarmAt === null) return null;
	return timer.nextWarmAt - (timer.serverNow ?? clientNowAtArrival) - elapsedMs;
}

/** The whole seconds to show: rounded up, so "0:01" shows for the last second, never "0:00". */
export function secondsToShow(remaining: number): number {
	return Math.max(0, Math.ceil(remaining / 1000));
}

/**
 * How long until the shown second changes: to the next whole second of `remaining`. Schedule
 * one `setTimeout` for it after each render (not a 1 s `setInterval`, which drifts and skips);
 * a timer that fires a moment early just renders the same value and schedules the rest.
 * Null once the countdown is at zero: the server's next push ends it.
 */
export function nextTickMs(remaining: number | null): number | null {
	if (remaining === null || remaining <= 0) return null;
	return remaining - (secondsToShow(remaining) - 1) * 1000;
}

/** m:ss. */
export function clock(seconds: number): string {
	return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

// ── The status line ──────────────────────────────────────────────────────────────────────────

const RESUME = "Send a message or press Warm now to start again.";

/** Words for each pause the server names; an unknown one falls back on the server's own. */
const PAUSED: Record<string, (timer: CacheWarmingTimerPayload) => string> = {
	"idle-cap": (t) =>
		`Paused at the idle cap: ${t.idleWarmCap === 1 ? "1 automatic warm" : `${t.idleWarmCap ?? "its"} automatic warms`} without a message. ${RESUME}`,
	"dead-cache": () =>
		`Paused: the last warms found the cache gone, so more would not help. ${RESUME}`,
	"not-worth-it": (t) =>
		`Paused by the ${t.policy ?? "chosen"} policy: another warm would likely cost more than it saves. ${RESUME}`,
	budget: () => "Waiting: the server's warm budget is spent for now; it retries by itself.",
	"self-caching": () => "Not warmed: this model's provider keeps its cache by itself.",
};

const IDLE: Record<string, string> = {
	"awaiting-turn": "Starts after the next message.",
	"cache-expired":
		"Not resumed: the cache expired while the server was down. Send a message to start again.",
};

export interface StatusInput {
	/** The toggle's value (an older backend says nothing else about being off). */
	readonly enabled: boolean;
	/** False while the surface's socket is closed: nothing shown can be trusted then. */
	readonly connected: boolean;
	/** `remainingMs(...)` now. */
	readonly remaining: number | null;
}

/** The panel's one status line. */
export function statusLine(timer: CacheWarmingTimerPayload | null, input: StatusInput): string {
	if (!input.connected) return "Disconnected from the server: reconnecting…";
	if (timer === null) return "Cache warming is not available here.";
	const state = timer.state ?? olderBackendState(timer, input.enabled);
	switch (state) {
		case "loading":
			return "Loading…";
		case "off":
			return "Off";
		case "generating":
			return "Waiting for the reply to finish";
		case "warming":
			return "Warming now…";
		case "scheduled":
			return input.remaining === null || input.remaining <= 0
				? "Warming now…"
				: `Next warm in ${clock(secondsToShow(input.remaining))}`;
		case "paused":
			return pausedLine(timer);
		case "idle":
			return IDLE[timer.reason ?? ""] ?? "Not scheduled: waiting for a message.";
		default:
			return "Not scheduled.";
	}
}

function pausedLine(timer: CacheWarmingTimerPayload): string {
	const words = PAUSED[timer.reason ?? ""];
	if (words !== undefined) return words(timer);
	const pause = timer.pause;
	if (pause) return `Paused by ${pause.rule}: ${pause.why}. Resumes with ${pause.resumes}.`;
	return `Paused. ${RESUME}`;
}

/** An older backend sends no `state`: what its two timestamps and the toggle say. */
function olderBackendState(timer: CacheWarmingTimerPayload, enabled: boolean): string {
	if (!enabled) return "off";
	return timer.nextWarmAt === null ? "unknown" : "scheduled";
}

// ── The lines under it ───────────────────────────────────────────────────────────────────────

/** The last refused setting, shown under the interval inputs (and nowhere else). */
export function refusalLine(timer: CacheWarmingTimerPayload | null): string | null {
	return timer?.lastRefusal ? `Not changed: ${timer.lastRefusal.message}` : null;
}

/** The last failed warm, until a warm succeeds. */
export function failureLine(timer: CacheWarmingTimerPayload | null): string | null {
	return timer?.lastFailure ? `Last warm failed: ${timer.lastFailure.message}` : null;
}

/** Which model automatic warms keep warm. */
export function modelLine(timer: CacheWarmingTimerPayload | null): string | null {
	if (timer === null || timer.model === undefined) return null;
	return `Keeps warm: ${timer.model ?? "the default model"}`;
}

/** The interval's upper bound for this model, in words, or null when there is none. */
export function intervalHint(timer: CacheWarmingTimerPayload | null): string | null {
	const max = timer?.maxIntervalMs;
	if (typeof max !== "number") return null;
	return `At most ${clock(Math.floor(max / 1000))}: this model's cache lives ${clock(Math.floor((timer?.cacheTtlMs ?? max) / 1000))}.`;
}

// ── The history ──────────────────────────────────────────────────────────────────────────────

export type Tone = "success" | "warning" | "error";

export interface HistoryRow {
	/** Epoch-ms; show it in the user's time zone. */
	readonly at: number;
	/** "Automatic · sim · 100% cached · $0.0037" */
	readonly text: string;
	readonly tone: Tone;
}

/** The warms, newest first: the server keeps them (a reload or a restart shows them all). */
export function historyRows(timer: CacheWarmingTimerPayload | null): HistoryRow[] {
	return [...(timer?.history ?? [])].reverse().map(historyRow);
}

function historyRow(warm: CacheWarmingHistoryEntry): HistoryRow {
	const parts = [warm.trigger === "auto" ? "Automatic" : "Warm now", warm.model ?? "default model"];
	if (warm.error !== null || warm.cachePct === null) {
		return {
			at: warm.at,
			text: [...parts, `failed: ${warm.error ?? "no answer"}`].join(" · "),
			tone: "error",
		};
	}
	parts.push(`${warm.cachePct}% cached`);
	if (warm.costUsd !== null) parts.push(`$${warm.costUsd.toFixed(4)}`);
	return { at: warm.at, text: parts.join(" · "), tone: toneForPct(warm.cachePct) };
}

/** A cache-hit share → its colour: high reads well, low means the cache was gone. */
export function toneForPct(pct: number): Tone {
	if (pct >= 80) return "success";
	if (pct >= 40) return "warning";
	return "error";
}

// ── Warm now's answer ────────────────────────────────────────────────────────────────────────

/** What `POST /chat/warm` answered: its status (0 when it never arrived) and body. */
export interface WarmAnswer {
	readonly status: number;
	readonly error?: string;
}

/**
 * The line under Warm now after a click, or null for a warm that went through (its history
 * row says what it read). Shown until the next update from the server or the next click.
 */
export function warmNowLine(answer: WarmAnswer): string | null {
	if (answer.status >= 200 && answer.status < 300) return null;
	const why = answer.error ?? `HTTP ${answer.status}`;
	if (answer.status === 0) return `Could not reach the server (${why}).`;
	if (answer.status === 409) return `Not warmed: ${why}.`;
	if (answer.status === 429) return `Not warmed yet: ${why}.`;
	if (answer.status === 503) return `Not warmed, the server is busy: ${why}.`;
	return `Warm failed: ${why}.`;
}

// ── One call for a whole rendering (what docs/frontend/check.ts compares) ────────────────────

export interface PanelRendering {
	readonly status: string;
	readonly refusal: string | null;
	readonly failure: string | null;
	readonly model: string | null;
	readonly intervalHint: string | null;
	readonly history: readonly HistoryRow[];
}

/** The "When to stop warming" choice (a `selector` field), or null from a server without it. */
export function policyField(spec: SurfaceSpec | null): SelectorField | null {
	const field = spec?.fields.find((f) => f.kind === "selector" && f.action.actionId === SET_POLICY);
	return field?.kind === "selector" ? field : null;
}

/** The toggle's value. */
export function isEnabled(spec: SurfaceSpec | null): boolean {
	return spec?.fields.some((f) => f.kind === "toggle" && f.value) ?? false;
}

export function renderPanel(
	spec: SurfaceSpec | null,
	elapsedMs: number,
	connected = true,
	clientNowAtArrival = 0,
): PanelRendering {
	const timer = timerOf(spec);
	const remaining = remainingMs(timer, elapsedMs, clientNowAtArrival);
	return {
		status: statusLine(timer, { enabled: isEnabled(spec), connected, remaining }),
		refusal: refusalLine(timer),
		failure: failureLine(timer),
		model: modelLine(timer),
		intervalHint: intervalHint(timer),
		history: historyRows(timer),
	};
}
