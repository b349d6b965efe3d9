import { test } from 'vitest';
import assert from 'node:assert/strict';
import { exactIndex, rankIdentities, rowsNeeded } from '../../search/vector-index.js';
import { buildGallery } from '../../search/templates.js';
import type { EmbeddingTable } from '../../pipeline/embedding-table.js';
import type { IdentificationSplit } from '../../experiments/identification/split.js';
import { unitRows } from '../helpers/vectors.js';


test('exact search returns the true top-k rows by inner product, best first', () => {
  const dim = 16;
  const g = unitRows(50, dim, 7);
  const q = unitRows(5, dim, 11);
  const hits = exactIndex(g, dim).search(q, 4);
  for (let p = 0; p < 5; p++) {
    const all = Array.from({ length: 50 }, (_, r) => ({ r, s: Math.fround(q.subarray(p * dim, (p + 1) * dim).reduce((a, v, d) => a + v * g[r * dim + d], 0)) }));
    all.sort((a, b) => b.s - a.s || a.r - b.r);
    assert.deepEqual([...hits.rows.subarray(p * 4, p * 4 + 4)], all.slice(0, 4).map((x) => x.r));
  }
});

test('raw mode ranks an identity by its best vector; mean mode by its normalised mean', () => {
  // 2-D: identity 0 has vectors at 0° and 90°, identity 1 one vector at 40°. Probe at 80°.
  const deg = (d: number) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)];
  const table: EmbeddingTable = { dim: 2, vectors: Float32Array.from([...deg(0), ...deg(90), ...deg(40)]), ok: Uint8Array.from([1, 1, 1]), failure: [null, null, null], quality: [null, null, null], faceCount: new Int32Array(3) };
  const split = { gallery: [{ identity: 'a', images: [0, 1] }, { identity: 'b', images: [2] }] } as unknown as IdentificationSplit;
  const probe = Float32Array.from(deg(80));
  const raw = buildGallery(split, table, 'raw');
  const r = rankIdentities(exactIndex(raw.vectors, 2).search(probe, rowsNeeded(raw, 2)), raw, 2);
  assert.deepEqual([...r.identity], [0, 1]); // cos 10° (a's 90° vector) beats cos 40°
  const mean = buildGallery(split, table, 'mean');
  // a's mean template points at 45°: cos 35° = 0.819 beats b at 40° (cos 40° = 0.766).
  const m = rankIdentities(exactIndex(mean.vectors, 2).search(probe, 2), mean, 2);
  assert.deepEqual([...m.identity], [0, 1]);
  assert.ok(Math.abs(m.score[0] - Math.cos((35 * Math.PI) / 180)) < 1e-6);
  assert.equal(mean.vectors.length, 4, 'one template per identity');
});

test('enrolment images without a face are skipped; an identity left with none is not enrolled', () => {
  const table: EmbeddingTable = { dim: 2, vectors: Float32Array.from([1, 0, 0, 1, 1, 0]), ok: Uint8Array.from([1, 0, 0]), failure: [null, 'no-face', 'no-face'], quality: [null, null, null], faceCount: new Int32Array(3) };
  const split = { gallery: [{ identity: 'a', images: [0, 1] }, { identity: 'b', images: [2] }] } as unknown as IdentificationSplit;
  const g = buildGallery(split, table, 'mean');
  assert.equal(g.skippedImages, 2);
  assert.deepEqual(g.unenrolled, [1]);
  assert.deepEqual([...g.owner], [0]);
});
