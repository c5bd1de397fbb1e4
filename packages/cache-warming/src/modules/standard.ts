// The rules the standalone server warms by: the ledger charges each warm and keeps the idle
// gaps, the spend guard counts and pauses, and the policies (break-even, adaptive) judge what
// is left, in that order: they read the gaps and the guard's counters.
import { combineRules } from "../rules.js";
import { adaptiveRules } from "./adaptive.js";
import { breakEvenRules } from "./break-even.js";
import { ledgerRules } from "./ledger.js";
import { spendGuardRules } from "./spend-guard.js";

export const STANDARD_RULES = combineRules(
  ledgerRules,
  spendGuardRules,
  breakEvenRules,
  adaptiveRules,
);
