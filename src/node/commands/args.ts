// Option values shared by the commands (CIBERSORT's R-style TRUE/FALSE, whole numbers), with one wording.
import { UsageError } from "../../core/errors.js";

/** TRUE/T/FALSE/F in any case (the CIBERSORT and CIBERSORTx spellings). */
export function parseBool(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const u = v.toUpperCase();
  if (u === "TRUE" || u === "T") return true;
  if (u === "FALSE" || u === "F") return false;
  throw new UsageError(`--${name} takes TRUE or FALSE, got "${v}"`);
}

/** A whole number ≥ min, written in decimal. */
export function parseInt10(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} takes an integer ≥ ${min}, got "${v}"`);
  return Number(v);
}
