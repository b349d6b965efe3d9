import { test } from 'vitest';
import assert from 'node:assert/strict';
import { auditDataset, DEFAULT_AUDIT_OPTIONS, suggestedDecisions } from '../../../experiments/audit/audit.js';
import { applyDecisions } from '../../../experiments/audit/decisions.js';
import { createIndexFactory } from '../../../search/indexes.js';
import { photos, synthInput, type SynthImage } from './fixtures.js';

// Thirty people; planted: a photo of P03 filed under P04, P05 split into two names, a P06 file copied under P07,
// a photo without a face under P08, and an unknown photo of P09.
const people = Array.from({ length: 30 }, (_, k) => `P${String(k).padStart(2, '0')}`);
const images: SynthImage[] = [
  ...people.flatMap((p) => (p === 'P05' ? [] : photos(p, 4))),
  ...photos('P05', 3),
  ...photos('P05', 3, 'P05_alias', 10),
  { path: 'P04/P04_0099.jpg', label: 'P04', person: 'P03' },
  { path: 'P07/P07_0099.jpg', label: 'P07', person: 'P06', bytes: 'P06/P06_0001.jpg' },
  { path: 'P08/P08_0099.png', label: 'P08', person: 'P08', noFace: true },
  { path: 'unknown/visitor.jpg', label: 'unknown', person: 'P09', unknown: true },
];
const input = synthInput(images);

test('the audit finds every planted problem, each in its own finding, with the names and paths the user sees', async () => {
  const f = await auditDataset(input, DEFAULT_AUDIT_OPTIONS, await createIndexFactory('flat'));
  const flaggedOutliers = f.outliers.ranked.filter((o) => o.flagged).map((o) => [o.image.path, o.nearest?.name, o.closerToOther]);
  assert.deepEqual(flaggedOutliers.sort(), [['P04/P04_0099.jpg', 'P03', true], ['P07/P07_0099.jpg', 'P06', true]]);
  assert.deepEqual([f.identityPairs.known.ranked[0].a.name, f.identityPairs.known.ranked[0].b.name].sort(), ['P05', 'P05_alias']);
  assert.equal(f.identityPairs.known.flaggedCount, 1);
  assert.deepEqual([f.identityPairs.unknown.ranked[0].a.name, f.identityPairs.unknown.ranked[0].b.name].sort(), ['P09', 'unknown/visitor.jpg']);
  assert.deepEqual(f.duplicates.exact.map((d) => [d.images.map((i) => i.path), d.differentLabels]), [[['P06/P06_0001.jpg', 'P07/P07_0099.jpg'], true]]);
  assert.deepEqual(f.junk.rows.map((j) => [j.image.path, j.reasons, j.failure?.reason]), [['P08/P08_0099.png', ['failure-to-acquire'], 'no-face']]);
  assert.equal(f.embedded, images.length - 1);
  assert.deepEqual(f.groups, { known: 31, unknownImages: 1 });
  // The example shown beside an outlier is the nearest identity's image most like it.
  assert.match(f.outliers.ranked[0].nearest!.example!, /^P0[36]\//);
});

test('suggested decisions act on the chosen kinds only; applied, they undo the planted problems', async () => {
  const f = await auditDataset(input, DEFAULT_AUDIT_OPTIONS, await createIndexFactory('exact'));
  const all = suggestedDecisions(f, ['outliers', 'duplicates', 'same-person', 'junk']);
  assert.deepEqual(all.map((d) => [d.kind, d.image ?? d.identities, d.label]).sort(), [
    ['mislabelled', 'P04/P04_0099.jpg', undefined],
    ['mislabelled', 'P07/P07_0099.jpg', undefined],
    ['mislabelled', 'unknown/visitor.jpg', 'P09'],
    ['same-person', ['P05', 'P05_alias'], undefined],
  ].sort(), 'the copy under P07 is also an outlier: one decision for it; the no-face image is already excluded from the rates');
  assert.deepEqual(suggestedDecisions(f, ['duplicates']).map((d) => [d.kind, d.image]), [['duplicate', 'P07/P07_0099.jpg']], 'of the two copies, the one its identity disagrees with goes');
  assert.deepEqual(suggestedDecisions(f, []), []);
  const { manifest, applied } = applyDecisions(input.manifest, { format: 'frw-audit-decisions', version: 1, dataset: 'synth', decisions: all });
  assert.equal(applied.excludedImages, 2);
  assert.equal(manifest.identities.find((s) => s.name === 'P05')?.images, 6);
  assert.equal(manifest.identities.find((s) => s.name === 'P09')?.images, 5);
  assert.ok(!manifest.identities.some((s) => s.name === 'P05_alias'));
});
