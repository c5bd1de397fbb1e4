// Hand-made mutants of the store's thread (src/sqlite-worker.mjs). Stryker cannot switch a
// mutant on inside a worker thread, so this puts back, one at a time, the bugs a person could
// write there, and fails unless kv-storage's tests catch every one.
// Run: pnpm --filter @dispatch/kv-storage mutants
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const worker = fileURLToPath(new URL("../src/sqlite-worker.mjs", import.meta.url));
const root = fileURLToPath(new URL("../../../", import.meta.url));
const vitest = `${root}node_modules/vitest/vitest.mjs`;

/** [what the bug does, the text it replaces, what it puts there] */
const mutants = [
  ["the lock is not exclusive", 'if (exclusive) db.pragma("locking_mode = EXCLUSIVE");', ""],
  [
    "a database that fails quick_check opens",
    'if (opened !== undefined && opened.check !== "ok") {',
    'if (opened !== undefined && opened.check === "never") {',
  ],
  [
    "a commit's sync level never changes",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the thread's source text, as it is written there
    'if (sync !== synced) db.pragma(`synchronous = ${sync ? "FULL" : "NORMAL"}`);',
    "",
  ],
  [
    "every commit is reported as synced",
    'const fsynced = db.pragma("synchronous", { simple: true }) === 2;',
    "const fsynced = true;",
  ],
  [
    "one refused write fails its whole batch",
    "              run(write);\n              return null;",
    '              return "refused";',
  ],
  [
    "the legacy file is imported into a database that has data",
    'db.prepare("SELECT count(*) AS n FROM kv").get().n === 0',
    "true",
  ],
  [
    "a broken legacy file is ignored",
    "    if (legacy.error !== undefined) {",
    '    if (legacy.error === "never") {',
  ],
  [
    "keys() ignores where the prefix ends",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the thread's source text, as it is written there
    "keys.all(prefix, `${prefix}\\uffff`)",
    'keys.all(prefix, "\\uffff")',
  ],
  [
    "a delete stores an empty value",
    "(value === null ? remove.run(key) : set.run(key, value))",
    '(value === null ? set.run(key, "") : set.run(key, value))',
  ],
  [
    "close leaves the database open",
    "      db.close();\n      port.postMessage({ id: request.id, ok: true, value: null });",
    "      port.postMessage({ id: request.id, ok: true, value: null });",
  ],
];

const original = readFileSync(worker, "utf8");
let missed = 0;
for (const [name, from, to] of mutants) {
  if (!original.includes(from)) {
    console.log(`stale   ${name} (its text is no longer in the thread's source)`);
    missed += 1;
    continue;
  }
  writeFileSync(worker, original.replace(from, to));
  try {
    const run = spawnSync(process.execPath, [vitest, "run", "--project", "@dispatch/kv-storage"], {
      cwd: root,
      encoding: "utf8",
    });
    const caught = run.status !== 0;
    if (!caught) missed += 1;
    console.log(`${caught ? "caught " : "MISSED "} ${name}`);
  } finally {
    writeFileSync(worker, original);
  }
}
console.log(`${mutants.length - missed} of ${mutants.length} mutants caught`);
process.exitCode = missed === 0 ? 0 : 1;
