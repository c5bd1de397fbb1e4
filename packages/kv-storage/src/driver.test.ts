// Which SQLite driver a runtime loads: the Node-API build where Node-API 10 exists (Node 24,
// where the older build aborts on a collected statement), the older build on Node 20.
import { createRequire } from "node:module";
import { expect, it } from "vitest";
import { Database, driverFor } from "./driver.js";

it("picks the Node-API build from Node-API 10 on and the older build below it", () => {
  expect(driverFor(9)).toBe("better-sqlite3");
  expect(driverFor(10)).toBe("better-sqlite3-napi");
  expect(driverFor(11)).toBe("better-sqlite3-napi");
});

it("loads the build this runtime needs, and it opens a database", () => {
  const wanted = Number(process.versions.napi) >= 10 ? "better-sqlite3-napi" : "better-sqlite3";
  expect(Database).toBe(createRequire(import.meta.url)(wanted));
  const db = new Database(":memory:");
  expect(db.prepare("SELECT 41 + 1 AS answer").get()).toEqual({ answer: 42 });
  db.close();
});
