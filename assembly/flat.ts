// Element access on flat memory for the deconvolution kernels (nnls.ts, lsq.ts, epic.ts, svr-exact.ts): index i of
// an f64 or i32 array starting at byte address p. `ld`/`st` are load/store here; long double is x87.ts.

@inline export function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline export function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
@inline export function ldi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline export function sti(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}
