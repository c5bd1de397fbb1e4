// What the stall and thread tests share: the test driver's path and a fresh database file.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** testing/frozen-driver.cjs, for the store's `driverPath`. */
export const FROZEN_DRIVER = new URL("./frozen-driver.cjs", import.meta.url).pathname;

/** A database path in a new temporary folder. */
export async function freshDbPath(prefix: string): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), prefix)), "db.sqlite");
}
