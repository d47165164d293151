# The CIBERSORT v1.04 recipe (docs/cibersort.md) with e1071's ν-SVR, written from that spec for
# benchmarking cellfrac against R on the same inputs. Not the licensed script; same algorithm.
#
# Usage: Rscript bench/cibersort.R <signature.tsv> <mixture.tsv[.gz]> <perm> <seed> <QN TRUE|FALSE> <out.tsv>
#          [first:last sample columns] [cores]
# cores > 1 forks the three ν fits like v1.04's mclapply; 1 runs them in one process.
suppressMessages({ library(e1071); library(preprocessCore); library(parallel) })
a <- commandArgs(TRUE)
sigFile <- a[1]; mixFile <- a[2]; P <- as.integer(a[3]); seed <- as.integer(a[4]); QN <- as.logical(a[5])
outFile <- a[6]; cols <- if (length(a) >= 7 && a[7] != "all") as.integer(strsplit(a[7], ":")[[1]]) else NULL
cores <- if (length(a) >= 8) as.integer(a[8]) else 1L
t0 <- Sys.time()

X <- as.matrix(read.delim(sigFile, row.names = 1, check.names = FALSE))
Y <- as.matrix(read.delim(mixFile, row.names = 1, check.names = FALSE))
if (!is.null(cols)) Y <- Y[, cols[1]:cols[2], drop = FALSE]
X <- X[order(rownames(X)), , drop = FALSE]
Y <- Y[order(rownames(Y)), , drop = FALSE]
if (max(Y) < 50) Y <- 2^Y
if (QN) { n <- dimnames(Y); Y <- normalize.quantiles(Y); dimnames(Y) <- n }
Ymedian <- max(median(Y), 1)
Y <- Y[rownames(Y) %in% rownames(X), , drop = FALSE]
X <- X[rownames(X) %in% rownames(Y), , drop = FALSE]
X <- (X - mean(X)) / sd(as.vector(X))

fitCount <- 0L
fitTime <- 0
coreAlg <- function(X, z) {
  t1 <- Sys.time()
  fit <- function(nu) {
    m <- svm(X, z, type = "nu-regression", kernel = "linear", nu = nu, scale = FALSE)
    v <- t(m$coefs) %*% m$SV
    v[v < 0] <- 0
    w <- v / sum(v)
    k <- apply(t(X) * c(w), 2, sum)
    list(w = w, rmse = sqrt(mean((k - z)^2)), r = cor(k, z))
  }
  nus <- c(0.25, 0.5, 0.75)
  res <- if (cores > 1) mclapply(nus, fit, mc.cores = cores) else lapply(nus, fit)
  rmse <- sapply(res, `[[`, "rmse")
  best <- which.min(rmse)
  fitCount <<- fitCount + 3L
  fitTime <<- fitTime + as.numeric(Sys.time() - t1, units = "secs")
  list(w = res[[best]]$w, rmse = rmse[best], r = res[[best]]$r)
}

nulldist <- numeric(0)
if (P > 0) {
  set.seed(seed)
  pool <- as.vector(Y)
  rs <- sapply(seq_len(P), function(i) {
    yr <- pool[sample(length(pool), nrow(X))]
    coreAlg(X, (yr - mean(yr)) / sd(yr))$r
  })
  nulldist <- sort(rs)
}
out <- t(sapply(seq_len(ncol(Y)), function(s) {
  y <- Y[, s]
  f <- coreAlg(X, (y - mean(y)) / sd(y))
  p <- if (P > 0) 1 - which.min(abs(nulldist - f$r)) / length(nulldist) else 9999
  c(f$w, p, f$r, f$rmse)
}))
dimnames(out) <- list(colnames(Y), c(colnames(X), "P-value", "Correlation", "RMSE"))
out <- matrix(as.numeric(as.character(out)), nrow(out), dimnames = dimnames(out)) # 15 significant digits, as v1.04
write.table(cbind(Mixture = rownames(out), out), outFile, sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf("R: %d fits in %.3f s (%.4f s per fit); total %.3f s\n", fitCount, fitTime, fitTime / fitCount,
            as.numeric(Sys.time() - t0, units = "secs")), file = stderr())
