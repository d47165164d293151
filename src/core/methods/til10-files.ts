// Where quanTIseq's bundled TIL10 set lies under data/: a module of its own so that a host can name the files
// (src/node/data.ts) without loading quanTIseq itself (start-up of every command that reads data.ts).

/** The bundled TIL10 files' folder under data/ (BSD-3-Clause, see data/README.md). */
export const TIL10_FOLDER = "til10/";

/** File names of the TIL10 set inside its directory (data/til10). */
export const TIL10_FILES = {
  signature: "TIL10_signature.tsv",
  mRNAScaling: "TIL10_mRNA_scaling.tsv",
  rmGenes: "TIL10_rmgenes.tsv",
  aberrantGenes: "TIL10_TCGA_aberrant_immune_genes.tsv",
} as const;
