import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { EmbeddingTable } from '../../../pipeline/embedding-table.js';
import { impostorTail } from '../../../experiments/all-pairs.js';
import { allPairsFmrBootstrap } from '../../../experiments/metrics/all-pairs-bootstrap.js';
import { bootstrapOverIdentities, shareAt } from '../../../experiments/metrics/index.js';

/** 60 unit vectors in 3-D, 9 identities of uneven size, two images without a face. */
function table(): { t: EmbeddingTable; ids: Int32Array } {
  const n = 60;
  const vectors = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const u = ((i * 0.618) % 1) * 2 * Math.PI;
    const v = ((i * 0.377) % 1) * Math.PI;
    vectors.set([Math.sin(v) * Math.cos(u), Math.sin(v) * Math.sin(u), Math.cos(v)], 3 * i);
  }
  const ok = Uint8Array.from({ length: n }, (_, i) => (i === 7 || i === 33 ? 0 : 1));
  const t = { dim: 3, vectors, ok, failure: Array.from(ok, (o) => (o ? null : ('no-face' as const))), quality: Array.from(ok, () => null), faceCount: new Int32Array(n) };
  return { t, ids: Int32Array.from({ length: n }, (_, i) => Math.floor(Math.sqrt(i * 1.3))) };
}

test('FMR bootstrapped from the impostor tail in closed form equals the bootstrap over identities of every listed pair', async () => {
  const { t, ids } = table();
  // Every pair listed, as bootstrapOverIdentities takes them (images without a face left out).
  const score: number[] = [];
  const same: number[] = [];
  const idA: number[] = [];
  const idB: number[] = [];
  for (let i = 0; i < 60; i++)
    for (let j = i + 1; j < 60; j++) {
      if (!t.ok[i] || !t.ok[j]) continue;
      let s = 0;
      for (let k = 0; k < 3; k++) s += t.vectors[3 * i + k] * t.vectors[3 * j + k];
      score.push(Math.fround(s));
      same.push(ids[i] === ids[j] ? 1 : 0);
      idA.push(ids[i]);
      idB.push(ids[j]);
    }
  const impostors = score.filter((_, k) => !same[k]).sort((x, y) => x - y);
  const floor = impostors[impostors.length - 200];
  const tail = await impostorTail(t, ids, floor);
  assert.equal(tail.score.length, 200);
  const perIdentity = new Float64Array(Math.max(...ids) + 1);
  ids.forEach((id, i) => t.ok[i] && perIdentity[id]++);
  const th = impostors[impostors.length - 40];
  const opts = { replicates: 300, seed: 11, level: 0.9 };
  const closed = allPairsFmrBootstrap({ score: tail.score, idA: Int32Array.from(tail.a, (i) => ids[i]), idB: Int32Array.from(tail.b, (i) => ids[i]), floor }, perIdentity, th, opts);
  const listed = bootstrapOverIdentities({ score, same, idA, idB }, (_g, imp) => shareAt(imp, th, 'accepted'), opts);
  assert.equal(closed.estimate, 40 / impostors.length);
  assert.equal(closed.identities, listed.identities);
  assert.ok(Math.abs(closed.lower - listed.lower) < 1e-12 && Math.abs(closed.upper - listed.upper) < 1e-12, `${JSON.stringify([closed.lower, closed.upper])} vs ${JSON.stringify([listed.lower, listed.upper])}`);
  assert.ok(closed.upper > closed.lower);
  assert.throws(() => allPairsFmrBootstrap({ score: tail.score, idA: tail.a, idB: tail.b, floor }, perIdentity, floor - 0.01, opts), /tail starts at/);
});
