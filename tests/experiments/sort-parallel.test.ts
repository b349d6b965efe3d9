import assert from 'node:assert/strict';
import { test } from 'vitest';
import { sharedFloat32, sortFloat32Parallel } from '../../experiments/sort-parallel.js';

const sameBits = (a: Float32Array, b: Float32Array) => {
  let differ = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differ++;
  return differ;
};

test('two threads sort 5 million shared scores into the native order bit for bit, -0 before +0 across the halves', async () => {
  let x = 777;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const n = 5_000_001; // odd: the halves differ by one
  const a = sharedFloat32(n);
  for (let i = 0; i < n; i++) a[i] = i % 1000 === 0 ? 0 : i % 997 === 0 ? -0 : Math.fround(rand() * 0.6);
  const ref = Float32Array.from(a).sort();
  const sorted = await sortFloat32Parallel(a, 2);
  assert.notEqual(sorted.buffer, a.buffer, 'merged into a new array');
  assert.equal(sorted.length, n);
  assert.equal(sameBits(sorted, ref), 0);
});

test('one thread, short or unshared scores are sorted in place, the same order', async () => {
  const shared = sharedFloat32(5_000_000);
  for (let i = 0; i < shared.length; i++) shared[i] = Math.fround(Math.sin(i));
  const ref = Float32Array.from(shared).sort();
  const one = await sortFloat32Parallel(shared, 1);
  assert.equal(one, shared);
  assert.equal(sameBits(one, ref), 0);
  const plain = Float32Array.from(ref).reverse();
  assert.equal(await sortFloat32Parallel(plain, 2), plain, 'not shared: sorted here');
  assert.equal(sameBits(plain, ref), 0);
});
