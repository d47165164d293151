// Gene sets by bundled name or from a GMT / long-format TSV file (plain or gzipped).
import { type GeneSet, type GeneSetReadOptions, bundledGeneSets, geneSetFormat, parseGeneSets } from "../core/genesets.js";
import { isGzip } from "../core/formats/gzip.js";
import { gunzipBounded } from "../core/formats/read.js";
import { checkLineLengths } from "../core/limits.js";
import { readFileBytes } from "./read.js";
import { withRole } from "../core/errors.js";
import { refuseUnreadable } from "../core/formats/sniff.js";

/**
 * Gene sets by built-in name (ESTIMATE, MCPcounter, Danaher) or file path. For a built-in, the set and
 * gene columns are the file's own unless given.
 * @throws InputError when the file cannot be read or is malformed.
 */
export function loadGeneSets(spec: string, opts: GeneSetReadOptions = {}): GeneSet[] {
  const bundled = bundledGeneSets(spec, opts);
  if (bundled) return bundled;
  const name = opts.name ?? spec;
  try {
    let bytes = readFileBytes(spec, "gene-set file", name);
    if (isGzip(bytes)) bytes = gunzipBounded(bytes, name);
    refuseUnreadable(bytes, name);
    checkLineLengths(bytes, name, "a gene-set file");
    return parseGeneSets(new TextDecoder("utf-8").decode(bytes), { ...opts, name, format: opts.format ?? geneSetFormat(spec) });
  } catch (e) {
    throw withRole(e, "gene sets");
  }
}
