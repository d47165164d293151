# R 4.2's time for what bench/stats.ts times in cellfrac, on the same files (its printed folder):
#   Rscript bench/stats-r.R <folder bench/stats.ts printed>   (a cellfrac-bench-stats-* folder under the OS temp dir)
# One Rscript process per test, like the CLI runs; reading both tables included, package loading not.
args <- commandArgs(TRUE)
dir <- args[1]
test <- if (length(args) > 1) args[2] else NA
if (is.na(test)) {
  tests <- c("lm2", "lm1", "lm3", "wilcoxon", "kruskal", "spearman", "pearson", "kendall", "logistic", "cox")
  for (t in tests) {
    out <- system2("/usr/bin/time", c("-f", "'%e %U %S %M'", "Rscript", "bench/stats-r.R", dir, t), stdout = TRUE, stderr = TRUE)
    cat(t, tail(out, 2), "\n")
  }
  quit(save = "no")
}
suppressPackageStartupMessages({ library(car); library(survival) })
t0 <- proc.time()
res <- read.delim(file.path(dir, "results.tsv"), check.names = FALSE)
ann <- read.delim(file.path(dir, "samples.tsv"), stringsAsFactors = FALSE)
d <- merge(res, ann, by.x = "Mixture", by.y = "sample")
feats <- setdiff(names(res), "Mixture")
p <- numeric()
for (f in feats) {
  d$.y <- d[[f]]
  p <- c(p, switch(test,
    lm2 = Anova(lm(.y ~ her2score * HR, d), type = 2)[["Pr(>F)"]][1],
    lm1 = anova(lm(.y ~ her2score * HR + grade, d))[["Pr(>F)"]][1],
    lm3 = {
      op <- options(contrasts = c("contr.sum", "contr.poly"))
      a <- Anova(lm(.y ~ her2score * HR, d), type = 3)
      options(op)
      a[["Pr(>F)"]][1]
    },
    wilcoxon = suppressWarnings(wilcox.test(d$.y[d$HR == "Negative"], d$.y[d$HR == "Positive"])$p.value),
    kruskal = kruskal.test(d$.y, factor(d$grade))$p.value,
    spearman = suppressWarnings(cor.test(d$.y, d$her2score, method = "spearman")$p.value),
    pearson = cor.test(d$.y, d$her2score)$p.value,
    kendall = cor.test(d$.y, d$her2score, method = "kendall")$p.value,
    logistic = coef(summary(glm(pcr ~ .y + age, binomial, d)))[2, 4],
    cox = summary(coxph(Surv(os_time, os_event) ~ .y + HR, d))$coefficients[1, 5]))
}
q <- p.adjust(p, "BH")
cat(sprintf("%.2f s in R after loading packages\n", (proc.time() - t0)[["elapsed"]]))
