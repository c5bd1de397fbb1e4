// The rules the standalone server warms by: the ledger charges each warm, the spend guard
// counts and pauses, and break-even judges what is left (in that order: break-even reads the
// guard's counters).
import { combineRules } from "../rules.js";
import { breakEvenRules } from "./break-even.js";
import { ledgerRules } from "./ledger.js";
import { spendGuardRules } from "./spend-guard.js";

export const STANDARD_RULES = combineRules(ledgerRules, spendGuardRules, breakEvenRules);
