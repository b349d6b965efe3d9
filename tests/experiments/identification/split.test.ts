import { test } from 'vitest';
import assert from 'node:assert/strict';
import { openDataset } from '../../../datasets/resolve.js';
import { makeSplit, splitRecord } from '../../../experiments/identification/split.js';
import { testConfig } from '../../helpers/shared.js';
import type { DatasetManifest } from '../../../datasets/manifest.js';

const cfg = testConfig();

function assertNoLeak(m: DatasetManifest, split: ReturnType<typeof makeSplit>) {
  const enrolled = new Set(split.gallery.flatMap((g) => g.images));
  const enrolledSha = new Set([...enrolled].map((i) => m.images[i].sha256));
  for (const i of [...split.mated.image, ...split.nonMated.image]) {
    assert.ok(!enrolled.has(i), `enrolment image ${m.images[i].path} is a probe`);
    assert.ok(!enrolledSha.has(m.images[i].sha256), `probe ${m.images[i].path} has an enrolment image's bytes`);
  }
  // Every mated probe belongs to the identity it is mated with; no stranger is enrolled.
  split.mated.image.forEach((i, k) => assert.equal(m.images[i].identity, split.gallery[split.mated.identity[k]].identity));
  const galleryNames = new Set(split.gallery.map((g) => g.identity));
  for (const i of split.nonMated.image) assert.ok(!galleryNames.has(m.images[i].identity), 'a stranger is enrolled');
}

test('LFW, k = 1: identities with ≥ 2 images enrolled, the 4,069 single-image people are the unknowns', async () => {
  const m = await openDataset('lfw', cfg, {});
  const split = makeSplit(m, { enrol: 1, seed: 1, fewImages: 'unknown' });
  // shared/README.md: 5,749 identities, 4,069 with one image → 1,680 enrolled.
  assert.equal(split.gallery.length, 1680);
  assert.equal(split.nonMated.image.length, 4069);
  assert.equal(split.mated.image.length, 13233 - 4069 - 1680);
  assert.equal(split.unknownSources.fewImages, 4069);
  assertNoLeak(m, split);
});

test('the split is reproducible by seed, changes with it, and never leaks with k = 3 or a held-out share', async () => {
  const m = await openDataset('lfw', cfg, {});
  const a = makeSplit(m, { enrol: 3, seed: 5, unknownShare: 0.2, fewImages: 'enrol-only' });
  const b = makeSplit(m, { enrol: 3, seed: 5, unknownShare: 0.2, fewImages: 'enrol-only' });
  const c = makeSplit(m, { enrol: 3, seed: 6, unknownShare: 0.2, fewImages: 'enrol-only' });
  assert.deepEqual(splitRecord(a, m), splitRecord(b, m));
  assert.notDeepEqual(splitRecord(a, m).gallery, splitRecord(c, m).gallery);
  for (const g of a.gallery) assert.ok(g.images.length <= 3);
  // Identities with more than 3 images: 610 (awk '$2>3' lfw-names.txt); 20% of them (122) are held out as strangers.
  assert.equal(a.unknownSources.heldOutShare, 122);
  assertNoLeak(m, a);
});

test('an explicit unknown set is used as the strangers; a byte-identical copy of an enrolment image is dropped', async () => {
  const m = await openDataset('lfw-mini', cfg, {});
  // Make a stranger out of one identity and give a probe the bytes of an enrolment image.
  const images = m.images.map((r) => ({ ...r }));
  images.filter((r) => r.identity === 'Abel_Pacheco').forEach((r) => (r.unknown = true));
  const person = 'Akhmed_Zakayev';
  // Akhmed_Zakayev has 3 lfw-mini images: with k = 2 one is a probe. Give all three the same bytes.
  const mine = images.filter((r) => r.identity === person);
  assert.equal(mine.length, 3);
  for (const r of mine) r.sha256 = mine[0].sha256;
  const split = makeSplit({ ...m, images }, { enrol: 2, seed: 1, fewImages: 'drop' });
  assert.equal(split.unknownSources.datasetUnknowns, 1);
  assert.equal(split.droppedDuplicates, 1);
  assert.ok(!split.mated.image.some((i) => images[i].identity === person));
  assertNoLeak({ ...m, images }, split);
  assert.ok(split.droppedIdentities > 0);
});
