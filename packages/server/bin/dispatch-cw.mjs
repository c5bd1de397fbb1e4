#!/usr/bin/env node
// `dispatch-cw`: runs the bundled CLI, building it first only when a source changed.
import { bundlesAreFresh } from "../scripts/fresh.mjs";

if (!bundlesAreFresh()) await import("../scripts/build.mjs");
await import("../dist/cli.mjs");
