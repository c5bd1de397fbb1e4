// Records the frames one conversation's subscribers receive from a real server (fake clock,
// simulator) through the states the web's panel must render: loading-free first frame,
// scheduled, a refusal, warms with their history, a turn generating, a spend-guard pause, a
// restart, a manual warm of another model. `pnpm --filter @dispatch/server frontend-frames`
// rewrites docs/frontend/frames.json; src/frontend-frames.test.ts fails when they drift.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { SurfaceServerMessage } from "@dispatch/ui-contract";
import {
  postWarm,
  START,
  SurfaceClient,
  startTestServer,
  tempDataDir,
} from "../src/testing/helpers.js";

export const FRAMES_PATH = fileURLToPath(
  new URL("../../../docs/frontend/frames.json", import.meta.url),
);
export const EXPECTED_PATH = fileURLToPath(
  new URL("../../../docs/frontend/expected.json", import.meta.url),
);
const C = "conv-web";

export interface Frame {
  readonly step: string;
  readonly message: SurfaceServerMessage;
}

export async function captureFrames(): Promise<Frame[]> {
  const frames: Frame[] = [];
  const dataDir = await tempDataDir();
  const first = await startTestServer({ dataDir });
  const client = await SurfaceClient.connect(first.server.wsUrl);
  const record = async (step: string, type: "surface" | "update" = "update") => {
    frames.push({ step, message: await client.take(type) });
  };
  const invoke = (actionId: string, payload?: unknown) =>
    client.send({
      type: "invoke",
      surfaceId: "cache-warming",
      conversationId: C,
      actionId,
      payload,
    });
  try {
    client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: C });
    await record("subscribed", "surface");
    invoke("cache-warming/toggle", true);
    await record("enabled");
    invoke("cache-warming/set-interval", 600);
    await record("refused-interval");
    await client.take("error");
    await first.server.warmer.onTurnSettled(C, { modelName: "sim" });
    await record("turn-settled");
    await first.clock.tickAsync(240_000);
    await record("countdown-at-zero");
    await record("automatic-warm");
    await first.clock.tickAsync(30_000);
    await postWarm(first.server.httpUrl, { conversationId: C });
    await record("manual-warm");
    first.server.warmer.onTurnStarted(C);
    await record("generating");
    await first.server.warmer.onTurnSettled(C, { modelName: "sim" });
    await record("turn-settled-again");
    invoke("cache-warming/set-spend-limits", { idleWarmCap: 1 });
    await record("idle-cap-1");
    await first.clock.tickAsync(240_000);
    await record("countdown-at-zero-again");
    await record("paused-by-idle-cap");
    await client.close();
    await first.server.close();

    const { server } = await startTestServer({ dataDir }, {}, START + 10 * 60_000);
    const fresh = await SurfaceClient.connect(server.wsUrl);
    try {
      fresh.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: C });
      frames.push({ step: "after-restart", message: await fresh.take("surface") });
      await postWarm(server.httpUrl, { conversationId: C, model: "sim-large" });
      frames.push({ step: "manual-warm-other-model", message: await fresh.take("update") });
    } finally {
      await fresh.close();
      await server.close();
    }
    return frames;
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(FRAMES_PATH, `${JSON.stringify(await captureFrames(), null, 1)}\n`);
  console.log(`wrote ${FRAMES_PATH}`);
}
