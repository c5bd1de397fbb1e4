// The reference for `POST /chat/warm`: a minimal Hono app on @hono/node-server that reads the
// body the way the production path does (Node's request stream, `readBody`), parses it and
// answers a JSON of the same size. Nothing else: no Host, Origin or CORS handling, no schema,
// no warmer, no store, no log line.

import { readBody } from "@dispatch/transport-http";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const port = Number(process.argv[2]);
const app = new Hono();
const answer = JSON.stringify({
  inputTokens: 12016,
  outputTokens: 1,
  cacheReadTokens: 12000,
  cacheWriteTokens: 0,
  cachePct: 100,
  expectedCacheRate: 100,
  nextWarmAt: 1795608340000,
  lastWarmAt: 1795608100000,
});
app.post("/chat/warm", async (c) => {
  const body = JSON.parse(await readBody(c, 4096)) as { conversationId?: unknown };
  if (typeof body.conversationId !== "string") return c.json({ error: "conversationId" }, 400);
  return c.body(`${answer}\n`, 200, { "Content-Type": "application/json; charset=UTF-8" });
});
serve({ fetch: app.fetch, hostname: "127.0.0.1", port }, () => console.log("ready"));
