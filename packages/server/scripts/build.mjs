// Bundles the server and the command-line client into files plain `node` runs: no tsx, no
// nested pnpm, one process each. Skips the build when both bundles are newer than every
// source they could include, so `pnpm dispatch-cw` costs a node start, not a build.
// better-sqlite3 stays outside (a native addon), resolved from this package's node_modules.
import { bundlesAreFresh, outdir } from "./fresh.mjs";

// `--force` builds even when the bundles look fresh (a test that must run today's sources).
if (process.argv.includes("--force") || !bundlesAreFresh()) {
  // Loaded only when there is something to build: it is most of this script's start-up.
  const { build } = await import("esbuild");
  await build({
    entryPoints: {
      server: new URL("../src/main.ts", import.meta.url).pathname,
      cli: new URL("../src/cli-main.ts", import.meta.url).pathname,
      // The settings database's thread: the store starts it from beside the server's bundle.
      "sqlite-worker": new URL("../../kv-storage/src/sqlite-worker.mjs", import.meta.url).pathname,
    },
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    external: ["better-sqlite3", "better-sqlite3-napi"],
    // CommonJS dependencies bundled into ESM still call require() for Node's own modules.
    banner: {
      js: 'import { createRequire as bannerRequire } from "node:module"; const require = bannerRequire(import.meta.url);',
    },
    legalComments: "none",
    logLevel: "warning",
  });
}
