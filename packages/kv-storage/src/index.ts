import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";

/** Key/value storage shaped like upstream's kernel `StorageNamespace`. */
export interface KeyValueStorage {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  has(key: string): Promise<boolean>;
  /** Every key, or those starting with `prefix`. */
  keys(prefix?: string): Promise<readonly string[]>;
}

function keysOf(data: Map<string, string>, prefix: string | undefined): string[] {
  return [...data.keys()].filter((key) => prefix === undefined || key.startsWith(prefix));
}

export function createMemoryStorage(initial: Record<string, string> = {}): KeyValueStorage {
  const data = new Map(Object.entries(initial));
  return {
    async get(key) {
      return data.get(key) ?? null;
    },
    async set(key, value) {
      data.set(key, value);
    },
    async delete(key) {
      data.delete(key);
    },
    async has(key) {
      return data.has(key);
    },
    async keys(prefix) {
      return keysOf(data, prefix);
    },
  };
}

/**
 * Settings in one JSON file, rewritten atomically (temp file, fsync, rename) so a crash
 * leaves either the old or the new file, never half of one. Writes that arrive while one
 * is on disk are coalesced into the next single write; `set` resolves once its value is
 * durable. Settings change at human speed, so rewriting the whole file is fine.
 */
export async function openFileStorage(filePath: string): Promise<KeyValueStorage> {
  const data = await readStore(filePath);
  let lastWrite: Promise<void> = Promise.resolve();
  let nextWrite: Promise<void> | null = null;

  function flush(): Promise<void> {
    if (nextWrite) return nextWrite;
    const write = lastWrite.then(() => {
      nextWrite = null;
      return writeAtomically(filePath, JSON.stringify(Object.fromEntries(data)));
    });
    nextWrite = write;
    lastWrite = write.catch(() => {});
    return write;
  }

  return {
    async get(key) {
      return data.get(key) ?? null;
    },
    set(key, value) {
      data.set(key, value);
      return flush();
    },
    delete(key) {
      if (!data.delete(key)) return Promise.resolve();
      return flush();
    },
    async has(key) {
      return data.has(key);
    },
    async keys(prefix) {
      return keysOf(data, prefix);
    },
  };
}

async function readStore(filePath: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(filePath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${filePath} is not a JSON object of strings`);
  }
  const entries = Object.entries(parsed).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return new Map(entries);
}

async function writeAtomically(filePath: string, text: string): Promise<void> {
  await mkdir(dirname(filePath), { recursive: true });
  const tempPath = `${filePath}.${process.pid}.tmp`;
  const handle = await open(tempPath, "w");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tempPath, filePath);
}
