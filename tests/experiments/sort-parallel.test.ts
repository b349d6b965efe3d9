import assert from 'node:assert/strict';
import { test } from 'vitest';
import { sharedFloat32, sortToFloat64 } from '../../experiments/sort-parallel.js';

/** The reference: the native sort of the float32 values, widened, -0 as +0 (what SortedScores holds). */
const reference = (a: Float32Array) => Float64Array.from(Float32Array.from(a).sort(), (v) => v + 0);
const differing = (a: Float64Array, b: Float64Array) => a.reduce((c, v, i) => c + (Object.is(v, b[i]) ? 0 : 1), 0);

test('two threads sort 5 million shared float32 scores into ascending float64, bit for bit the native order widened, -0 as +0', async () => {
  let x = 777;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const n = 5_000_001; // odd: the halves differ by one
  const a = sharedFloat32(n);
  for (let i = 0; i < n; i++) a[i] = i % 1000 === 0 ? 0 : i % 997 === 0 ? -0 : Math.fround(rand() * 0.6);
  const want = reference(a);
  const got = await sortToFloat64(a, 2);
  assert.equal(got.length, n);
  assert.equal(differing(got, want), 0);
  assert.ok(!got.some((v) => Object.is(v, -0)), 'no -0 left');
});

test('one thread, or scores not in shared memory, give the same array', async () => {
  const shared = sharedFloat32(5_000_000);
  for (let i = 0; i < shared.length; i++) shared[i] = Math.fround(Math.sin(i));
  const want = reference(shared);
  assert.equal(differing(await sortToFloat64(shared, 1), want), 0);
  const plain = Float32Array.from(want).reverse();
  assert.equal(differing(await sortToFloat64(plain, 2), want), 0, 'not shared: sorted on this thread');
});
