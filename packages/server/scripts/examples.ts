// Captures real messages from a running server (fake clock, simulator) for the docs, so the
// JSON in docs/handoff-reply.md is never typed by hand. `pnpm --filter @dispatch/server
// examples` rewrites the marked blocks; src/examples.test.ts fails when they drift.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { postWarm, SurfaceClient, startTestServer } from "../src/testing/helpers.js";

export const DOC_PATH = fileURLToPath(new URL("../../../docs/handoff-reply.md", import.meta.url));
const C = "conv-42";

export async function captureExamples(): Promise<Record<string, unknown>> {
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
    await client.take("update");
    const afterAutomaticWarm = await client.take("update");

    server.warmer.onTurnStarted(C);
    await client.take("update");
    const warmWhileGenerating = await post({ conversationId: C });

    return {
      "post-warm-200": manualWarm,
      "update-after-manual-warm": afterManualWarm,
      "update-after-automatic-warm": afterAutomaticWarm,
      "post-warm-409": warmWhileGenerating,
    };
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
