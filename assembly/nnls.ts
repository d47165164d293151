// Lawson–Hanson NNLS (Lawson & Hanson 1974, ch. 23), step for step as R package nnls 1.4 runs it
// (docs/nnls.md): Householder triangularisation of the passive columns, Givens re-triangularisation
// when a column leaves, the 0.01 independence test and ITMAX = 3n secondary iterations. Plain double
// arithmetic in Fortran order (no long double, no FMA), so results agree with R to rounding.
//
// Layout: a is m × n column-major (overwritten: it ends up holding Qᵀa), b has m values (overwritten
// with Qᵀb), x receives n coefficients, w (n) the dual vector, zz (m) scratch, idx (n i32) the index
// partition: idx[0..nsetp) is the passive set P, the rest the zero set Z.

import { ld, ldi, st, sti } from "./flat";

/** Independence test factor of the Fortran code: a candidate column must add > 1% of its size. */
const FACTOR: f64 = 0.01;

let lastMode: i32 = 0;
let lastSetSize: i32 = 0;


// Householder pivot value "UP" of the last constructed transformation (the Fortran argument UP).
let hUp: f64 = 0;

/**
 * H12 mode 1: construct the reflection that zeroes u[l1..m) into u[piv] (u has unit stride). Leaves
 * u unchanged when the range is empty (l1 ≥ m), as the Fortran does.
 */
function h12Construct(u: usize, piv: i32, l1: i32, m: i32): void {
  if (piv < 0 || piv >= l1 || l1 >= m) return;
  let cl = Math.abs(ld(u, piv));
  for (let j = l1; j < m; j++) cl = max(Math.abs(ld(u, j)), cl);
  if (cl <= 0) return;
  const clinv = 1.0 / cl;
  let q = ld(u, piv) * clinv;
  let sm = q * q;
  for (let j = l1; j < m; j++) {
    q = ld(u, j) * clinv;
    sm = sm + q * q;
  }
  cl = cl * Math.sqrt(sm);
  if (ld(u, piv) > 0) cl = -cl;
  hUp = ld(u, piv) - cl;
  st(u, piv, cl);
}

/** H12 mode 2: apply the reflection stored in (u, hUp) to vector c (unit stride). */
function h12Apply(u: usize, piv: i32, l1: i32, m: i32, c: usize): void {
  if (piv < 0 || piv >= l1 || l1 >= m) return;
  const cl = Math.abs(ld(u, piv));
  if (cl <= 0) return;
  let bb = hUp * ld(u, piv);
  if (bb >= 0) return; // b must be negative; zero means the identity
  bb = 1.0 / bb;
  let sm = ld(c, piv) * hUp;
  for (let i = l1; i < m; i++) sm = sm + ld(c, i) * ld(u, i);
  if (sm == 0) return;
  sm = sm * bb;
  st(c, piv, ld(c, piv) + sm * hUp);
  for (let i = l1; i < m; i++) st(c, i, ld(c, i) + sm * ld(u, i));
}

// Givens rotation (G1) results.
let gC: f64 = 0;
let gS: f64 = 0;
let gSig: f64 = 0;

/** G1: rotation (c, s) with [c s; -s c]·[a; b] = [sig; 0]. */
function g1(a: f64, b: f64): void {
  if (Math.abs(a) > Math.abs(b)) {
    const xr = b / a;
    const yr = Math.sqrt(1.0 + xr * xr);
    gC = copysign<f64>(1.0 / yr, a);
    gS = gC * xr;
    gSig = Math.abs(a) * yr;
  } else if (b != 0) {
    const xr = a / b;
    const yr = Math.sqrt(1.0 + xr * xr);
    gS = copysign<f64>(1.0 / yr, b);
    gC = gS * xr;
    gSig = Math.abs(b) * yr;
  } else {
    gSig = 0;
    gC = 0;
    gS = 1;
  }
}

/** G2: apply the rotation to the pair (p[i], p[k]). */
@inline function g2(p: usize, i: i32, k: i32): void {
  const x = ld(p, i), y = ld(p, k);
  st(p, i, gC * x + gS * y);
  st(p, k, -gS * x + gC * y);
}

/** Back substitution of the triangular system on P; the solution overwrites zz[0..nsetp). */
function solveTriangular(a: usize, m: i32, zz: usize, idx: usize, nsetp: i32): void {
  let jj: i32 = 0;
  for (let l = 0; l < nsetp; l++) {
    const ip = nsetp - 1 - l;
    if (l != 0) {
      const z = ld(zz, ip + 1);
      const col = a + (<usize>jj * <usize>m << 3);
      for (let ii = 0; ii <= ip; ii++) st(zz, ii, ld(zz, ii) - ld(col, ii) * z);
    }
    jj = ldi(idx, ip);
    st(zz, ip, ld(zz, ip) / ld(a + (<usize>jj * <usize>m << 3), ip));
  }
}

/**
 * Solve min ‖a·x − b‖ subject to x ≥ 0. Returns the residual norm (RNORM); nnlsMode() gives 1
 * (converged) or 3 (iteration limit 3n reached), nnlsSetSize() the size of the passive set.
 */
export function nnlsSolve(a: usize, m: i32, n: i32, b: usize, x: usize, w: usize, zz: usize, idx: usize): f64 {
  const itmax = 3 * n;
  let mode = 1;
  let iter = 0;
  for (let i = 0; i < n; i++) {
    st(x, i, 0);
    sti(idx, i, i);
  }
  let iz1 = 0; // Z = idx[iz1..n)
  let nsetp = 0;
  let npp1 = 0; // first row below the triangle (Fortran NPP1 − 1)

  let stop = false;
  while (!stop && iz1 < n && nsetp < m) {
    // Dual vector w = aᵀ(b − a x) on Z, computed from the untriangularised rows.
    for (let iz = iz1; iz < n; iz++) {
      const j = ldi(idx, iz);
      const col = a + (<usize>j * <usize>m << 3);
      let sm: f64 = 0;
      for (let l = npp1; l < m; l++) sm = sm + ld(col, l) * ld(b, l);
      st(w, j, sm);
    }
    // Pick the most positive w_j; rejected candidates get w_j = 0 and the search repeats.
    let j: i32 = -1;
    let izmax: i32 = -1;
    while (true) {
      let wmax: f64 = 0;
      for (let iz = iz1; iz < n; iz++) {
        const jj = ldi(idx, iz);
        if (ld(w, jj) > wmax) {
          wmax = ld(w, jj);
          izmax = iz;
        }
      }
      if (wmax <= 0) {
        stop = true; // Kuhn–Tucker conditions hold
        break;
      }
      j = ldi(idx, izmax);
      const col = a + (<usize>j * <usize>m << 3);
      const asave = ld(col, npp1);
      h12Construct(col, npp1, npp1 + 1, m);
      let unorm: f64 = 0;
      for (let l = 0; l < nsetp; l++) unorm = unorm + ld(col, l) * ld(col, l);
      unorm = Math.sqrt(unorm);
      if (unorm + Math.abs(ld(col, npp1)) * FACTOR - unorm > 0) {
        // Sufficiently independent: the trial coefficient must also be positive.
        for (let l = 0; l < m; l++) st(zz, l, ld(b, l));
        h12Apply(col, npp1, npp1 + 1, m, zz);
        const ztest = ld(zz, npp1) / ld(col, npp1);
        if (ztest > 0) break;
      }
      st(col, npp1, asave);
      st(w, j, 0);
    }
    if (stop) break;

    // Move j from Z to P and transform b and the remaining Z columns.
    for (let l = 0; l < m; l++) st(b, l, ld(zz, l));
    sti(idx, izmax, ldi(idx, iz1));
    sti(idx, iz1, j);
    iz1++;
    nsetp = npp1 + 1;
    npp1++;
    const colj = a + (<usize>j * <usize>m << 3);
    for (let jz = iz1; jz < n; jz++) {
      const jj = ldi(idx, jz);
      h12Apply(colj, nsetp - 1, npp1, m, a + (<usize>jj * <usize>m << 3));
    }
    for (let l = npp1; l < m; l++) st(colj, l, 0);
    st(w, j, 0);
    solveTriangular(a, m, zz, idx, nsetp);

    // Secondary loop: step back towards the feasible region while some z_P ≤ 0.
    while (true) {
      iter++;
      if (iter > itmax) {
        mode = 3;
        stop = true;
        break;
      }
      let alpha: f64 = 2; // stays 2 when every z_P > 0
      let jj: i32 = -1;
      for (let ip = 0; ip < nsetp; ip++) {
        const l = ldi(idx, ip);
        if (ld(zz, ip) <= 0) {
          const t = -ld(x, l) / (ld(zz, ip) - ld(x, l));
          if (alpha > t) {
            alpha = t;
            jj = ip;
          }
        }
      }
      if (alpha == 2) break;
      for (let ip = 0; ip < nsetp; ip++) {
        const l = ldi(idx, ip);
        st(x, l, ld(x, l) + alpha * (ld(zz, ip) - ld(x, l)));
      }
      // Move index idx[jj] (and then any other non-positive one) from P to Z.
      let i = ldi(idx, jj);
      while (true) {
        st(x, i, 0);
        if (jj != nsetp - 1) {
          for (let jc = jj + 1; jc < nsetp; jc++) {
            const ii = ldi(idx, jc);
            sti(idx, jc - 1, ii);
            const colii = a + (<usize>ii * <usize>m << 3);
            g1(ld(colii, jc - 1), ld(colii, jc));
            st(colii, jc - 1, gSig);
            st(colii, jc, 0);
            for (let l = 0; l < n; l++) {
              if (l != ii) g2(a + (<usize>l * <usize>m << 3), jc - 1, jc);
            }
            g2(b, jc - 1, jc);
          }
        }
        npp1 = nsetp - 1;
        nsetp--;
        iz1--;
        sti(idx, iz1, i);
        // Round-off can leave other passive coefficients ≤ 0: remove them too.
        let again = false;
        for (let q = 0; q < nsetp; q++) {
          i = ldi(idx, q);
          if (ld(x, i) <= 0) {
            jj = q;
            again = true;
            break;
          }
        }
        if (!again) break;
      }
      for (let l = 0; l < m; l++) st(zz, l, ld(b, l));
      solveTriangular(a, m, zz, idx, nsetp);
    }
    if (stop) break;
    for (let ip = 0; ip < nsetp; ip++) st(x, ldi(idx, ip), ld(zz, ip));
  }

  let sm: f64 = 0;
  if (npp1 < m) {
    for (let i = npp1; i < m; i++) sm = sm + ld(b, i) * ld(b, i);
  } else {
    for (let i = 0; i < n; i++) st(w, i, 0);
  }
  lastMode = mode;
  lastSetSize = nsetp;
  return Math.sqrt(sm);
}

/** Mode of the last nnlsSolve: 1 converged, 3 iteration limit. */
export function nnlsMode(): i32 {
  return lastMode;
}

/** Size of the passive set of the last nnlsSolve. */
export function nnlsSetSize(): i32 {
  return lastSetSize;
}
