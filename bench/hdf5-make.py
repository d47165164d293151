# Synthetic HDF5 cohorts for bench/hdf5.ts (not committed: ~80 MB each): 10,000 samples × 2,000 genes (LM22's
# 547 and 1,453 others), values gamma-distributed. /usr/bin/python3 bench/hdf5-make.py DIR
import os
import sys

import anndata as ad
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))
lm22 = [l.split("\t")[0] for l in open(os.path.join(here, "..", "data", "LM22.tsv")).read().splitlines()[1:]]
genes = lm22 + [f"GENE{i}" for i in range(2000 - len(lm22))]
ns = 10_000
rng = np.random.default_rng(1)
X = rng.gamma(0.5, 40.0, size=(ns, len(genes))).astype(np.float32)
X[X < 5] = 0  # about half zeros
samples = [f"S{i}" for i in range(ns)]
obs = pd.DataFrame(index=samples)
var = pd.DataFrame(index=genes)
ad.AnnData(X=X, obs=obs, var=var, dtype=np.float32).write_h5ad(os.path.join(out, "cohort-dense.h5ad"))
ad.AnnData(X=sp.csr_matrix(X), obs=obs, var=var, dtype=np.float32).write_h5ad(os.path.join(out, "cohort-csr.h5ad"))
s = h5py.string_dtype("utf-8")
with h5py.File(os.path.join(out, "cohort-archs4.h5"), "w") as h:
    h.create_dataset("data/expression", data=np.round(X.T).astype(np.uint32), chunks=(len(genes), 64), compression="gzip")
    h.create_dataset("meta/genes/symbol", data=np.array(genes, dtype=object), dtype=s)
    h.create_dataset("meta/samples/geo_accession", data=np.array(samples, dtype=object), dtype=s)
