// A reference for the web's cache-warming panel: what to show for one `cache-warming` spec,
// from the `cache-warming-timer` payload alone (no string of the spec is parsed). Copy it, or
// check your view-model against it: `node docs/frontend/check.mjs` runs it over frames recorded
// from a real server (`frames.json`) and compares with `expected.json`.

/** The payload of the spec's `cache-warming-timer` field, or null without one. */
export function timerOf(spec) {
  const field = spec.fields.find((f) => f.kind === "custom" && f.rendererId === "cache-warming-timer");
  return field ? field.payload : null;
}

const PAUSED = {
  "idle-cap": "Paused: the cap of automatic warms without a turn was reached. Send a message or press Warm now.",
  "dead-cache": "Paused: the last warms found the cache gone. Send a message or press Warm now.",
  budget: "Waiting: the server's warm budget is spent; it retries by itself.",
  "not-worth-it": "Paused: another warm would likely cost more than it saves.",
  "self-caching": "Not warmed: this model's provider caches by itself.",
};

const IDLE = {
  "cache-expired": "Not resumed: the cache expired while the server was down. Send a message to start again.",
  "awaiting-turn": "Starts with the next message.",
};

/** m:ss, rounded down, as a countdown shows it. */
function clock(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * What the panel says. `elapsedMs` is the time since the update arrived (performance.now()
 * based); the countdown is `nextWarmAt - serverNow - elapsedMs`, so the client's clock does
 * not matter.
 */
export function renderPanel(spec, elapsedMs = 0) {
  const t = timerOf(spec);
  if (t === null) return { status: "Cache warming unavailable" };
  const status =
    t.state === "loading"
      ? "Loading…"
      : t.state === "off"
        ? "Off"
        : t.state === "generating"
          ? "Waiting for the turn to finish"
          : t.state === "warming"
            ? "Warming now…"
            : t.state === "scheduled"
              ? `Next warm in ${clock(t.nextWarmAt - t.serverNow - elapsedMs)}`
              : t.state === "paused"
                ? PAUSED[t.reason]
                : IDLE[t.reason];
  const history = (t.history ?? []).map((warm) => {
    const what = warm.error === null ? `${warm.cachePct}% read` : `failed: ${warm.error}`;
    const cost = warm.costUsd === null ? "" : ` · $${warm.costUsd.toFixed(4)}`;
    return `${new Date(warm.at).toISOString().slice(11, 19)} ${warm.trigger} ${warm.model ?? "default"} ${what}${cost}`;
  });
  return {
    status,
    ...(t.lastRefusal ? { refusal: `Refused: ${t.lastRefusal.message}` } : {}),
    ...(t.lastFailure ? { failure: `Last warm failed: ${t.lastFailure.message}` } : {}),
    ...(t.switchedFrom
      ? { model: `Now warming ${t.model ?? "default"} (was ${t.switchedFrom.model ?? "default"}); its first warm found no cache` }
      : {}),
    history,
  };
}
