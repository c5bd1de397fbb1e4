// The values of the keys read or written last, for a store no other process writes: a read of
// a key with no write in flight is answered from memory, without a trip to the database's
// thread. A write in flight makes its key go to the database until it is settled (the database
// orders it); a write that fails forgets the key, so the disk's value is read again.

export interface ReadCache {
  /** The remembered value, or undefined when the database must be asked. */
  lookup(key: string): { readonly value: string | null } | undefined;
  /** A value the database answered for `key`, read after every write asked for before it. */
  read(key: string, value: string | null): void;
  writing(key: string): void;
  written(key: string, value: string | null, ok: boolean): void;
  size(): number;
}

/** At most `limit` keys, the least recently used forgotten first; 0 remembers nothing. */
export function createReadCache(limit: number): ReadCache {
  const values = new Map<string, string | null>();
  const inFlight = new Map<string, number>();
  const remember = (key: string, value: string | null) => {
    values.delete(key);
    values.set(key, value);
    if (values.size > limit) values.delete(values.keys().next().value as string);
  };
  return {
    // While a write of the key is in flight, only the database knows what a read must see.
    lookup(key) {
      if (inFlight.has(key) || !values.has(key)) return undefined;
      const value = values.get(key) as string | null;
      remember(key, value); // now the most recently used
      return { value };
    },
    read: remember,
    writing(key) {
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
    },
    written(key, value, ok) {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left === 0) inFlight.delete(key);
      else inFlight.set(key, left);
      // A later write of the same key, still in flight, replaces this value when it settles.
      if (ok) remember(key, value);
      else values.delete(key);
    },
    size: () => values.size,
  };
}
