// A tiny surface client for trying the server by hand:
//   pnpm watch <conversationId> [--enable]
// prints the cache-warming spec's timer and stats on every update.
import type { SurfaceServerMessage, SurfaceSpec } from "@dispatch/ui-contract";
import WebSocket from "ws";

const conversationId = process.argv[2] ?? "demo";
const enable = process.argv.includes("--enable");
const url = process.env.WS_URL ?? `ws://127.0.0.1:${process.env.WS_PORT ?? 24205}`;

function summary(spec: SurfaceSpec): string {
  const parts: string[] = [];
  for (const field of spec.fields) {
    if (field.kind === "toggle") parts.push(`enabled=${field.value}`);
    if (field.kind === "stat") parts.push(`${field.label}=${field.value}`);
    if (field.kind === "custom") parts.push(`timer=${JSON.stringify(field.payload)}`);
  }
  return parts.join("  ");
}

const socket = new WebSocket(url);
socket.on("open", () => {
  socket.send(JSON.stringify({ type: "subscribe", surfaceId: "cache-warming", conversationId }));
  if (enable) {
    const invoke = { type: "invoke", surfaceId: "cache-warming", conversationId };
    socket.send(JSON.stringify({ ...invoke, actionId: "cache-warming/toggle", payload: true }));
  }
});
socket.on("message", (data) => {
  const message = JSON.parse(data.toString()) as SurfaceServerMessage;
  const time = new Date().toISOString().slice(11, 23);
  if (message.type === "surface") console.log(`${time} surface  ${summary(message.spec)}`);
  else if (message.type === "update")
    console.log(`${time} update   ${summary(message.update.spec)}`);
  else console.log(`${time} ${message.type}  ${JSON.stringify(message)}`);
});
socket.on("error", (error) => {
  console.error(`cannot reach ${url}: ${error.message}`);
  process.exit(1);
});
