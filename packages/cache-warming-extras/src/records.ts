// What the extras keep in storage: each record checked against its schema when read (one
// that does not match is treated as absent), and written per key in call order, a write
// skipped when it would store what is stored already.
import * as z from "zod";

/** The part of a key/value store the extras use (upstream's storage namespace fits). */
export interface RecordStorage {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete?(key: string): Promise<void>;
  keys?(prefix?: string): Promise<readonly string[]>;
}

export interface ErrorLogger {
  error(msg: string, attrs?: Readonly<Record<string, unknown>>): void;
}

/** A count a record may hold. */
export const countSchema = z.number().int().min(0).max(1_000_000);

/** Epoch-ms, or null; anything else reads as null. */
export const epochOrNull = z.number().int().min(0).nullable().catch(null);

/** Longest model name and cwd anything stores or replays (longer ones are refused at the door). */
export const MAX_MODEL_NAME = 256;
export const MAX_CWD = 4096;

/** A stored JSON value read with its schema; `fallback` for anything missing or unreadable. */
export function parseStored<T, F>(raw: string | null, schema: z.ZodType<T>, fallback: F): T | F {
  if (raw === null) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

/** Writes per key in call order: a later write never overtakes an earlier one. */
export interface WriteQueue {
  enqueue<T>(key: string, write: () => Promise<T>): Promise<T>;
  /** Resolves once every write queued so far has finished (failed or not). */
  drain(): Promise<void>;
  /** Keys with a write queued or running. */
  readonly size: number;
}

export function createWriteQueue(): WriteQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    enqueue(key, write) {
      const run = (tails.get(key) ?? Promise.resolve()).then(write);
      const tail = run.then(
        () => {},
        () => {},
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return run;
    },
    async drain() {
      await Promise.all([...tails.values()]);
    },
    get size() {
      return tails.size;
    },
  };
}

/**
 * One kind of per-conversation record (`<prefix>:<id>`): read with its schema, written
 * through the shared queue when it changed; null deletes it.
 */
export function keptRecord<T>(options: {
  readonly prefix: string;
  readonly storage: RecordStorage;
  readonly queue: WriteQueue;
  readonly logger: ErrorLogger;
  readonly schema: z.ZodType<T>;
  /** Writes are skipped (storage that does not outlive the process). */
  readonly readOnly?: boolean;
}) {
  const { prefix, storage, queue, logger, schema } = options;
  // What is stored now per id, to skip writes that change nothing; dropped with `forget`.
  const written = new Map<string, string | null>();
  const key = (id: string) => `${prefix}:${id}`;
  return {
    key,
    async read(id: string): Promise<T | null> {
      const raw = await storage.get(key(id));
      written.set(id, raw);
      return parseStored(raw, schema, null);
    },
    write(id: string, value: T | null): Promise<void> {
      const raw = value === null ? null : JSON.stringify(value);
      if (options.readOnly === true || written.get(id) === raw) return Promise.resolve();
      written.set(id, raw);
      return queue
        .enqueue(key(id), () =>
          raw === null
            ? (storage.delete?.(key(id)) ?? Promise.resolve())
            : storage.set(key(id), raw),
        )
        .catch((err: unknown) => {
          written.delete(id); // written again with the next change
          logger.error(`cache-warming: could not store ${key(id)}`, { err });
          throw err;
        });
    },
    /** `write`, its failure logged and not thrown (nothing waits on this record). */
    save(id: string, value: T | null): void {
      this.write(id, value).catch(() => {});
    },
    forget(id: string): void {
      written.delete(id);
    },
  };
}

export type KeptRecord<T> = ReturnType<typeof keptRecord<T>>;
