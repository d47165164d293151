# Goldens of `cellfrac stats`: writes a small cohort (results.tsv: samples × features, like a cellfrac
# result; annotation.tsv) and, for each case, what R computes (expected/<case>.tsv; the test's CASES
# table gives the matching cellfrac options). Also: the walkthrough's lm on the SCAN-B example, a
# 1,300-sample cohort for the large-sample branches, and distribution tails / p.adjust point by point.
# Run from the repository root with Debian's R 4.2 (r-cran-car, r-cran-survival); it is deterministic:
#   Rscript test/golden/stats/make.R
# The cohort has ties, NA covariates and an NA feature value, a rank-deficient design (age2 = 2 * age),
# a feature separating the logistic outcome, a constant feature, one sample only in each file (S40,
# S41), so that PAM50 stratum Normal keeps 2 samples (too few for lm ~ her2score + HR).
suppressPackageStartupMessages({ library(car); library(survival) })
invisible(Sys.setlocale("LC_COLLATE", "C"))
dir <- "test/golden/stats"
dir.create(file.path(dir, "expected"), showWarnings = FALSE)
f17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

set.seed(20261206)
n <- 41
ids <- sprintf("S%02d", 1:n)
pam50 <- c(rep("LumA", 15), rep("LumB", 10), rep("Basal", 6), rep("Her2", 6), rep("Normal", 4))
hr <- ifelse(pam50 %in% c("LumA", "LumB", "Normal"), "Positive", "Negative")
hr[c(5, 30, 38)] <- c("Negative", "Positive", "Negative")
hr[12] <- NA
her2score <- round(rnorm(n, 5, 1.5) + ifelse(pam50 == "Her2", 3, 0), 3)
age <- round(runif(n, 30, 85))
age[c(3, 17)] <- NA
grade <- sample(c("G1", "G2", "G3"), n, replace = TRUE)
pcr <- rbinom(n, 1, plogis(-1 + 0.3 * (her2score - 5)))
os_time <- round(rexp(n, 1 / 1500) / 30) * 30 + 30
os_event <- rbinom(n, 1, 0.45)
ann <- data.frame(sample = ids, her2score, HR = hr, PAM50 = pam50, age, age2 = 2 * age, grade, pcr,
                  os_time, os_event, stringsAsFactors = FALSE)
ann$sample[n] <- "S99" # only in the annotation

bnaive <- round(0.05 + 0.02 * (her2score - 5) * (hr == "Positive" & !is.na(hr)) + rnorm(n, 0, 0.03), 6)
cd8 <- pmax(0, round(0.08 - 0.01 * her2score + rnorm(n, 0, 0.04), 6)) # zeros: ties
m2 <- round(0.15 + rnorm(n, 0, 0.05), 6); m2[8] <- NA
mast <- round(0.1 + 0.01 * her2score + rnorm(n, 0, 0.03), 2) # 2 decimals: ties
sep <- round(ifelse(pcr == 1, 0.2, 0.05) + runif(n, 0, 0.1), 6) # separates pcr
res <- data.frame(Mixture = ids, check.names = FALSE)
res[["B cells naive"]] <- bnaive
res[["T cells CD8"]] <- cd8
res[["Macrophages M2"]] <- m2
res[["Mast cells resting"]] <- mast
res[["Sep"]] <- sep
res[["Eosinophils"]] <- 0
res[["P-value"]] <- 0
res[["Correlation"]] <- round(runif(n, 0.3, 0.9), 4)
res[["RMSE"]] <- round(runif(n, 0.8, 1.1), 4)
res$Mixture[n - 1] <- "S98" # only in the results
write.table(res, file.path(dir, "results.tsv"), sep = "\t", quote = FALSE, row.names = FALSE, na = "NA")
write.table(ann, file.path(dir, "annotation.tsv"), sep = "\t", quote = FALSE, row.names = FALSE, na = "NA")

# Read back exactly as the tests do, and join on sample names (results order).
res <- read.delim(file.path(dir, "results.tsv"), check.names = FALSE, na.strings = c("NA", ""))
ann <- read.delim(file.path(dir, "annotation.tsv"), check.names = FALSE, na.strings = c("NA", ""),
                  stringsAsFactors = FALSE)
feats <- c("B cells naive", "T cells CD8", "Macrophages M2", "Mast cells resting", "Sep")
d0 <- merge(data.frame(sample = res$Mixture, res[feats], check.names = FALSE, ord = seq_len(nrow(res))),
            ann, by = "sample")
d0 <- d0[order(d0$ord), ]

rec <- function(test, term, n, est = NULL, se = NULL, stat = NULL, df = NULL, df2 = NULL, p = NULL) {
  v <- function(x) if (is.null(x)) rep("", length(term)) else f17(x)
  data.frame(test = test, term = term, n = n, estimate = v(est), std_error = v(se), statistic = v(stat),
             df = v(df), df2 = v(df2), p_value = v(p), pnum = if (is.null(p)) NA else p,
             stringsAsFactors = FALSE)
}
bt <- function(x) ifelse(make.names(x) == x, x, paste0("`", x, "`"))

fit_lm <- function(d, y, rhs, type) {
  d$.y <- d[[y]]
  m <- lm(as.formula(paste(".y ~", rhs)), data = d)
  s <- summary(m)$coefficients
  cf <- coef(m)
  est <- cf; se <- tv <- pv <- rep(NA_real_, length(cf)); names(se) <- names(cf)
  se[rownames(s)] <- s[, 2]; tv <- setNames(tv, names(cf)); tv[rownames(s)] <- s[, 3]
  pv <- setNames(pv, names(cf)); pv[rownames(s)] <- s[, 4]
  out <- rec("lm", names(cf), nobs(m), est, se, tv, rep(m$df.residual, length(cf)), NULL, pv)
  a <- tryCatch(if (type == 1) anova(m) else Anova(m, type = type), error = function(e) NULL)
  if (!is.null(a)) {
    a <- a[rownames(a) != "Residuals", ]
    out <- rbind(out, rec("anova", rownames(a), nobs(m), NULL, NULL, a[["F value"]], a[["Df"]],
                          rep(m$df.residual, nrow(a)), a[["Pr(>F)"]]))
  }
  out
}

run_case <- function(case, fn, by = NULL, adjust = "BH") {
  strata <- if (is.null(by)) list(d0) else split(d0, d0[[by]])
  if (is.null(by)) names(strata) <- ""
  all <- NULL
  for (f in feats) for (i in seq_along(strata)) {
    s <- names(strata)[i]
    r <- fn(strata[[i]], f)
    if (is.null(r)) next
    all <- rbind(all, cbind(data.frame(feature = f, stratum = s, stringsAsFactors = FALSE), r))
  }
  all$q_value <- ""
  key <- paste(all$test, all$term, all$stratum)
  for (k in unique(key)) {
    i <- which(key == k & !is.na(all$pnum))
    if (length(i)) all$q_value[i] <- f17(p.adjust(all$pnum[i], adjust))
  }
  all$q_value[all$p_value == "NA"] <- "NA"
  all$pnum <- NULL
  write.table(all, file.path(dir, "expected", paste0(case, ".tsv")), sep = "\t", quote = FALSE, row.names = FALSE)
}

# Leaves a stratum/feature out the way cellfrac does: fewer complete samples than coefficients + 1,
# or a factor with one level.
enough <- function(d, vars, ncoef) {
  cc <- d[complete.cases(d[vars]), ]
  nrow(cc) > ncoef && all(sapply(vars, function(v) !is.character(cc[[v]]) || length(unique(cc[[v]])) >= 2))
}

lm_case <- function(rhs, type, vars, ncoef) function(d, f) {
  if (!enough(d, c(f, vars), ncoef)) return(NULL)
  if (type == 3) { op <- options(contrasts = c("contr.sum", "contr.poly")); on.exit(options(op)) }
  fit_lm(d, f, rhs, type)
}
run_case("lm_interaction_type2", lm_case("her2score * HR", 2, c("her2score", "HR"), 4))
run_case("lm_ancova_type1", lm_case("her2score * HR + age", 1, c("her2score", "HR", "age"), 5))
run_case("lm_interaction_type3", lm_case("her2score * HR", 3, c("her2score", "HR"), 4))
run_case("lm_factors_type3", lm_case("HR * grade", 3, c("HR", "grade"), 6))
run_case("lm_factors_type2", lm_case("HR * grade + age", 2, c("HR", "grade", "age"), 7))
run_case("lm_rankdef_type2", lm_case("age + age2 + grade", 2, c("age", "grade"), 5))
run_case("lm_rankdef_type1", lm_case("age + age2 + grade", 1, c("age", "grade"), 5))
run_case("lm_threeway_type2", lm_case("her2score * HR * grade", 2, c("her2score", "HR", "grade"), 12))
run_case("lm_empty_cell_type2", lm_case("HR * PAM50", 2, c("HR", "PAM50"), 10)) # no HR-negative LumB: aliased
run_case("lm_empty_cell_type1", lm_case("HR * PAM50", 1, c("HR", "PAM50"), 10))
run_case("lm_by_pam50", lm_case("her2score + HR", 2, c("her2score", "HR"), 3), by = "PAM50")
d0$HR <- factor(d0$HR, levels = c("Positive", "Negative"))
run_case("lm_levels", lm_case("her2score * HR", 2, c("her2score", "HR"), 4), adjust = "holm")
d0$HR <- as.character(d0$HR)

group_case <- function(col) function(d, f) {
  cc <- d[complete.cases(d[c(f, col)]), ]
  g <- factor(cc[[col]])
  if (nlevels(g) == 2) {
    x <- cc[[f]][g == levels(g)[1]]; y <- cc[[f]][g == levels(g)[2]]
    w <- suppressWarnings(wilcox.test(x, y))
    rec("wilcoxon", paste0(bt(col), levels(g)[2]), nrow(cc), median(y) - median(x), NULL,
        w$statistic, NULL, NULL, w$p.value)
  } else {
    k <- kruskal.test(cc[[f]], g)
    rec("kruskal", col, nrow(cc), NULL, NULL, k$statistic, k$parameter, NULL, k$p.value)
  }
}
run_case("wilcoxon_hr", group_case("HR"))
run_case("kruskal_grade", group_case("grade"), adjust = "bonferroni")
run_case("wilcoxon_pcr", group_case("pcr"))

cor_case <- function(col, method) function(d, f) {
  cc <- d[complete.cases(d[c(f, col)]), ]
  if (nrow(cc) < if (method == "pearson") 3 else 2) return(NULL)
  ct <- suppressWarnings(cor.test(cc[[f]], cc[[col]], method = method))
  rec(method, col, nrow(cc), ct$estimate, NULL, ct$statistic, if (method == "pearson") ct$parameter else NULL,
      NULL, ct$p.value)
}
run_case("cor_spearman", cor_case("her2score", "spearman"))
run_case("cor_pearson", cor_case("her2score", "pearson"), adjust = "none")
run_case("cor_kendall", cor_case("her2score", "kendall"))
run_case("cor_spearman_by_pam50", cor_case("her2score", "spearman"), by = "PAM50")
run_case("cor_kendall_age", cor_case("age", "kendall"))

logistic_case <- function(out, covs) function(d, f) {
  d$.x <- d[[f]]
  rhs <- paste(c(bt(f), covs), collapse = " + ")
  warned <- character()
  m <- withCallingHandlers(glm(as.formula(paste(out, "~", rhs)), family = binomial, data = d),
                           warning = function(w) { warned <<- c(warned, conditionMessage(w)); invokeRestart("muffleWarning") })
  s <- summary(m)$coefficients
  cf <- coef(m)
  se <- z <- p <- setNames(rep(NA_real_, length(cf)), names(cf))
  se[rownames(s)] <- s[, 2]; z[rownames(s)] <- s[, 3]; p[rownames(s)] <- s[, 4]
  # R's warnings (separation) ride along: the test reads them to know which fits are separated.
  cbind(rec("logistic", names(cf), nobs(m), cf, se, z, NULL, NULL, p), r_warning = paste(warned, collapse = "; "))
}
run_case("logistic_pcr", logistic_case("pcr", c("age")))
run_case("logistic_hr_grade", logistic_case("pcr", c("grade")))
run_case("logistic_factor_outcome", logistic_case("factor(HR)", c("her2score"))) # Positive (2nd level) = 1

cox_case <- function(covs) function(d, f) {
  rhs <- paste(c(bt(f), covs), collapse = " + ")
  warned <- character()
  m <- withCallingHandlers(coxph(as.formula(paste("Surv(os_time, os_event) ~", rhs)), data = d),
                           warning = function(w) { warned <<- c(warned, conditionMessage(w)); invokeRestart("muffleWarning") })
  s <- summary(m)$coefficients
  lr <- summary(m)$logtest
  cbind(rbind(rec("cox", rownames(s), m$n, s[, "coef"], s[, "se(coef)"], s[, "z"], NULL, NULL, s[, "Pr(>|z|)"]),
              rec("cox_lr", "model", m$n, NULL, NULL, lr[["test"]], lr[["df"]], NULL, lr[["pvalue"]])),
        r_warning = paste(warned, collapse = "; "))
}
run_case("cox_os", cox_case(c("HR")))
run_case("cox_os_age", cox_case(c("age", "grade")))
run_case("cox_by_hr", cox_case(c("age")), by = "HR", adjust = "holm")
run_case("cox_by_pam50", cox_case(NULL), by = "PAM50") # small strata: coxph runs out of iterations
run_case("cox_grade_by_hr", cox_case("grade"), by = "HR") # HR-negative: "Loglik converged before variable 2"
run_case("logistic_by_grade", logistic_case("pcr", c("her2score")), by = "grade")


# --- Seed-study walkthrough (README "Cohort statistics"): R's lm on the tables the pipeline makes from the
# bundled 400-tumour SCAN-B example. Inputs, written by cellfrac (test/stats-walkthrough.test.ts checks
# that the pipeline still makes exactly these):
#   cellfrac score data/example/scanb400_log2fpkm.tsv.gz --method mean \
#     --gene-sets data/example/her2_amplicon.gmt -o walkthrough/her2score.tsv
#   cellfrac cibersort data/example/scanb400_log2fpkm.tsv.gz --solver exact --perm 0 -o cibersort.tsv
#   (gzip -n: walkthrough/cibersort.tsv.gz)
wt <- file.path(dir, "walkthrough")
cs <- read.delim(gzfile(file.path(wt, "cibersort.tsv.gz")), check.names = FALSE)
h2 <- read.delim(file.path(wt, "her2score.tsv"), check.names = FALSE)
sa <- read.delim("data/example/scanb400_samples.tsv", check.names = FALSE, na.strings = c("NA", ""),
                 stringsAsFactors = FALSE)
cells <- setdiff(names(cs), c("Mixture", "P-value", "Correlation", "RMSE"))
cells <- cells[sapply(cells, function(c) length(unique(cs[[c]])) > 1)]
d0 <- merge(merge(data.frame(sample = cs$Mixture, cs[cells], check.names = FALSE, ord = seq_len(nrow(cs))),
                  sa, by = "sample"), h2, by = "sample")
d0 <- d0[order(d0$ord), ]
feats <- cells
run_case("walkthrough_interaction", lm_case("her2score * HR", 2, c("her2score", "HR"), 4))
run_case("walkthrough_ancova", lm_case("HR + her2score", 2, c("her2score", "HR"), 3))

# --- Large-sample branches without ties: wilcox.test's normal approximation (both groups >= 50),
# cor.test spearman's t approximation (n >= 1290), kendall's z (n >= 50). large_results.tsv, large_annotation.tsv.
set.seed(7)
nl <- 1300
lids <- sprintf("L%04d", 1:nl)
lx <- round(rnorm(nl), 9)
lres <- data.frame(sample = lids, check.names = FALSE)
lres[["u"]] <- round(0.3 * lx + rnorm(nl), 9)
lres[["v"]] <- round(runif(nl), 9)
lann <- data.frame(id = lids, x = lx, g = ifelse(runif(nl) < 0.4, "b", "a"))
write.table(lres, file.path(dir, "large_results.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
write.table(lann, file.path(dir, "large_annotation.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
lres <- read.delim(file.path(dir, "large_results.tsv"), check.names = FALSE)
lann <- read.delim(file.path(dir, "large_annotation.tsv"), stringsAsFactors = FALSE)
stopifnot(!anyDuplicated(lres$u), !anyDuplicated(lres$v), !anyDuplicated(lann$x))
d0 <- merge(data.frame(sample = lres$sample, lres[c("u", "v")], ord = 1:nl), lann, by.x = "sample", by.y = "id")
d0 <- d0[order(d0$ord), ]
feats <- c("u", "v")
run_case("large_wilcoxon", group_case("g"))
run_case("large_spearman", cor_case("x", "spearman"))
run_case("large_kendall", cor_case("x", "kendall"))

# --- Distribution tails and p.adjust, point by point (tails.tsv, padjust.tsv).
tl <- rbind(
  data.frame(dist = "t2", x = c(0, 0.5, 1.96, 5, 12, 40, 1e3), a = c(1, 3, 10, 30, 5, 200, 7), b = NA),
  data.frame(dist = "F", x = c(0.001, 0.5, 3, 25, 400, 1e4), a = c(1, 2, 3, 1, 4, 2), b = c(10, 395, 30, 7, 100, 33)),
  data.frame(dist = "chisq", x = c(0.01, 1, 3.84, 30, 200, 1500), a = c(1, 1, 1, 4, 10, 3), b = NA),
  data.frame(dist = "norm2", x = c(0, 0.3, 1.96, 5, 10, 37), a = NA, b = NA))
tl$p <- with(tl, ifelse(dist == "t2", 2 * pt(abs(x), a, lower.tail = FALSE),
             ifelse(dist == "F", pf(x, a, b, lower.tail = FALSE),
             ifelse(dist == "chisq", pchisq(x, a, lower.tail = FALSE), 2 * pnorm(-abs(x))))))
tl$x <- f17(tl$x); tl$p <- f17(tl$p)
write.table(tl, file.path(dir, "tails.tsv"), sep = "\t", quote = FALSE, row.names = FALSE, na = "")
pv <- c(0.01, 0.04, NA, 0.04, 0.2, 0.001, 0.5, 0.04, 0.9, 1e-8)
pa <- data.frame(p = f17(pv), BH = f17(p.adjust(pv, "BH")), holm = f17(p.adjust(pv, "holm")),
                 bonferroni = f17(p.adjust(pv, "bonferroni")))
write.table(pa, file.path(dir, "padjust.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
