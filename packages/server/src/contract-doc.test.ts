// docs/contract.md against a running server: the field list, the timer payload's keys, the
// catalog line, the actions table and the error example are what the server really sends, so
// a change that makes the contract false fails here.
import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { cleanupAfterEach, SurfaceClient, startTestServer } from "./testing/helpers.js";

const afterTest = cleanupAfterEach();
const CONTRACT = new URL("../../../docs/contract.md", import.meta.url);

async function subscribed(): Promise<{ client: SurfaceClient; doc: string }> {
  const { server } = await startTestServer();
  afterTest(() => server.close());
  const client = await SurfaceClient.connect(server.wsUrl);
  afterTest(() => client.close());
  return { client, doc: await readFile(CONTRACT, "utf8") };
}

/** The numbered field list under "The `cache-warming` surface": `N. kind `Label``. */
function documentedFields(doc: string): string[] {
  return [...doc.matchAll(/^\d+\. (toggle|number|stat|custom|button|selector) `([^`]+)`/gm)].map(
    ([, kind, label]) => `${kind} ${label}`,
  );
}

it("lists the spec's fields in the order and with the labels the server sends", async () => {
  const { client, doc } = await subscribed();
  client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c1" });
  const { spec } = await client.take("surface");
  const sent = spec.fields.map((field) =>
    field.kind === "custom" ? `custom ${field.rendererId}` : `${field.kind} ${field.label}`,
  );
  expect(documentedFields(doc)).toEqual(sent);
});

it("names every key of the timer payload, in order", async () => {
  const { client, doc } = await subscribed();
  client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c1" });
  const { spec } = await client.take("surface");
  const timer = spec.fields.find((field) => field.kind === "custom");
  const documented = /custom `cache-warming-timer`, payload\s+`\{([^}]+)\}`/.exec(doc)?.[1];
  expect(documented?.split(",").map((key) => key.trim())).toEqual(
    Object.keys((timer as { payload: object }).payload),
  );
});

it("shows the catalog line and an error line as the server sends them", async () => {
  const { client, doc } = await subscribed();
  const catalog = await client.take("catalog");
  expect(doc).toContain(
    `{ "type": "catalog", "catalog": [ ${catalogEntry(catalog.catalog[0])} ] }`,
  );
  client.send({
    type: "invoke",
    surfaceId: "cache-warming",
    conversationId: "c1",
    actionId: "cache-warming/set-interval",
    payload: 0,
  });
  const error = await client.take("error");
  expect(doc).toContain(
    `{ "type": "error",   "surfaceId": "cache-warming", "message": ${JSON.stringify(error.message)} }`,
  );
});

it("tables exactly the actions the spec's fields invoke", async () => {
  const { client, doc } = await subscribed();
  client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c1" });
  const { spec } = await client.take("surface");
  const invoked = spec.fields.flatMap((field) =>
    "action" in field && field.action ? [field.action.actionId] : [],
  );
  const tabled = [...doc.matchAll(/^\| `(cache-warming\/[\w-]+)` +\|/gm)].map(([, id]) => id);
  // The spend limits have no field of their own (the CLI and the HTTP action send them).
  expect(tabled).toEqual([...invoked, "cache-warming/set-spend-limits"]);
});

function catalogEntry(entry: unknown): string {
  // The doc spaces the object as people write it: `{ "id": "…", "region": "…", … }`.
  return `{ ${Object.entries(entry as Record<string, unknown>)
    .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
    .join(", ")} }`;
}
