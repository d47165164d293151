// CIBERSORT's CoreAlg (docs/cibersort.md) on the shared ν-SVR state: one fit per ν of the grid (layout.ts),
// weights from the support vectors, clipping, normalisation, RMSE and correlation, first-minimum RMSE.
import { libsvmSolve } from "./svr-libsvm";
import { NU_COUNT, COREALG_SELECTED, COREALG_RMSE, COREALG_R, COREALG_ITER, COREALG_V, coreAlgOutW } from "./layout";
import { rSum, rMean, rCor } from "./rstats";
import { accZero, accAddD, accToD } from "./x87";

let L: i32 = 0;
let T: i32 = 0;
let X: usize = 0; // L × T row-major standardised signature
let beta: usize = 0;
let k: usize = 0;
let d2: usize = 0;
let q: usize = 0;

/** Remember the standardised signature (same memory libsvmInit copied) and allocate scratch. */
export function libsvmCoreInit(x: usize, l: i32, t: i32): void {
  L = l;
  T = t;
  X = x;
  beta = heap.alloc(<usize>l << 3);
  k = heap.alloc(<usize>l << 3);
  d2 = heap.alloc(<usize>l << 3);
  q = heap.alloc(<usize>t << 3);
}

/** CoreAlg(X, z): z has L f64; writes coreAlgOutSize(T) f64 to out. */
export function libsvmCoreAlg(z: usize, out: usize): void {
  const wBase = coreAlgOutW(T);
  let sel = -1;
  let best: f64 = Infinity;
  for (let v = 0; v < NU_COUNT; v++) {
    const iters = libsvmSolve(z, v, beta);
    store<f64>(out + (<usize>(COREALG_ITER + v) << 3), <f64>iters);
    const vOut = out + (<usize>(COREALG_V + v * T) << 3);
    const wOut = out + (<usize>(wBase + v * T) << 3);
    // v_t = Σ over support vectors g (ascending) of β_g·X_gt, a sequential sum from 0 (reference dgemv).
    memory.fill(vOut, 0, <usize>T << 3);
    for (let g = 0; g < L; g++) {
      const b = load<f64>(beta + (<usize>g << 3));
      if (b == 0) continue;
      const row = X + (<usize>(g * T) << 3);
      for (let t = 0; t < T; t++) {
        const p = vOut + (<usize>t << 3);
        store<f64>(p, load<f64>(p) + load<f64>(row + (<usize>t << 3)) * b);
      }
    }
    for (let t = 0; t < T; t++) {
      const w = load<f64>(vOut + (<usize>t << 3));
      store<f64>(q + (<usize>t << 3), w < 0 ? 0 : w);
    }
    const s = rSum(q, T, 1);
    for (let t = 0; t < T; t++) store<f64>(wOut + (<usize>t << 3), load<f64>(q + (<usize>t << 3)) / s);
    // k_g = Σ_t X_gt·w_t (R rowSums of the sweep, x87 accumulation); RMSE = sqrt(mean((k − z)²)).
    for (let g = 0; g < L; g++) {
      const row = X + (<usize>(g * T) << 3);
      accZero();
      for (let t = 0; t < T; t++) accAddD(load<f64>(row + (<usize>t << 3)) * load<f64>(wOut + (<usize>t << 3)));
      const kg = accToD();
      store<f64>(k + (<usize>g << 3), kg);
      const d = kg - load<f64>(z + (<usize>g << 3));
      store<f64>(d2 + (<usize>g << 3), d * d);
    }
    const rmse = Math.sqrt(rMean(d2, L));
    const r = rCor(k, z, L);
    store<f64>(out + (<usize>(COREALG_RMSE + v) << 3), rmse);
    store<f64>(out + (<usize>(COREALG_R + v) << 3), r);
    // which.min: first minimum, NaN ignored.
    if (rmse < best) {
      best = rmse;
      sel = v;
    }
  }
  store<f64>(out + (<usize>COREALG_SELECTED << 3), <f64>sel);
}
