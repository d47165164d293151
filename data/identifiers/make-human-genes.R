# Builds human_genes.tsv.gz: every human gene of NCBI Gene with its current symbol, its stable Ensembl gene
# IDs and its other names (previous symbols and aliases), one gene per line. Source: Bioconductor
# org.Hs.eg.db (Debian r-bioc-org.hs.eg.db), i.e. NCBI Gene's gene_info and gene2ensembl; NCBI takes human
# symbols from HGNC. The file states facts only: which names are ambiguous (one alias or one Ensembl ID on
# several genes) is decided by the reader, src/core/genes.ts. Run from the repository root:
#   Rscript data/identifiers/make-human-genes.R
suppressPackageStartupMessages(library(org.Hs.eg.db))
sym <- unlist(as.list(org.Hs.egSYMBOL))
alias <- as.list(org.Hs.egALIAS2EG)
ens <- as.list(org.Hs.egENSEMBL)
# Entrez gene -> names other than its own symbol.
al <- data.frame(eg = unlist(alias, use.names = FALSE), name = rep(names(alias), lengths(alias)))
al <- al[al$name != sym[al$eg], ]
others <- tapply(al$name, al$eg, function(x) paste(sort(unique(x), method = "radix"), collapse = ","))
ids <- sapply(ens, function(x) paste(sort(unique(x[!is.na(x)]), method = "radix"), collapse = ","))
eg <- names(sym)
tab <- data.frame(symbol = sym, ensembl_gene_ids = ifelse(is.na(ids[eg]), "", ids[eg]),
  other_names = ifelse(is.na(others[eg]), "", others[eg]))
tab <- tab[order(tab$symbol, method = "radix"), ]
out <- gzfile("data/identifiers/human_genes.tsv.gz", "wb", compression = 9)
write.table(tab, out, sep = "\t", quote = FALSE, row.names = FALSE)
close(out)
cat(sprintf("org.Hs.eg.db %s (NCBI Gene %s, Ensembl %s): %d genes, %d with Ensembl IDs (%d IDs), %d other names\n",
  packageVersion("org.Hs.eg.db"), org.Hs.eg_dbInfo()$value[7], org.Hs.eg_dbInfo()$value[24], nrow(tab),
  sum(tab$ensembl_gene_ids != ""), length(unique(unlist(ens))), nrow(al)))
