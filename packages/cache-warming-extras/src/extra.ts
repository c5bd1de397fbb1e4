// What every extra is and gets: the bottom of this package. An extra plugs into the core's
// warmer through its hooks, keeps its own state per conversation (its own map and its own
// storage keys), reads it back on `load`, and drops it from memory on `forget`.
import {
  type CacheWarmer,
  type CacheWarmerDeps,
  TIMER_RENDERER_ID,
  type WarmerHooks,
} from "@dispatch/cache-warming";
import type { SurfaceField, SurfaceSpec } from "@dispatch/ui-contract";
import type { EconomicsOf } from "./prices.js";
import type { RecordStorage, WriteQueue } from "./records.js";

export type Logger = CacheWarmerDeps["logger"];

/** What an extra may restore into the warmer after a restart (`warmer.refresh`). */
export type Restored = NonNullable<Parameters<CacheWarmer["refresh"]>[1]>;

/** What the extras share: the warmer they extend, the clock, storage and the model's facts. */
export interface ExtraDeps {
  readonly warmer: CacheWarmer;
  readonly now: () => number;
  readonly logger: Logger;
  readonly storage: RecordStorage;
  /** One write queue for every extra's records, so each key's writes keep their order. */
  readonly queue: WriteQueue;
  readonly economicsOf: EconomicsOf;
  /** Records outlive the process (false: storage in memory, so none is written). */
  readonly persist: boolean;
}

/** Why an extra holds a schedule, for people and for machines. */
export interface Pause {
  /** The machine-readable reason (`idle-cap`, `budget`, …). */
  readonly reason: string;
  /** The rule that paused it, in words ("the idle cap"). */
  readonly rule: string;
  /** Why, in a sentence. */
  readonly why: string;
  /** What starts it again. */
  readonly resumes: string;
}

/**
 * An extra's hooks, typed as the core's seam: what a package declares for an extra then names
 * `WarmerHooks`, not each hook's inferred signature (whose types the core's entry does not
 * export by name).
 */
export function seam(hooks: WarmerHooks): WarmerHooks {
  return hooks;
}

export interface Extra {
  readonly hooks: WarmerHooks;
  /** Reads what it stores for a conversation; called before the warmer's state is restored. */
  load?(conversationId: string): Promise<void>;
  /** Drops what it holds in memory for a conversation (what is stored stays). */
  forget?(conversationId: string): void;
  /** Whether it still needs this conversation in memory (so memory release keeps it). */
  holds?(conversationId: string): boolean;
  /** Why it holds this conversation's schedule, or null. */
  pause?(conversationId: string): Pause | null;
  /** Words the Schedule adds while warming is scheduled ("3 of 15 before the idle cap"). */
  note?(conversationId: string): string | null;
}

/** The spec with `fields` added at its end. */
export function withFields(spec: SurfaceSpec, fields: readonly SurfaceField[]): SurfaceSpec {
  return { ...spec, fields: [...spec.fields, ...fields] };
}

/** The spec with `keys` added to the timer field's payload. */
export function withTimerKeys(spec: SurfaceSpec, keys: object): SurfaceSpec {
  return {
    ...spec,
    fields: spec.fields.map((field) =>
      field.kind === "custom" && field.rendererId === TIMER_RENDERER_ID
        ? { ...field, payload: { ...(field.payload as object), ...keys } }
        : field,
    ),
  };
}

/** Per-conversation state of one extra: created on first use, dropped on `forget`. */
export function perConversation<T>(fresh: () => T) {
  const entries = new Map<string, T>();
  return {
    get(id: string): T {
      let entry = entries.get(id);
      if (entry === undefined) {
        entry = fresh();
        entries.set(id, entry);
      }
      return entry;
    },
    peek: (id: string) => entries.get(id),
    forget: (id: string) => entries.delete(id),
    get size() {
      return entries.size;
    },
  };
}
