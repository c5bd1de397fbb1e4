import type { SurfaceRegistry } from "@dispatch/surface-registry";
import type {
  SurfaceClientMessage,
  SurfaceServerMessage,
  SurfaceSpec,
} from "@dispatch/ui-contract";
import { describeIssues, surfaceClientMessageSchema } from "@dispatch/ui-contract-schemas";
import type { WebSocket } from "ws";

interface Logger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** What one socket may make the server hold. */
export interface SocketLimits {
  /** Bytes queued for a client that does not read; past it the socket is closed. */
  readonly maxBufferedBytes: number;
  /** Subscriptions one socket may hold at once. */
  readonly maxSubscriptions: number;
  /** Requests of one socket being worked on at once (subscribe and invoke are async). */
  readonly maxInFlight: number;
  /**
   * Bytes of requests held while those are busy. Reading pauses as soon as one is held; what
   * the last read chunk still carries is kept up to this bound, past it the socket is closed.
   */
  readonly maxQueuedBytes: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxBufferedBytes: 1024 * 1024,
  maxSubscriptions: 100,
  maxInFlight: 16,
  maxQueuedBytes: 1024 * 1024,
};

/** Close codes: 1008 policy violation (a limit), 1013 try again later (too slow a reader). */
export const CLOSE_LIMIT = 1008;
export const CLOSE_SLOW_READER = 1013;

/** Longest piece of a client's own input an error message repeats back. */
const ECHO_LIMIT = 64;
/** Longest refusal message shown to a client. */
const MESSAGE_LIMIT = 200;

// Every subscriber of one conversation gets the very same spec object in a push: its
// serialized update is made once and shared by all their sockets.
// Encoded once to UTF-8 too, so each socket only frames the same bytes.
const serializedUpdates = new WeakMap<SurfaceSpec, Buffer>();

function updateText(
  surfaceId: string,
  spec: SurfaceSpec,
  context: { conversationId?: string },
): Buffer {
  let encoded = serializedUpdates.get(spec);
  // Stryker disable next-line ConditionalExpression: a cache; serializing again gives the same bytes
  if (encoded === undefined) {
    const message: SurfaceServerMessage = {
      type: "update",
      update: { surfaceId, spec, ...context },
    };
    encoded = Buffer.from(JSON.stringify(message));
    serializedUpdates.set(spec, encoded);
  }
  return encoded;
}

function subscriptionKey(surfaceId: string, conversationId: string | undefined): string {
  // Stryker disable next-line StringLiteral: any text no conversation id can be works here
  return `${surfaceId}\u0000${conversationId ?? ""}`;
}

function clip(value: string, limit = ECHO_LIMIT): string {
  return value.length <= limit ? value : `${value.slice(0, limit)}…`;
}

/**
 * A message that may go back to the client: errors marked `expose` (refusals written for the
 * client, like an unknown surface or a bad action payload). Anything else — a storage
 * failure with its paths and errno text — is logged and answered generically.
 */
function clientMessage(error: unknown): string | null {
  if (error instanceof Error && (error as { expose?: unknown }).expose === true) {
    // Stryker disable next-line StringLiteral: split always yields a first element
    return clip(error.message.split("\n")[0] ?? "", MESSAGE_LIMIT);
  }
  return null;
}

/**
 * Serves the surface protocol on one socket: catalog on connect, subscribe / unsubscribe /
 * invoke, an `update` for every change of a subscribed surface. A bad message gets an
 * `error` and nothing else: the socket and its other subscriptions stay up. What the socket
 * can make the server hold is bounded (`SocketLimits`).
 */
export function serveSurfaceSocket(
  socket: WebSocket,
  registry: SurfaceRegistry,
  logger: Logger,
  limits: SocketLimits = DEFAULT_SOCKET_LIMITS,
  now: () => number = () => 0,
): { subscriptions(): number; lastMessageAt(): number } {
  const unsubscribers = new Map<string, () => void>();
  const subscribing = new Set<string>();
  let open = true;
  let inFlight = 0;
  /** Requests read while `maxInFlight` were being worked on; reading pauses meanwhile. */
  const waiting: Array<{ message: SurfaceClientMessage; bytes: number }> = [];
  let waitingBytes = 0;
  let lastMessageAt = now();

  const closeFor = (code: number, reason: string) => {
    // Stryker disable next-line ConditionalExpression: both callers already stop once closed; kept as a guard
    if (!open) return;
    logger.warn("surface socket closed by a limit", { reason });
    open = false;
    waiting.length = 0;
    waitingBytes = 0;
    // Read again, or the client's answer to the close frame would never be seen.
    // Stryker disable next-line ConditionalExpression: resuming a socket that reads is a no-op
    if (socket.isPaused) socket.resume();
    socket.close(code, reason);
  };

  const sendText = (text: string | Buffer) => {
    if (!open) return;
    // A client that does not read would otherwise make the server queue without end.
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      closeFor(CLOSE_SLOW_READER, "client is not reading its messages");
      return;
    }
    // A Buffer goes out as a text frame too: it is UTF-8 JSON.
    socket.send(text, { binary: false });
  };
  const send = (message: SurfaceServerMessage) => sendText(JSON.stringify(message));
  const sendError = (message: string, surfaceId?: string) =>
    send({
      type: "error",
      ...(surfaceId === undefined ? {} : { surfaceId: clip(surfaceId) }),
      message,
    });

  send({ type: "catalog", catalog: registry.getCatalog() });
  const stopCatalog = registry.onCatalogChange((catalog) => send({ type: "catalog", catalog }));

  async function handle(message: SurfaceClientMessage): Promise<void> {
    const context =
      message.conversationId === undefined ? {} : { conversationId: message.conversationId };
    const key = subscriptionKey(message.surfaceId, message.conversationId);
    switch (message.type) {
      case "subscribe": {
        const isNew = !unsubscribers.has(key) && !subscribing.has(key);
        if (isNew && unsubscribers.size + subscribing.size >= limits.maxSubscriptions) {
          logger.warn("surface subscription refused: the connection's cap is reached", {
            maxSubscriptions: limits.maxSubscriptions,
          });
          sendError(`at most ${limits.maxSubscriptions} subscriptions per connection`);
          return;
        }
        // Counted while it is being set up, and moved to `unsubscribers` in the same step, so
        // concurrent subscribes can never pass the cap together.
        subscribing.add(key);
        let subscription: Awaited<ReturnType<SurfaceRegistry["subscribe"]>>;
        try {
          subscription = await registry.subscribe(message.surfaceId, context, (spec, ctx) =>
            sendText(updateText(message.surfaceId, spec, ctx)),
          );
        } finally {
          subscribing.delete(key);
        }
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
    if (!open) return;
    lastMessageAt = now();
    if (isBinary) return sendError("send JSON text frames");
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      logger.warn("malformed surface message", { problem: "not JSON" });
      return sendError("message is not valid JSON");
    }
    const type = (json as { type?: unknown } | null)?.type;
    if (typeof type === "string" && type.startsWith("chat.")) {
      return sendError(`"${clip(type)}" is not served here: this backend only serves surfaces`);
    }
    const parsed = surfaceClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const problem = describeIssues(parsed.error, "message");
      logger.warn("malformed surface message", { problem: clip(problem) });
      return sendError(`invalid message: ${clip(problem)}`);
    }
    if (inFlight < limits.maxInFlight) {
      dispatch(parsed.data);
      return;
    }
    // Busy: hold the request and stop reading this socket until a slot frees up.
    const bytes = (data as Buffer).length;
    if (waitingBytes + bytes > limits.maxQueuedBytes) {
      return closeFor(CLOSE_LIMIT, `more than ${limits.maxQueuedBytes} bytes of requests waiting`);
    }
    waiting.push({ message: parsed.data, bytes });
    waitingBytes += bytes;
    if (!socket.isPaused) socket.pause();
  });

  function dispatch(message: SurfaceClientMessage): void {
    inFlight += 1;
    handle(message)
      .catch((error: unknown) => {
        const shown = clientMessage(error);
        logger.warn("surface request failed", {
          type: message.type,
          surfaceId: clip(message.surfaceId),
          conversationId: message.conversationId ?? null,
          ...(message.type === "invoke" ? { actionId: clip(message.actionId) } : {}),
          error: error instanceof Error ? error.message : String(error),
        });
        sendError(shown ?? "the request failed on the server", message.surfaceId);
      })
      .finally(() => {
        inFlight -= 1;
        const next = waiting.shift();
        if (next) waitingBytes -= next.bytes;
        if (next && open) dispatch(next.message);
        else if (waiting.length === 0 && socket.isPaused && open) socket.resume();
      });
  }

  // Oversized or broken frames: ws closes the socket itself; without a listener the
  // error event would take the whole process down.
  socket.on("error", (error) =>
    logger.warn("surface socket error", { error: clip(error.message) }),
  );

  socket.on("close", () => {
    open = false;
    stopCatalog();
    for (const unsubscribe of unsubscribers.values()) unsubscribe();
    unsubscribers.clear();
  });

  return { subscriptions: () => unsubscribers.size, lastMessageAt: () => lastMessageAt };
}
