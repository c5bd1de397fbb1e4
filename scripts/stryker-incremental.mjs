// Stryker's incremental report is large (5 MB of JSON) and rewritten whole by every run, so the
// repository keeps it brotli-compressed (about 3 % of that): `unpack` writes the JSON Stryker
// reads before a run, `pack` compresses what the run wrote. `pnpm mutation` does both.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, brotliDecompressSync, constants } from "node:zlib";

// One report per Stryker config: the main one, and ui-contract-schemas' (stryker.schemas.config.json).
const REPORTS = ["incremental", "incremental-schemas"];
const command = process.argv[2];

for (const name of REPORTS) {
  const json = new URL(`../stryker/${name}.json`, import.meta.url);
  const packed = new URL(`../stryker/${name}.json.br`, import.meta.url);
  if (command === "unpack") {
    if (existsSync(packed)) writeFileSync(json, brotliDecompressSync(readFileSync(packed)));
  } else if (command === "pack") {
    if (!existsSync(json)) continue;
    const raw = readFileSync(json);
    writeFileSync(
      packed,
      brotliCompressSync(raw, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_LGWIN]: 24,
          [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        },
      }),
    );
  } else {
    console.error("usage: node scripts/stryker-incremental.mjs pack|unpack");
    process.exit(2);
  }
}
