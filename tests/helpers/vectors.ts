import { l2normalize } from '../../models/embedder.js';

/** n seeded random unit vectors of `dim` (Lehmer generator): synthetic galleries for search tests. */
export function unitRows(n: number, dim: number, seed: number): Float32Array {
  let x = seed;
  const r = () => ((x = (x * 48271) % 2147483647) / 2147483647) * 2 - 1;
  const v = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) v.set(l2normalize(Float32Array.from({ length: dim }, r)), i * dim);
  return v;
}
