// Stryker's `break` threshold judges the total score; we hold every mutated file to it.
// Reads the JSON reports of the last `pnpm mutation`, prints a row per file, and exits 1 when a
// file scores under the threshold (default 90, or the first argument).
import { readFileSync } from "node:fs";

// The main run's report and ui-contract-schemas' (stryker.schemas.config.json).
const REPORTS = ["reports/mutation/mutation.json", "reports/mutation/schemas.json"];
const threshold = Number(process.argv[2] ?? 90);
const report = { files: {} };
for (const path of REPORTS)
  Object.assign(report.files, JSON.parse(readFileSync(path, "utf8")).files);

// Stryker's own definition: detected = killed + timed out; undetected = survived + not covered.
// Compile errors (rejected by the type checker), runtime errors and ignored mutants don't count.
const rows = Object.entries(report.files).map(([file, { mutants }]) => {
  const count = (status) => mutants.filter((mutant) => mutant.status === status).length;
  const detected = count("Killed") + count("Timeout");
  const survived = count("Survived");
  const noCoverage = count("NoCoverage");
  const valid = detected + survived + noCoverage;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  return { file, detected, survived, noCoverage, score };
});

rows.sort((a, b) => a.file.localeCompare(b.file));
const failing = rows.filter((row) => row.score < threshold);
console.log("| file | score | detected | survived | no coverage |");
console.log("|---|---:|---:|---:|---:|");
for (const row of rows) {
  const mark = row.score < threshold ? " ✗" : "";
  console.log(
    `| ${row.file} | ${row.score.toFixed(1)} %${mark} | ${row.detected} | ${row.survived} | ${row.noCoverage} |`,
  );
}
if (failing.length > 0) {
  console.error(
    `\n${failing.length} file(s) under ${threshold} %: ${failing.map((r) => r.file).join(", ")}`,
  );
  process.exit(1);
}
console.log(`\nevery file at ${threshold} % or more`);
