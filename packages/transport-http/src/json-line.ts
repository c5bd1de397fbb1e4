import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A JSON answer ending in a newline, so `curl` output ends on its own line. */
export function jsonLine(c: Context, body: unknown, status: ContentfulStatusCode = 200): Response {
  return c.body(`${JSON.stringify(body)}\n`, status, {
    "Content-Type": "application/json; charset=UTF-8",
  });
}
