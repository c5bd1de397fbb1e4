import type { SurfaceRegistry } from "@dispatch/surface-registry";
import {
  describeIssues,
  type SurfaceClientMessage,
  type SurfaceServerMessage,
  surfaceClientMessageSchema,
} from "@dispatch/ui-contract";
import type { WebSocket } from "ws";

interface Logger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

function subscriptionKey(surfaceId: string, conversationId: string | undefined): string {
  return `${surfaceId}\u0000${conversationId ?? ""}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Serves the surface protocol on one socket: catalog on connect, subscribe / unsubscribe /
 * invoke, an `update` for every change of a subscribed surface. A bad message gets an
 * `error` and nothing else: the socket and its other subscriptions stay up.
 */
export function serveSurfaceSocket(
  socket: WebSocket,
  registry: SurfaceRegistry,
  logger: Logger,
): void {
  const unsubscribers = new Map<string, () => void>();
  let open = true;

  const send = (message: SurfaceServerMessage) => {
    if (open) socket.send(JSON.stringify(message));
  };
  const sendError = (message: string, surfaceId?: string) =>
    send({ type: "error", ...(surfaceId === undefined ? {} : { surfaceId }), message });

  send({ type: "catalog", catalog: registry.getCatalog() });
  const stopCatalog = registry.onCatalogChange((catalog) => send({ type: "catalog", catalog }));

  async function handle(message: SurfaceClientMessage): Promise<void> {
    const context =
      message.conversationId === undefined ? {} : { conversationId: message.conversationId };
    const key = subscriptionKey(message.surfaceId, message.conversationId);
    switch (message.type) {
      case "subscribe": {
        const subscription = await registry.subscribe(message.surfaceId, context, (spec, ctx) =>
          send({ type: "update", update: { surfaceId: message.surfaceId, spec, ...ctx } }),
        );
        if (!open) {
          subscription.unsubscribe();
          return;
        }
        unsubscribers.get(key)?.();
        unsubscribers.set(key, subscription.unsubscribe);
        send({ type: "surface", spec: subscription.spec, ...subscription.context });
        return;
      }
      case "unsubscribe":
        unsubscribers.get(key)?.();
        unsubscribers.delete(key);
        return;
      case "invoke":
        await registry.invoke(message.surfaceId, context, message.actionId, message.payload);
        return;
    }
  }

  socket.on("message", (data, isBinary) => {
    if (isBinary) return sendError("send JSON text frames");
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return sendError("message is not valid JSON");
    }
    const type = (json as { type?: unknown } | null)?.type;
    if (typeof type === "string" && type.startsWith("chat.")) {
      return sendError(`"${type}" is not served here: this backend only serves surfaces`);
    }
    const parsed = surfaceClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      return sendError(`invalid message: ${describeIssues(parsed.error, "message")}`);
    }
    handle(parsed.data).catch((error: unknown) => {
      logger.warn("surface request failed", { type: parsed.data.type, error: describe(error) });
      sendError(describe(error), parsed.data.surfaceId);
    });
  });

  // Oversized or broken frames: ws closes the socket itself; without a listener the
  // error event would take the whole process down.
  socket.on("error", (error) => logger.warn("surface socket error", { error: describe(error) }));

  socket.on("close", () => {
    open = false;
    stopCatalog();
    for (const unsubscribe of unsubscribers.values()) unsubscribe();
    unsubscribers.clear();
  });
}
