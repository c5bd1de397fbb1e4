import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { jsonLine } from "./json-line.js";

/** The body was larger than allowed (by its Content-Length or as it streamed in). */
export class BodyTooLarge extends Error {}

/**
 * The request body as text, refusing more than `maxBytes` without reading further. On Node
 * (@hono/node-server) it reads the socket's message directly: asking the web `Request` for its
 * body would build a stream, an abort signal and a copy of the request for every call.
 */
export async function readBody(c: Context, maxBytes: number): Promise<string> {
  // Without this early refusal the streamed count refuses the same body with the same 413;
  // it only spares reading it.
  // Stryker disable next-line LogicalOperator,ConditionalExpression: equivalent, see above
  const declared = Number(c.req.header("content-length") ?? Number.NaN);
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  if (declared > maxBytes) throw new BodyTooLarge();
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  // A host app's middleware may have read the body already; then Hono holds it.
  // Stryker disable next-line ConditionalExpression: no middleware of ours reads it first
  if (incoming === undefined || incoming.readableEnded) {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > maxBytes) throw new BodyTooLarge();
    return text;
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        incoming.resume(); // drain the rest without keeping it
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    // Stryker disable BlockStatement,StringLiteral: after the promise settles, late events change nothing; detaching only frees the closures
    const cleanup = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
    };
    // Stryker restore BlockStatement,StringLiteral
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
  });
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/**
 * Middleware for the routes that take a JSON body: 415 unless it is sent as
 * `application/json`, 413 past `maxBytes` (counted as it streams in, so a huge body is never
 * held). The body it read is handed on as the request's text, so `c.req.json()` and
 * `c.req.text()` in the handler return it without reading again.
 */
export function jsonBodyLimit(
  maxBytes: number,
  logger?: { warn(msg: string, attrs?: Record<string, string | number | null>): void },
): MiddlewareHandler {
  return async (c, next) => {
    if (!isJson(c.req.header("content-type"))) {
      logger?.warn("request refused: body not sent as JSON", { path: c.req.path });
      return jsonLine(c, { error: "send the body as Content-Type: application/json" }, 415);
    }
    let text: string;
    try {
      text = await readBody(c, maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        logger?.warn("request refused: body too large", { path: c.req.path, maxBytes });
        return jsonLine(c, { error: `body is larger than ${maxBytes} bytes` }, 413);
      }
      return jsonLine(c, { error: "Invalid JSON body" }, 400);
    }
    // Hono keeps a read body as a promise per kind in `bodyCache` (typed as the value).
    (c.req.bodyCache as unknown as { text?: Promise<string> }).text = Promise.resolve(text);
    await next();
  };
}
