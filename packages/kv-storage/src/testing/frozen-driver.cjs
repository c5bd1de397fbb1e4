// A test driver for the store's thread: this runtime's better-sqlite3, except that the open
// and each commit wait while `<database>.frozen` exists, as writes do on a frozen filesystem
// (the kernel holds them until the thaw); with `<database>.throw` or `<database>.exit` a commit
// breaks the thread instead, and with `<database>.refuse` every stored value is refused. Loaded by the thread through `driverPath`.
const Real = require(
  Number(process.versions.napi) >= 10 ? "better-sqlite3-napi" : "better-sqlite3",
);
const { existsSync } = require("node:fs");

const nap = new Int32Array(new SharedArrayBuffer(4));
const waitForThaw = (flag) => {
  while (existsSync(flag)) Atomics.wait(nap, 0, 0, 5);
};

module.exports = class FrozenDatabase extends Real {
  constructor(path, options) {
    waitForThaw(`${path}.frozen`);
    super(path, options);
    this.path = path;
    this.flag = `${path}.frozen`;
  }

  prepare(sql) {
    const statement = super.prepare(sql);
    if (!sql.startsWith("INSERT")) return statement;
    const run = statement.run.bind(statement);
    // The disk refusing a write (ENOSPC, EROFS) while `<database>.refuse` exists.
    statement.run = (...args) => {
      if (existsSync(`${this.path}.refuse`)) throw new Error("disk refused the write");
      return run(...args);
    };
    return statement;
  }

  transaction(fn) {
    const commit = super.transaction(fn);
    return (...args) => {
      waitForThaw(this.flag);
      // A thread that breaks: an error nothing catches, or the thread ending, mid-commit.
      if (existsSync(`${this.path}.throw`)) {
        setImmediate(() => {
          throw new Error("the driver broke");
        });
      }
      if (existsSync(`${this.path}.exit`)) process.exit(1);
      return commit(...args);
    };
  }
};
