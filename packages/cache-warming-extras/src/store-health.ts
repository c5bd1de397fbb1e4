// Extra: the store's health is the warmer's. A warm is money whose record (ledger, history,
// budget) must land in the store; once a read or write of the store fails, no warm is sent:
// a manual one is refused (`unavailable`, 503 at the route), an automatic one waits and tries
// again. Before each refused warm the store is probed with a write, so warming comes back by
// itself when the store does. The host's `/health` reads `status()`.
import { type Extra, seam } from "./extra.js";
import type { RecordStorage } from "./records.js";

/** The key the probe writes: a timestamp, nothing a conversation reads. */
export const PROBE_KEY = "store-health-probe";
/** How long an automatic warm waits before it tries the store again. */
export const STORE_RETRY_MS = 5_000;

/** The refusal of a warm the store cannot record (the ledger's own write failing says it too). */
export const UNRECORDED = {
  reason: "unavailable",
  error: "the settings store cannot write, so the warm could not be recorded; no warm was sent",
  retryAfterMs: STORE_RETRY_MS,
} as const;

export interface StoreHealth {
  readonly ok: boolean;
  /** What failed last, while it is not ok. */
  readonly reason: string | null;
  readonly since: number | null;
}

export function createStoreHealth(deps: {
  readonly storage: RecordStorage;
  readonly now: () => number;
  readonly logger: {
    warn(msg: string, attrs?: Readonly<Record<string, unknown>>): void;
    info(msg: string): void;
  };
}) {
  const { storage: inner, now, logger } = deps;
  let failed: { reason: string; since: number } | null = null;

  function track<T>(operation: Promise<T>): Promise<T> {
    return operation.then(
      (value) => {
        if (failed !== null) {
          failed = null;
          logger.info("cache-warming: the store answers again; warming resumes");
        }
        return value;
      },
      (error: unknown) => {
        if (failed === null) {
          failed = { reason: error instanceof Error ? error.message : String(error), since: now() };
          logger.warn("cache-warming: the store failed; no warm is sent until it answers", {
            reason: failed.reason,
          });
        }
        throw error;
      },
    );
  }

  /** The storage every extra and the warmer use, watched. */
  const storage: RecordStorage = {
    get: (key) => track(inner.get(key)),
    set: (key, value) => track(inner.set(key, value)),
    ...(inner.delete === undefined
      ? {}
      : { delete: (key: string) => track(inner.delete?.(key) as Promise<void>) }),
    ...(inner.keys === undefined
      ? {}
      : { keys: (prefix?: string) => track(inner.keys?.(prefix) as Promise<readonly string[]>) }),
  };

  let probing: Promise<boolean> | null = null;
  /** Whether the store takes a write now (warms refused at once share one probe). */
  function probe(): Promise<boolean> {
    probing ??= storage.set(PROBE_KEY, String(now())).then(
      () => true,
      () => false,
    );
    const answer = probing;
    void answer.finally(() => {
      if (probing === answer) probing = null;
    });
    return answer;
  }

  let probedAt = Number.NEGATIVE_INFINITY;
  /**
   * Probes in the background when the last probe is a second old: a store that died while
   * nothing wrote shows on the next look, and a look never waits for the disk.
   */
  function look(): StoreHealth {
    if (probing === null && now() - probedAt >= 1_000) {
      probedAt = now();
      void probe();
    }
    return extra.status();
  }

  const extra = {
    storage,
    probe,
    look,
    status: (): StoreHealth =>
      failed === null
        ? { ok: true, reason: null, since: null }
        : { ok: false, reason: failed.reason, since: failed.since },
    hooks: seam({
      beforeWarm() {
        if (failed === null) return undefined;
        return probe().then((ok) => (ok ? undefined : UNRECORDED));
      },
    }),
  } satisfies Extra & Record<string, unknown>;
  return extra;
}

export type StoreHealthExtra = ReturnType<typeof createStoreHealth>;
