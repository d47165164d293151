// EPIC references from disk. TRef/BRef are not shipped (LICR academic non-commercial licence): they are
// looked up in a directory given by the caller, $CELLFRAC_EPIC_DATA, then data/epic/ (see data/README.md).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import { gunzipIfGzip } from "../core/host.js";
import { EPIC_BUILTIN_REFERENCES, type EpicReference, parseEpicGeneList, validateReference } from "../core/methods/epic.js";
import { DATA } from "./host.js";
import { readFileBytes, readMatrixFile } from "./read.js";

/** Where TRef/BRef are looked up: explicit, $CELLFRAC_EPIC_DATA, then data/epic/. */
export function epicDataDir(dir?: string): string {
  return dir ?? process.env.CELLFRAC_EPIC_DATA ?? join(DATA, "epic");
}

function firstExisting(dir: string, names: string[]): string | undefined {
  return names.map((n) => join(dir, n)).find((p) => existsSync(p));
}

function readGeneList(path: string): string[] {
  return parseEpicGeneList(new TextDecoder().decode(gunzipIfGzip(readFileBytes(path, "EPIC gene list"), path)));
}

/**
 * Read a reference: "TRef"/"BRef" from the EPIC data directory (files EPIC_<name>_refProfiles.tsv.gz,
 * EPIC_<name>_refProfiles_var.tsv.gz, EPIC_<name>_sigGenes.tsv, as in shared/data), or a directory
 * holding refProfiles.tsv[.gz], refProfiles_var.tsv[.gz] and sigGenes.tsv. Checks that the profiles
 * cover their own signature genes.
 */
export function loadEpicReference(spec: string, dataDir?: string): EpicReference {
  const builtin = EPIC_BUILTIN_REFERENCES.find((r) => r.toLowerCase() === spec.toLowerCase());
  const dir = builtin ? epicDataDir(dataDir) : spec;
  const pre = builtin ? `EPIC_${builtin}_` : "";
  const find = (stem: string) => {
    const p = firstExisting(dir, [`${pre}${stem}.tsv.gz`, `${pre}${stem}.tsv`]);
    if (!p) {
      const hint = builtin
        ? ` (EPIC's ${builtin} is not shipped with cellfrac for licence reasons: ` +
          `point --epic-data or $CELLFRAC_EPIC_DATA at a directory with the EPIC_${builtin}_* files)`
        : "";
      throw new InputError(`no ${pre}${stem}.tsv[.gz] in ${dir}${hint}`);
    }
    return p;
  };
  const profiles = readMatrixFile(find("refProfiles"), { what: "signature" });
  const variability = readMatrixFile(find("refProfiles_var"), { what: "signature" });
  const sigGenes = readGeneList(find("sigGenes"));
  const ref = { name: builtin ?? spec, profiles, variability, sigGenes };
  validateReference(ref);
  return ref;
}
