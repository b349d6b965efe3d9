import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exactIndex } from '../../search/vector-index.js';
import { faissIndex, loadFaissIndex, saveFaissIndex } from '../../search/faiss.js';
import { tempWorkspace } from '../helpers/shared.js';
import { unitRows } from '../helpers/vectors.js';
import type { FrwError } from '../../core/errors.js';


const dim = 128;
const gallery = unitRows(3000, dim, 3);
const queries = unitRows(200, dim, 9);

test('FAISS flat inner-product search equals the exact TypeScript reference on the same vectors, scores bit for bit', () => {
  const exact = exactIndex(gallery, dim).search(queries, 10);
  const flat = faissIndex('flat', gallery, dim).search(queries, 10);
  assert.deepEqual([...flat.rows], [...exact.rows]);
  // Rescored canonically (search/faiss.ts): the same bits as the exact index, not merely close.
  assert.deepEqual([...flat.scores], [...exact.scores]);
});

test('a saved index loads back after its checksum check and answers the same; tampering is refused', async () => {
  const dir = tempWorkspace();
  const file = path.join(dir, 'gallery.faiss');
  const idx = faissIndex('flat', gallery, dim);
  await saveFaissIndex(idx, file, 'gallery-v1');
  const back = await loadFaissIndex(file, 'gallery-v1');
  assert.equal(back.size, 3000);
  assert.deepEqual([...back.search(queries, 5).rows], [...idx.search(queries, 5).rows]);
  await assert.rejects(loadFaissIndex(file, 'gallery-v2'), (e: FrwError) => e.code === 'INTEGRITY' && /built for gallery-v1/.test(e.message));
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 10] ^= 0xff;
  fs.writeFileSync(file, bytes);
  await assert.rejects(loadFaissIndex(file, 'gallery-v1'), (e: FrwError) => e.code === 'INTEGRITY' && /checksum/.test(e.message));
  await assert.rejects(loadFaissIndex(path.join(dir, 'none.faiss'), 'x'), (e: FrwError) => e.code === 'NOT_FOUND');
});

test('IVF and HNSW build over inner product and return valid, ordered rows', () => {
  for (const kind of ['ivf', 'hnsw'] as const) {
    const idx = faissIndex(kind, gallery, dim);
    assert.equal(idx.kind, `faiss-${kind}`);
    const hits = idx.search(queries, 5);
    for (let q = 0; q < 200; q++) {
      for (let j = 0; j < 5; j++) {
        const row = hits.rows[q * 5 + j];
        assert.ok(row >= -1 && row < 3000);
        if (j > 0 && row >= 0) assert.ok(hits.scores[q * 5 + j] <= hits.scores[q * 5 + j - 1] + 1e-6, 'best first');
      }
    }
    // A gallery row searched for itself is its own nearest neighbour, approximate index or not.
    const self = idx.search(gallery.subarray(0, 20 * dim), 1);
    let found = 0;
    for (let q = 0; q < 20; q++) if (self.rows[q] === q) found++;
    assert.ok(found >= 15, `${kind}: ${found}/20 rows find themselves`);
  }
});

test('the faiss-node build has our typed-results search (scripts/patches), equal to its plain search, views included', () => {
  const native = faissIndex('flat', gallery, dim).native;
  assert.equal(typeof native.searchTyped, 'function', 'faiss-node was built without scripts/patches/faiss-node-0.5.1-typed-results.patch');
  const view = queries.subarray(5 * dim, 25 * dim); // a view with an offset: the native side must honour it
  const typed = native.searchTyped(view, 7);
  const plain = native.search(Array.from(view), 7);
  assert.ok(typed.distances instanceof Float32Array && typed.labels instanceof Float64Array);
  assert.deepEqual([...typed.labels], plain.labels);
  assert.deepEqual([...typed.distances], plain.distances.map((d) => Math.fround(d)));
});
