// A process whose only work is the store's: `node --import tsx hold-child.ts <db> <mode>`.
// `idle`: opens the store and ends; an idle store must let the process exit.
// `write`: freezes the disk (`<db>.frozen`), asks a read and a write, and lets an unref'd timer
// thaw the disk 200 ms later. An unref'd timer keeps nothing alive, so the thaw comes only if
// the pending write holds the process; when the event loop runs dry ('beforeExit') the child
// prints whether the write had landed. Used by thread.test.ts.
import { rmSync, writeFileSync } from "node:fs";
import { openSqliteStorage } from "../index.js";
import { FROZEN_DRIVER } from "./frozen.js";

const [path, mode] = process.argv.slice(2) as [string, string];
const storage = openSqliteStorage(path, { driverPath: FROZEN_DRIVER });
if (mode === "write") {
  writeFileSync(`${path}.frozen`, "");
  let landed = false;
  const read = storage.get("unknown");
  void storage.set("k", "v").then(() => {
    landed = true;
  });
  await read;
  process.stdout.write("read\n");
  setTimeout(() => rmSync(`${path}.frozen`), 200).unref();
  process.once("beforeExit", () => {
    process.stdout.write(landed ? "exit after the write\n" : "exit before the write\n");
  });
}
