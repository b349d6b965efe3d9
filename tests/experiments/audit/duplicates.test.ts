import { test } from 'vitest';
import assert from 'node:assert/strict';
import { exactDuplicates, nearDuplicates } from '../../../experiments/audit/duplicates.js';
import { auditGroups } from '../../../experiments/audit/groups.js';
import { imageNeighbours } from '../../../experiments/audit/neighbours.js';
import { createIndexFactory } from '../../../search/indexes.js';
import { photos, synthInput } from './fixtures.js';

const input = synthInput([
  ...photos('A', 3),
  ...photos('B', 3),
  // Same bytes under A and B; same bytes twice under C; an unknown that is a copy of a C photo.
  { path: 'B/B_0099.jpg', label: 'B', person: 'A', bytes: 'A/A_0001.jpg' },
  { path: 'C/C_0001.jpg', label: 'C', person: 'C', bytes: 'c' },
  { path: 'C/C_0002.jpg', label: 'C', person: 'C', bytes: 'c' },
  { path: 'unknown/u.jpg', label: 'unknown', person: 'C', unknown: true, bytes: 'c' },
  // Not the same bytes but the same photo: a re-encode of a D photo filed under E, and one under D itself.
  ...photos('D', 2),
  { path: 'E/E_0001.jpg', label: 'E', person: 'D', nearCopyOf: 'D/D_0001.jpg' },
  { path: 'D/D_0003.jpg', label: 'D', person: 'D', nearCopyOf: 'D/D_0002.jpg' },
]);
const path = (i: number) => input.manifest.images[i].path;

test('exact duplicates: groups of equal sha256, different labels flagged (an unknown copy always differs), listed first', () => {
  const g = auditGroups(input.manifest);
  const d = exactDuplicates(input.manifest.images, g);
  assert.equal(d.length, 2);
  const ab = d.find((x) => x.images.map(path).includes('B/B_0099.jpg'))!;
  assert.deepEqual(ab.images.map(path), ['A/A_0001.jpg', 'B/B_0099.jpg']);
  assert.ok(ab.differentLabels);
  const c = d.find((x) => x.images.map(path).includes('C/C_0001.jpg'))!;
  assert.deepEqual(c.images.map(path), ['C/C_0001.jpg', 'C/C_0002.jpg', 'unknown/u.jpg']);
  assert.ok(c.differentLabels, 'the unknown side makes it a different label');
  assert.deepEqual(d.map((x) => x.kind), ['exact', 'exact']);
});

test('near duplicates: pairs above the level joined into groups, byte-identical pairs left to the exact list; the level decides', async () => {
  const g = auditGroups(input.manifest);
  const nb = await imageNeighbours(input.vectors, input.dim, input.ok, 6, await createIndexFactory('exact'));
  // Level 1.0001: nothing but exact copies could reach it, and they are excluded.
  assert.deepEqual(nearDuplicates(nb, input.manifest.images, g, 1.0001), []);
  const low = nearDuplicates(nb, input.manifest.images, g, 0.5);
  assert.ok(low.length > 0);
  for (const grp of low) {
    assert.equal(grp.kind, 'near');
    assert.ok(grp.similarity.min >= 0.5 && grp.similarity.max >= grp.similarity.min);
    assert.equal(grp.differentLabels, new Set(grp.images.map((i) => g.groupOf[i])).size > 1);
  }
  // Flagged (different labels) groups first.
  const flags = low.map((x) => x.differentLabels);
  assert.deepEqual(flags, [...flags].sort((a, b) => Number(b) - Number(a)));
  // At 0.95 (far above two photos of one person here, about 0.7): the two re-encodes, one across labels, one
  // within D; the byte-identical copies of A_0001 and of C_0001 are not near-duplicates, they are exact ones.
  const at95 = nearDuplicates(nb, input.manifest.images, g, 0.95);
  assert.deepEqual(at95.map((x) => [x.images.map(path), x.differentLabels]), [
    [['D/D_0001.jpg', 'E/E_0001.jpg'], true],
    [['D/D_0002.jpg', 'D/D_0003.jpg'], false],
  ]);
  assert.ok(at95.every((x) => x.similarity.min >= 0.95 && x.similarity.max < 1));
});
