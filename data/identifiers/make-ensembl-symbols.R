# Builds ensembl_symbols.tsv: stable Ensembl gene ID -> symbol, for every gene of the signatures and gene
# sets cellfrac uses. Source: Bioconductor org.Hs.eg.db (Debian r-bioc-org.hs.eg.db), i.e. NCBI Gene's
# symbol/alias tables and gene2ensembl. Run from the repository root:
#   Rscript data/identifiers/make-ensembl-symbols.R /path/to/shared/data
suppressPackageStartupMessages(library(org.Hs.eg.db))
args <- commandArgs(trailingOnly = TRUE)
shared <- if (length(args)) args[1] else "../shared/data"
rd <- function(f, ...) read.delim(file.path(shared, f), check.names = FALSE, stringsAsFactors = FALSE, ...)

lists <- list(
  LM22 = rd("lm22_cibersort/LM22.tsv")[[1]],
  LM6 = rd("lm6_cibersort_rnaseq/LM6_rnaseq_GSE60424.tsv")[[1]],
  TIL10 = rd("til10_quantiseq/TIL10_signature.tsv")[[1]],
  EPIC_TRef = rd("epic_reference_profiles/EPIC_TRef_sigGenes.tsv")[[1]],
  EPIC_BRef = rd("epic_reference_profiles/EPIC_BRef_sigGenes.tsv")[[1]],
  MCPcounter = rd("mcpcounter_markers/MCPcounter_genes.tsv")$gene,
  ESTIMATE = rd("estimate_gene_sets/ESTIMATE_signature_genesets.tsv")$gene,
  Danaher = rd("danaher2017_immune_markers/Danaher2017_immune_cell_markers.tsv")$current_hgnc_symbol
)
symbols <- sort(unique(unlist(lists)), method = "radix")

sym2eg <- as.list(org.Hs.egSYMBOL2EG)
alias2eg <- as.list(org.Hs.egALIAS2EG)
eg2ens <- as.list(org.Hs.egENSEMBL)
# Official symbol first; an alias only when it names exactly one gene (an ambiguous alias is not mapped).
entrez <- function(s) {
  if (!is.null(sym2eg[[s]])) return(list(eg = sym2eg[[s]], how = "symbol"))
  a <- alias2eg[[s]]
  if (length(a) == 1) return(list(eg = a, how = "alias"))
  list(eg = character(0), how = if (length(a)) "ambiguous alias" else "unknown")
}
rows <- list(); how <- character(0)
for (s in symbols) {
  e <- entrez(s)
  ens <- unique(unlist(eg2ens[e$eg]))
  ens <- ens[!is.na(ens)]
  how[s] <- if (length(ens)) e$how else if (length(e$eg)) "no Ensembl ID" else e$how
  if (length(ens)) rows[[s]] <- data.frame(ensembl_gene_id = ens, symbol = s, official = e$how == "symbol")
}
tab <- do.call(rbind, rows)
# One symbol per ID. Two listed symbols on one ID: an old and the official symbol of one gene keep the
# official one; two official symbols (HLA-DQA1/HLA-DQA2 share alternative-haplotype IDs) make the ID
# ambiguous, and it is left out.
tab <- tab[order(tab$ensembl_gene_id, !tab$official, tab$symbol, method = "radix"), ]
shared_id <- duplicated(tab$ensembl_gene_id) | duplicated(tab$ensembl_gene_id, fromLast = TRUE)
conflicts <- tab[shared_id, ]
n_official <- tapply(tab$official, tab$ensembl_gene_id, sum)
ambiguous <- names(n_official)[n_official > 1]
tab <- tab[!duplicated(tab$ensembl_gene_id) & !tab$ensembl_gene_id %in% ambiguous, c("ensembl_gene_id", "symbol")]
write.table(tab, "data/identifiers/ensembl_symbols.tsv", sep = "\t", quote = FALSE, row.names = FALSE)

mcp <- rd("mcpcounter_markers/MCPcounter_genes.tsv")
agree <- sum(mapply(function(g, id) id %in% tab$ensembl_gene_id[tab$symbol == g], mcp$gene, mcp$ensembl_id))
cat(sprintf("org.Hs.eg.db %s; %d symbols, %d IDs; by symbol %d, by alias %d, unmapped %d\n",
  packageVersion("org.Hs.eg.db"), length(symbols), nrow(tab), sum(how == "symbol"), sum(how == "alias"), sum(!how %in% c("symbol", "alias"))))
cat("unmapped:", paste(sprintf("%s (%s)", names(how)[!how %in% c("symbol", "alias")], how[!how %in% c("symbol", "alias")]), collapse = ", "), "\n")
cat("ambiguous IDs left out:", paste(ambiguous, collapse = ", "), "\n")
cat("IDs shared by two listed symbols:", paste(conflicts$ensembl_gene_id, conflicts$symbol, collapse = "; "), "\n")
cat(sprintf("MCP-counter's own ensembl_id column agrees for %d of %d markers\n", agree, nrow(mcp)))
