// Whether the bundles in dist/ are newer than every source they could include (the packages'
// files, node_modules and dist left out): then there is nothing to build.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const packages = new URL("../../", import.meta.url).pathname;
export const outdir = new URL("../dist", import.meta.url).pathname;
const outputs = ["server.mjs", "cli.mjs", "sqlite-worker.mjs"].map((name) => join(outdir, name));

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export function bundlesAreFresh() {
  try {
    return Math.min(...outputs.map((file) => statSync(file).mtimeMs)) > newest(packages);
  } catch {
    return false; // not built yet
  }
}
