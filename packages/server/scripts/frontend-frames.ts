// Records what a subscriber of the `cache-warming` surface receives from a real server (fake
// clock, simulator) in every state and for every reason the web's panel
// must put into words, and what docs/frontend/panel.ts shows for each frame. Three frames are
// derived from real ones and say so: an older backend (no `state`), a reason this panel does
// not know, and `loading`. `pnpm --filter @dispatch/server frontend-frames` rewrites
// docs/frontend/recorded.ts; src/frontend-frames.test.ts fails when they drift.
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { SurfaceServerMessage, SurfaceSpec } from "@dispatch/ui-contract";
import { type PanelRendering, renderPanel } from "../../../docs/frontend/panel.js";
import type { ServerConfig } from "../src/config.js";
import {
  postWarm,
  START,
  SurfaceClient,
  startTestServer,
  tempDataDir,
} from "../src/testing/helpers.js";

export const RECORDED_PATH = fileURLToPath(
  new URL("../../../docs/frontend/recorded.ts", import.meta.url),
);

export interface Frame {
  readonly step: string;
  /** Set on a frame derived from a real one: how it was derived. */
  readonly derived?: string;
  /** The server's clock when it arrived. */
  readonly receivedAt: number;
  readonly message: SurfaceServerMessage;
}

/** A scheduled frame is also shown at these times after it arrived: the countdown's edges. */
export const COUNTDOWN_SAMPLES_MS = [0, 1, 999, 1000, 1001, 59_500, 239_999, 240_000];

const MINUTE = 60_000;

/** One server on a fake clock with the simulator, and a subscriber per conversation. */
async function session(config: Partial<ServerConfig>, start: number) {
  const frames: Frame[] = [];
  const started = await startTestServer({ ...config, devRoutes: true }, {}, start);
  const tick = (ms: number) => started.clock.tickAsync(ms);
  /** Whether the simulated provider knows the conversation (without, it refuses warms). */
  const setHistory = (conversationId: string, present: boolean) =>
    fetch(`${started.server.httpUrl}/dev/history`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conversationId, present }),
    });
  const clients = new Map<string, SurfaceClient>();
  const open = async (conversationId: string, step: string) => {
    const client = await SurfaceClient.connect(started.server.wsUrl);
    clients.set(conversationId, client);
    client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId });
    frames.push({ step, receivedAt: started.clock.now, message: await client.take("surface") });
    return client;
  };
  const client = (id: string) => clients.get(id) as SurfaceClient;
  const record = async (id: string, step: string) => {
    const message = await client(id).take("update");
    frames.push({ step, receivedAt: started.clock.now, message });
  };
  const skip = (id: string) => client(id).take("update");
  const invoke = (id: string, actionId: string, payload?: unknown) =>
    client(id).send({
      type: "invoke",
      surfaceId: "cache-warming",
      conversationId: id,
      actionId,
      payload,
    });
  const close = async () => {
    for (const c of clients.values()) await c.close();
    await started.server.close();
  };
  return { frames, setHistory, server: started.server, tick, open, record, skip, invoke, close };
}

type Session = Awaited<ReturnType<typeof session>>;

/** Runs a session's steps, closing it whatever happens. */
async function run(s: Session, steps: (s: Session) => Promise<void>): Promise<Frame[]> {
  try {
    await steps(s);
    return s.frames;
  } finally {
    await s.close();
  }
}

export async function captureFrames(): Promise<Frame[]> {
  const dataDir = await tempDataDir();
  const W = "conv-web";
  const E = "conv-expired";
  const N = "conv-new";
  const walk = await run(await session({ dataDir }, START), async (s) => {
    await s.open(W, "subscribed");
    s.invoke(W, "cache-warming/toggle", true);
    await s.record(W, "enabled");
    s.invoke(W, "cache-warming/set-interval", 600);
    await s.record(W, "refused-interval");
    await s.server.warmer.onTurnSettled(W, { modelName: "sim" });
    await s.record(W, "turn-settled");
    await s.tick(240_000);
    await s.record(W, "automatic-warm-in-flight");
    await s.record(W, "automatic-warm");
    await s.tick(30_000);
    await postWarm(s.server.httpUrl, { conversationId: W });
    await s.record(W, "manual-warm");
    s.server.warmer.onTurnStarted(W);
    await s.record(W, "generating");
    await s.server.warmer.onTurnSettled(W, { modelName: "sim" });
    await s.record(W, "turn-settled-again");
    await s.tick(10_000);
    await s.setHistory(W, false);
    await postWarm(s.server.httpUrl, { conversationId: W });
    await s.record(W, "failed-warm");
    await s.setHistory(W, true);
    s.invoke(W, "cache-warming/set-spend-limits", { idleWarmCap: 1 });
    await s.record(W, "idle-cap-1");
    await s.tick(240_000);
    await s.skip(W);
    await s.record(W, "paused-by-idle-cap");
    // Two more: one whose cache will have expired by the restart, one toggled on just before.
    await s.open(E, "other-subscribed");
    s.invoke(E, "cache-warming/toggle", true);
    await s.skip(E);
    await s.server.warmer.onTurnSettled(E, { modelName: "sim" });
    await s.skip(E);
    await s.open(N, "another-subscribed");
    s.invoke(N, "cache-warming/toggle", true);
    await s.skip(N);
  });
  const restarted = await run(await session({ dataDir }, START + 20 * MINUTE), async (s) => {
    await s.open(W, "after-restart");
    await s.open(E, "not-resumed-cache-expired");
    await s.open(N, "not-resumed-awaiting-turn");
    await postWarm(s.server.httpUrl, { conversationId: W, model: "sim-large" });
    await s.record(W, "manual-warm-of-another-model");
  });
  return [
    ...walk,
    ...restarted,
    ...(await capturePauses()),
    ...derivedFrames([...walk, ...restarted]),
  ];
}

/** The pauses the walk does not reach: the budget, a dead cache, a policy, the model. */
async function capturePauses(): Promise<Frame[]> {
  const budget = await run(
    await session({ maxWarmsPerMinute: 1, dataDir: await tempDataDir() }, START),
    async (s) => {
      const B = "conv-budget";
      await s.open(B, "budget-subscribed");
      s.invoke(B, "cache-warming/toggle", true);
      await s.skip(B);
      s.invoke(B, "cache-warming/set-interval", 20);
      await s.skip(B);
      await s.server.warmer.onTurnSettled(B, { modelName: "sim" });
      await s.skip(B);
      await s.tick(20_000); // the minute's one warm
      await s.skip(B);
      await s.skip(B);
      await s.tick(20_000);
      await s.record(B, "paused-by-budget");
    },
  );
  const others = await run(await session({ dataDir: await tempDataDir() }, START), async (s) => {
    const D = "conv-dead";
    await s.open(D, "dead-subscribed");
    s.invoke(D, "cache-warming/toggle", true);
    await s.skip(D);
    // A model whose cache lifetime this server does not know: its interval is not capped, and
    // at 10 minutes every warm finds the simulator's 5-minute cache gone.
    await s.server.warmer.onTurnSettled(D, { modelName: "model-x" });
    await s.skip(D);
    s.invoke(D, "cache-warming/set-interval", 600);
    await s.skip(D);
    for (let warm = 0; warm < 2; warm += 1) {
      await s.tick(600_000);
      await s.skip(D);
      if (warm === 0) await s.skip(D);
    }
    await s.record(D, "paused-by-dead-cache");

    const S = "conv-self-caching";
    await s.open(S, "self-caching-subscribed");
    s.invoke(S, "cache-warming/toggle", true);
    await s.skip(S);
    await s.server.warmer.onTurnSettled(S, { modelName: "gpt-4o" });
    await s.record(S, "paused-self-caching");

    const P = "conv-policy";
    await s.open(P, "policy-subscribed");
    s.invoke(P, "cache-warming/set-policy", "adaptive");
    await s.record(P, "policy-adaptive");
    s.invoke(P, "cache-warming/toggle", true);
    await s.skip(P);
    s.invoke(P, "cache-warming/set-interval", 20);
    await s.skip(P);
    // With no returns of its own yet, the prior says a 20 s interval's warms would not pay.
    await s.server.warmer.onTurnSettled(P, { modelName: "sim" });
    await s.record(P, "paused-by-policy");
  });
  return [...budget, ...others];
}

function withTimer(
  frame: Frame,
  edit: (payload: Record<string, unknown>) => Record<string, unknown>,
): SurfaceServerMessage {
  const spec = specOf(frame.message);
  const fields = spec.fields.map((field) =>
    field.kind === "custom" && field.rendererId === "cache-warming-timer"
      ? { ...field, payload: edit(field.payload as Record<string, unknown>) }
      : field,
  );
  return { type: "surface", spec: { ...spec, fields } };
}

/** What no server here sends today, but a panel must still put into words. */
function derivedFrames(frames: readonly Frame[]): Frame[] {
  const find = (step: string) => frames.find((f) => f.step === step) as Frame;
  const from = (step: string) => ({ receivedAt: find(step).receivedAt });
  return [
    {
      step: "older-backend",
      derived: "automatic-warm with upstream's two keys only",
      ...from("automatic-warm"),
      message: withTimer(find("automatic-warm"), (p) => ({
        nextWarmAt: p.nextWarmAt,
        lastWarmAt: p.lastWarmAt,
      })),
    },
    {
      step: "unknown-reason",
      derived: "paused-by-idle-cap with a reason this panel has no words for",
      ...from("paused-by-idle-cap"),
      message: withTimer(find("paused-by-idle-cap"), (p) => ({
        ...p,
        reason: "quiet-hours",
        pause: { rule: "quiet hours", why: "it is night where you are", resumes: "the morning" },
      })),
    },
    {
      step: "paused-without-reason",
      derived: "paused-by-idle-cap with a null reason and no pause",
      ...from("paused-by-idle-cap"),
      message: withTimer(find("paused-by-idle-cap"), (p) => ({ ...p, reason: null, pause: null })),
    },
    {
      step: "loading",
      derived: "subscribed while its stored settings are still being read",
      ...from("subscribed"),
      message: withTimer(find("subscribed"), (p) => ({ ...p, state: "loading" })),
    },
  ];
}

function specOf(message: SurfaceServerMessage): SurfaceSpec {
  if (message.type === "surface") return message.spec;
  if (message.type === "update") return message.update.spec;
  throw new Error(`not a spec: ${message.type}`);
}

/** What the reference panel shows for a frame, at each sample time for a countdown. */
export function shows(frame: Frame): Record<string, PanelRendering> {
  const spec = specOf(frame.message);
  const render = (ms: number) => renderPanel(spec, ms, true, frame.receivedAt);
  const samples = render(0).status.startsWith("Next warm in") ? COUNTDOWN_SAMPLES_MS : [0];
  return Object.fromEntries(samples.map((ms) => [String(ms), render(ms)]));
}

export function recordedSource(frames: readonly Frame[]): string {
  const entries = frames.map((frame) => ({ ...frame, shows: shows(frame) }));
  const source = [
    "// Recorded from a real server by `pnpm --filter @dispatch/server frontend-frames`: do not edit.",
    "// Each frame is what one subscriber received; `shows` is what the panel should show for it,",
    "// at each time (ms) after it arrived. docs/frontend/check.ts compares a rendering with it.",
    'import type { SurfaceServerMessage } from "@dispatch/ui-contract";',
    'import type { PanelRendering } from "./panel";',
    "",
    "export interface RecordedFrame {",
    "\treadonly step: string;",
    "\treadonly derived?: string;",
    "\treadonly receivedAt: number;",
    "\treadonly message: SurfaceServerMessage;",
    "\treadonly shows: Readonly<Record<string, PanelRendering>>;",
    "}",
    "",
    `export const FRAMES: readonly RecordedFrame[] = ${JSON.stringify(entries, null, "\t")};`,
    "",
  ].join("\n");
  return formatLikeTheWeb(source);
}

/** In the web's own format (Biome, tabs, 100 columns), so `biome check` there passes as copied. */
function formatLikeTheWeb(source: string): string {
  const biome = fileURLToPath(new URL("../../../node_modules/.bin/biome", import.meta.url));
  return execFileSync(
    biome,
    ["format", "--stdin-file-path=recorded.ts", "--indent-style=tab", "--line-width=100"],
    { input: source, encoding: "utf8" },
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(RECORDED_PATH, recordedSource(await captureFrames()));
  console.log(`wrote ${RECORDED_PATH}`);
}
