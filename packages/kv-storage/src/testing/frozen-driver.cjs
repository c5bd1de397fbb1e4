// A test driver for the store's thread: this runtime's better-sqlite3, except that a commit
// waits while `<database>.frozen` exists, as a write does on a frozen filesystem (the kernel
// holds it until the thaw). Loaded by the thread through `driverPath`.
const Real = require(
  Number(process.versions.napi) >= 10 ? "better-sqlite3-napi" : "better-sqlite3",
);
const { existsSync } = require("node:fs");

const nap = new Int32Array(new SharedArrayBuffer(4));

module.exports = class FrozenDatabase extends Real {
  constructor(path, options) {
    super(path, options);
    this.flag = `${path}.frozen`;
  }

  transaction(fn) {
    const commit = super.transaction(fn);
    return (...args) => {
      while (existsSync(this.flag)) Atomics.wait(nap, 0, 0, 5);
      return commit(...args);
    };
  }
};
