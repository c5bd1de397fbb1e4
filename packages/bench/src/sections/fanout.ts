// One conversation with S subscribers (real sockets from loopback, which the server counts as
// one address, so its per-address cap is raised to S), the server in its own process: a POST
// /chat/warm, and when each subscriber receives the update; and whether the POST's answer
// waits for the pushes.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { serverBundle, startServer, stop } from "../child.js";
import { medianSpread, summarize } from "../stats.js";

const HTTP = "http://127.0.0.1:24631";
const WS = "ws://127.0.0.1:24633";

function subscriber(onUpdate: () => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(WS);
    // Only the first bytes say what arrived: a receipt costs the client as little as possible,
    // so the times measure the server, not 1 000 JSON parses in this one process.
    socket.on("message", (data) => {
      const head = (data as Buffer).toString("latin1", 0, 16);
      if (head.startsWith('{"type":"surface')) resolve(socket);
      else if (head.startsWith('{"type":"update"')) onUpdate();
    });
    socket.once("open", () =>
      socket.send(
        JSON.stringify({ type: "subscribe", surfaceId: "cache-warming", conversationId: "fan" }),
      ),
    );
    socket.once("error", reject);
  });
}

export async function benchFanout(counts: number[], samples: number) {
  const server = await startServer([serverBundle], `${HTTP}/health`, {
    PORT: "24631",
    WS_PORT: "24633",
    DISPATCH_DATA_DIR: mkdtempSync(join(tmpdir(), "bench-fanout-")),
    DISPATCH_MAX_WARMS_PER_MINUTE: "0",
    DISPATCH_MANUAL_WARM_MIN_GAP_MS: "0",
    DISPATCH_MAX_SOCKETS_PER_ADDRESS: String(Math.max(...counts)),
    LOG_LEVEL: "warn",
  });
  const results = [];
  try {
    for (const count of counts) {
      let sentAt = 0;
      const receipts: number[] = [];
      let received = 0;
      let allReceived: () => void = () => {};
      const sockets = [];
      for (let i = 0; i < count; i++) {
        sockets.push(
          await subscriber(() => {
            receipts.push(performance.now() - sentAt);
            if (++received === count) allReceived();
          }),
        );
      }
      const answers: number[] = [];
      for (let s = 0; s < samples; s++) {
        received = 0;
        const all = new Promise<void>((resolve) => (allReceived = resolve));
        sentAt = performance.now();
        const res = await fetch(`${HTTP}/chat/warm`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"conversationId":"fan"}',
        });
        await res.arrayBuffer();
        answers.push(performance.now() - sentAt);
        await all;
      }
      for (const socket of sockets) socket.terminate();
      results.push({
        subscribers: count,
        receiptMs: summarize(receipts),
        postAnswerMs: medianSpread(answers),
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await stop(server);
  }
  return results;
}
