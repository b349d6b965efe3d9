/**
 * Inner products over row-major float32 matrices: the hot loop of all-pairs scoring and exact search. Sums run in
 * index order (float64 accumulators), so the four-row form equals the one-row form bit for bit.
 */

/**
 * Row `a` of `x` against the four consecutive rows of `v` starting at offset `b`, into `out[0..3]`. Each element
 * of the shared row is loaded once for four products: the loop is load-bound, so this is ~2× the one-row loop.
 */
export function fourDots(x: Float32Array, a: number, v: Float32Array, b: number, dim: number, out: Float64Array): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const b1 = b + dim;
  const b2 = b1 + dim;
  const b3 = b2 + dim;
  for (let k = 0; k < dim; k++) {
    const xk = x[a + k];
    s0 += xk * v[b + k];
    s1 += xk * v[b1 + k];
    s2 += xk * v[b2 + k];
    s3 += xk * v[b3 + k];
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/**
 * Row `a` of `x` against four rows of `v` anywhere (offsets `b0..b3`), into `out[0..3]`: the gather form of fourDots
 * for rescoring an index's hits, equal to `dot` on each row bit for bit (same order, same float64 sums).
 */
export function fourDotsAt(x: Float32Array, a: number, v: Float32Array, b0: number, b1: number, b2: number, b3: number, dim: number, out: Float64Array): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < dim; k++) {
    const xk = x[a + k];
    s0 += xk * v[b0 + k];
    s1 += xk * v[b1 + k];
    s2 += xk * v[b2 + k];
    s3 += xk * v[b3 + k];
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/** Row at offset `a` of `x` against the row at offset `b` of `v`. */
export function dot(x: Float32Array, a: number, v: Float32Array, b: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += x[a + k] * v[b + k];
  return s;
}
