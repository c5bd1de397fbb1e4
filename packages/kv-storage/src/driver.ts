// The SQLite driver itself, for code that opens a database on its own thread: tests' side
// connections and the soak. Which build each runtime runs, and why: driver-path.ts.
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { DRIVER_PATH } from "./driver-path.js";

export { DRIVER_PATH, driverFor } from "./driver-path.js";

export const Database: typeof BetterSqlite3 = createRequire(import.meta.url)(DRIVER_PATH);
export type Database = BetterSqlite3.Database;
