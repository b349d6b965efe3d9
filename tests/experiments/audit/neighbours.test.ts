import { test } from 'vitest';
import assert from 'node:assert/strict';
import { auditGroups, groupSums, templatesOf } from '../../../experiments/audit/groups.js';
import { imageNeighbours, nearestOtherGroup } from '../../../experiments/audit/neighbours.js';
import { dot } from '../../../search/dot.js';
import { createIndexFactory } from '../../../search/indexes.js';
import { photos, synthInput } from './fixtures.js';

const input = synthInput([
  ...photos('A', 4),
  ...photos('B', 3),
  ...photos('C', 5),
  // Three files with the same bytes: their embeddings tie exactly, with one another and with themselves.
  { path: 'D/D_0001.jpg', label: 'D', person: 'D', bytes: 'd' },
  { path: 'D/D_0002.jpg', label: 'D', person: 'D', bytes: 'd' },
  { path: 'E/E_0001.jpg', label: 'E', person: 'D', bytes: 'd' },
  { path: 'F/F_0001.jpg', label: 'F', person: 'F', noFace: true },
]);
const { vectors, dim, ok } = input;
const n = ok.length;

test('image neighbours: every other embedded image by similarity, never the image itself, even among exact copies; FAISS flat agrees with the exact reference', async () => {
  const exact = await imageNeighbours(vectors, dim, ok, 4, await createIndexFactory('exact'));
  const flat = await imageNeighbours(vectors, dim, ok, 4, await createIndexFactory('flat'));
  for (let i = 0; i < n; i++) {
    const row = Array.from(exact.image.subarray(i * 4, i * 4 + 4));
    if (!ok[i]) {
      assert.deepEqual(row, [-1, -1, -1, -1], 'no face, no neighbours');
      continue;
    }
    assert.ok(!row.includes(i), `${i} is not its own neighbour`);
    assert.ok(row.every((j) => j < 0 || ok[j]), 'images without a face are never neighbours');
    // Brute force: the 4 best other rows.
    const best = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i && ok[j]).map((j) => dot(vectors, i * dim, vectors, j * dim, dim)).sort((a, b) => b - a).slice(0, 4);
    best.forEach((s, m) => assert.ok(Math.abs(exact.similarity[i * 4 + m] - s) < 1e-6, `row ${i} rank ${m}`));
    for (let m = 0; m < 4; m++) assert.ok(Math.abs(flat.similarity[i * 4 + m] - exact.similarity[i * 4 + m]) < 1e-6);
  }
  const d1 = input.manifest.images.findIndex((r) => r.path === 'D/D_0001.jpg');
  assert.ok(exact.similarity[d1 * 4] > 0.99999 && exact.similarity[d1 * 4 + 1] > 0.99999, 'both copies first');
});

test('nearest other group: the best template that is not the image\'s own (brute force)', async () => {
  const g = auditGroups(input.manifest);
  const t = templatesOf(groupSums(vectors, dim, ok, g), dim);
  const near = await nearestOtherGroup(vectors, dim, ok, g, t, await createIndexFactory('flat'));
  for (let i = 0; i < n; i++) {
    if (!ok[i]) {
      assert.equal(near.group[i], -1);
      continue;
    }
    let best = -Infinity;
    let at = -1;
    for (let h = 0; h < g.names.length; h++) {
      if (h === g.groupOf[i] || !t.has[h]) continue;
      const s = dot(vectors, i * dim, t.vectors, h * dim, dim);
      if (s > best) [best, at] = [s, h];
    }
    assert.equal(near.group[i], at, input.manifest.images[i].path);
    assert.ok(Math.abs(near.similarity[i] - best) < 1e-6);
  }
  const e = input.manifest.images.findIndex((r) => r.path === 'E/E_0001.jpg');
  assert.equal(g.names[near.group[e]], 'D', 'the copy under E is nearest to D');
});
