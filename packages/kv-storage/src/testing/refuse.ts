// The disk refusing one key's update or delete (as EPERM, EROFS or ENOSPC would), for a store
// opened with `exclusive: false`: a trigger added from a second connection aborts the change.
import { Database } from "../driver.js";

export function refuseOnDisk(
  path: string,
  change: "UPDATE" | "DELETE",
  key: string,
  message: string,
): void {
  const row = change === "UPDATE" ? "NEW" : "OLD";
  const side = new Database(path);
  side.exec(`CREATE TRIGGER refuse BEFORE ${change} ON kv WHEN ${row}.key = '${key}'
    BEGIN SELECT RAISE(ABORT, '${message}'); END`);
  side.close();
}
