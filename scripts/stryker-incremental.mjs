// Stryker's incremental report is large (5 MB of JSON) and rewritten whole by every run, so the
// repository keeps it brotli-compressed (about 3 % of that): `unpack` writes the JSON Stryker
// reads before a run, `pack` compresses what the run wrote. `pnpm mutation` does both.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, brotliDecompressSync, constants } from "node:zlib";

const json = new URL("../stryker/incremental.json", import.meta.url);
const packed = new URL("../stryker/incremental.json.br", import.meta.url);
const command = process.argv[2];

if (command === "unpack") {
  if (existsSync(packed)) writeFileSync(json, brotliDecompressSync(readFileSync(packed)));
} else if (command === "pack") {
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
