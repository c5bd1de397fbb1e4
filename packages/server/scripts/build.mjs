// Bundles the server into one file that plain `node` runs: no tsx, no nested pnpm, one process.
// better-sqlite3 stays outside (a native addon), resolved from this package's node_modules.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("../src/main.ts", import.meta.url).pathname],
  outfile: new URL("../dist/server.mjs", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  external: ["better-sqlite3"],
  // CommonJS dependencies bundled into ESM still call require() for Node's own modules.
  banner: {
    js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
  },
  legalComments: "none",
  logLevel: "warning",
});
