// Captures real messages from a running server (fake clock, simulator) for the docs, so the
// JSON in docs/handoff-reply.md is never typed by hand. `pnpm --filter @dispatch/server
// examples` rewrites the marked blocks; src/examples.test.ts fails when they drift.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { TIMER_RENDERER_ID } from "@dispatch/cache-warming";
import type { SurfaceSpec } from "@dispatch/ui-contract";
import { createPromptCacheSimulator } from "@dispatch/warm-service";
import {
  postWarm,
  START,
  SurfaceClient,
  startTestServer,
  tempDataDir,
} from "../src/testing/helpers.js";

export const DOC_PATH = fileURLToPath(new URL("../../../docs/handoff-reply.md", import.meta.url));
const C = "conv-42";

function timerOf(spec: SurfaceSpec): unknown {
  const field = spec.fields.find((f) => f.kind === "custom" && f.rendererId === TIMER_RENDERER_ID);
  return field?.kind === "custom" ? field.payload : undefined;
}

export async function captureExamples(): Promise<Record<string, unknown>> {
  return { ...(await captureWarms()), ...(await captureStates()), ...(await captureRestart()) };
}

async function captureWarms(): Promise<Record<string, unknown>> {
  const { server, clock } = await startTestServer();
  const client = await SurfaceClient.connect(server.wsUrl);
  const post = async (body: unknown) => {
    const res = await postWarm(server.httpUrl, body);
    return { status: res.status, body: await res.json() };
  };
  try {
    client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: C });
    await client.take("surface");
    await server.warmer.onTurnSettled(C, { cwd: "/repo", modelName: "sim" });
    await client.take("update");
    client.send({
      type: "invoke",
      surfaceId: "cache-warming",
      conversationId: C,
      actionId: "cache-warming/toggle",
    });
    await client.take("update");
    // The simulator's cache starts cold; this first warm writes the prefix, as a turn would.
    await post({ conversationId: C });
    await client.take("update");

    await clock.tickAsync(100_000);
    const manualWarm = await post({ conversationId: C });
    const afterManualWarm = await client.take("update");

    await clock.tickAsync(240_000); // the countdown reaches zero: one update, then the warm's
    const countdownAtZero = await client.take("update");
    const afterAutomaticWarm = await client.take("update");

    server.warmer.onTurnStarted(C);
    await client.take("update");
    const warmWhileGenerating = await post({ conversationId: C });

    return {
      "post-warm-200": manualWarm,
      "update-after-manual-warm": afterManualWarm,
      "update-after-automatic-warm": afterAutomaticWarm,
      "timer-warming": timerOf(countdownAtZero.update.spec),
      "post-warm-409": warmWhileGenerating,
    };
  } finally {
    await client.close();
    await server.close();
  }
}

/** A failing automatic warm, a spend-guard pause and a manual warm's model, as timer payloads. */
async function captureStates(): Promise<Record<string, unknown>> {
  const simulator = createPromptCacheSimulator({ now: () => clock.now });
  const { server, clock } = await startTestServer(
    {},
    {
      warm: {
        warm: (id, opts) =>
          id === "conv-down"
            ? Promise.reject(new Error("provider unavailable (503)"))
            : simulator.warm(id, opts),
      },
    },
  );
  const client = await SurfaceClient.connect(server.wsUrl);
  /** Runs a step, then returns the timer of the `updates`-th update pushed for `id`. */
  const timerAfter = async (id: string, step: () => Promise<unknown> | unknown, updates = 1) => {
    await step();
    let last: unknown;
    for (let seen = 0; seen < updates; ) {
      const { update } = await client.take("update");
      if (update.conversationId !== id) continue;
      seen += 1;
      last = timerOf(update.spec);
    }
    return last;
  };
  try {
    for (const id of ["conv-down", "conv-capped", "conv-model"]) {
      client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: id });
      await client.take("surface");
    }
    await timerAfter("conv-down", () => server.warmer.setEnabled("conv-down", true));
    const failed = await timerAfter("conv-down", () => clock.tickAsync(240_000), 2);
    await timerAfter("conv-down", () => server.warmer.setEnabled("conv-down", false));

    const capped = "conv-capped";
    await timerAfter(capped, () => server.warming.setSpendLimits(capped, { idleWarmCap: 1 }));
    await timerAfter(capped, () => server.warmer.setEnabled(capped, true));
    await timerAfter(capped, () => server.warmer.onTurnSettled(capped, { modelName: "sim" }));
    const paused = await timerAfter(capped, () => clock.tickAsync(240_000), 2);

    await timerAfter("conv-model", () => server.warmer.setEnabled("conv-model", true));
    await timerAfter("conv-model", () =>
      server.warmer.onTurnSettled("conv-model", { modelName: "sim" }),
    );
    const model = await timerAfter("conv-model", () =>
      postWarm(server.httpUrl, { conversationId: "conv-model", model: "sim-large" }),
    );
    return { "timer-failed": failed, "timer-paused": paused, "timer-model": model };
  } finally {
    await client.close();
    await server.close();
  }
}

/** A schedule whose cache expired while the server was down, as the next server shows it. */
async function captureRestart(): Promise<Record<string, unknown>> {
  const dataDir = await tempDataDir();
  const first = await startTestServer({ dataDir });
  await first.server.warmer.setEnabled("conv-7", true);
  await first.server.warmer.onTurnSettled("conv-7", { modelName: "sim" });
  await first.server.close();
  const { server } = await startTestServer({ dataDir }, {}, START + 600_000);
  const client = await SurfaceClient.connect(server.wsUrl);
  try {
    client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "conv-7" });
    return { "timer-not-resumed": timerOf((await client.take("surface")).spec) };
  } finally {
    await client.close();
    await server.close();
  }
}

/** Pretty JSON that keeps anything fitting in 110 columns on one line (a field per line). */
function formatJson(value: unknown, indent = ""): string {
  const flat = JSON.stringify(value);
  if (value === null || typeof value !== "object" || indent.length + flat.length <= 110)
    return flat;
  const inner = `${indent}  `;
  const lines = Array.isArray(value)
    ? value.map((item) => inner + formatJson(item, inner))
    : Object.entries(value).map(
        ([key, item]) => `${inner}${JSON.stringify(key)}: ${formatJson(item, inner)}`,
      );
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${lines.join(",\n")}\n${indent}${close}`;
}

const BLOCK = /(<!-- example:([\w-]+) -->\n```json\n)([\s\S]*?)(\n```)/g;

/** The examples a doc shows, by name, parsed from its marked blocks. */
export function examplesIn(doc: string): Record<string, unknown> {
  return Object.fromEntries(
    [...doc.matchAll(BLOCK)].map((match) => [match[2], JSON.parse(match[3] ?? "null")]),
  );
}

/** The doc with every marked block replaced by the captured example of that name. */
export function renderDoc(doc: string, examples: Record<string, unknown>): string {
  return doc.replace(BLOCK, (_all, open: string, name: string, _old, close: string) => {
    if (!(name in examples)) throw new Error(`no captured example named ${name}`);
    return `${open}${formatJson(examples[name])}${close}`;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const doc = await readFile(DOC_PATH, "utf8");
  await writeFile(DOC_PATH, renderDoc(doc, await captureExamples()));
  console.log(`updated the examples in ${DOC_PATH}`);
}
