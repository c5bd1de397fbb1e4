// The SQLite driver this runtime can run. better-sqlite3 12 aborts Node 24 when the garbage
// collector frees one of its statements outside a JavaScript context (its node::ObjectWrap
// destructor asks for an Environment there is none of: WiseLibs/better-sqlite3#1515); 13 is
// rebuilt on Node-API and has no such destructor, but needs Node-API 10, which Node 20 lacks
// (its prebuilt addon crashes there). Both have the same API; each runtime gets the one that
// works on it.
import { createRequire } from "node:module";

/** The driver's package for a runtime with this Node-API version. */
export function driverFor(napiVersion: number): "better-sqlite3" | "better-sqlite3-napi" {
  return napiVersion >= 10 ? "better-sqlite3-napi" : "better-sqlite3";
}

/**
 * Where this runtime's driver is: the store's thread loads it from there. Only resolved here,
 * not loaded: the server's own thread never opens a database.
 */
export const DRIVER_PATH = createRequire(import.meta.url).resolve(
  driverFor(Number(process.versions.napi)),
);
