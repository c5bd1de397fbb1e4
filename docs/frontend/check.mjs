// Runs the reference renderer over frames recorded from a real server and compares what it
// shows with expected.json; exits 1 on the first difference. `node docs/frontend/check.mjs`.
import { readFileSync } from "node:fs";
import { renderPanel } from "./render.mjs";

const read = (name) => JSON.parse(readFileSync(new URL(name, import.meta.url), "utf8"));
const frames = read("./frames.json");
const expected = read("./expected.json");
let failed = 0;
for (const frame of frames) {
  const shown = JSON.stringify(renderPanel(frame.message.spec ?? frame.message.update.spec));
  const want = JSON.stringify(expected[frame.step]);
  if (shown !== want) {
    failed += 1;
    console.error(`${frame.step}:\n  shown    ${shown}\n  expected ${want}`);
  }
}
console.log(`${frames.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
