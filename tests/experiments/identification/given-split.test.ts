import { test } from 'vitest';
import assert from 'node:assert/strict';
import { buildManifest } from '../../../datasets/scan.js';
import type { GalleryProbeSets, SetRole } from '../../../datasets/gallery-probe.js';
import { splitFromSets, GIVEN_SPLIT_RULE } from '../../../experiments/identification/given-split.js';
import { splitRecord } from '../../../experiments/identification/split.js';
import { throwsFrw } from '../metrics/helpers.js';

type Row = [path: string, identity: string, role: SetRole, sha: string, unknown?: boolean];

function sets(rows: Row[], listedInBoth: GalleryProbeSets['listedInBoth'] = []): GalleryProbeSets {
  const manifest = buildManifest({
    name: 't',
    kind: 'csv',
    root: '/data',
    images: rows.map(([path, identity, , sha256, unknown]) => ({ path, identity, unknown: unknown ?? false, sha256, bytes: 10, width: 9, height: 9, grayscale: false, format: 'jpeg' })),
    problems: [],
    flagSingleImageIdentities: false,
  });
  const role = new Map(rows.map((r) => [r[0], r[2]]));
  return {
    manifest,
    role: manifest.images.map((r) => role.get(r.path)!),
    listedAs: manifest.images.map((r) => r.path.split('/').pop()!),
    listedInBoth,
    unassigned: 0,
    description: { source: 'two-csv', gallery: '/data/train.csv', probe: '/data/test.csv', gallerySha256: 'g', probeSha256: 'p', splitColumn: null, unknownLabel: '1000' },
  };
}

test('the data\'s sets: all gallery images enrolled, mated by label, strangers by unknown label or absence from the gallery', () => {
  const s = sets([
    ['train/1.jpg', '0', 'gallery', 'h1'],
    ['train/2.jpg', '0', 'gallery', 'h2'],
    ['train/3.jpg', '1', 'gallery', 'h3'],
    ['test/5.jpg', '0', 'probe', 'h5'],
    ['test/6.jpg', '1', 'probe', 'h6'],
    ['test/7.jpg', '1', 'probe', 'h2'], // byte-identical to train/2.jpg (identity 0): a leak, whatever its label
    ['test/8.jpg', 'unknown:test/8.jpg', 'probe', 'h8', true],
    ['test/9.jpg', 'unknown:test/9.jpg', 'probe', 'h9', true],
    ['test/a.jpg', '7', 'probe', 'ha'], // label 7 is in no gallery: a stranger
    ['test/b.jpg', '7', 'probe', 'hb'],
    ['train/3.jpg-copy', '1', 'gallery', 'h3'], // a duplicate inside the gallery is no leak: both enrolled
  ], [{ path: 'train/3.jpg', probeIdentity: '1' }]);
  const split = splitFromSets(s);
  const m = s.manifest;
  const p = (i: number) => m.images[i].path;
  assert.deepEqual(split.gallery.map((g) => [g.identity, g.images.map(p)]), [['0', ['train/1.jpg', 'train/2.jpg']], ['1', ['train/3.jpg', 'train/3.jpg-copy']]]);
  assert.deepEqual(Array.from(split.mated.image, p), ['test/5.jpg', 'test/6.jpg']);
  assert.deepEqual(Array.from(split.mated.identity), [0, 1]);
  assert.deepEqual(Array.from(split.nonMated.image, p).sort(), ['test/8.jpg', 'test/9.jpg', 'test/a.jpg', 'test/b.jpg']);
  // Persons: the two images of label 7 are one person; each unknown-label image is its own.
  const person = new Map(Array.from(split.nonMated.image, (i, k) => [p(i), split.nonMated.person[k]]));
  assert.equal(person.get('test/a.jpg'), person.get('test/b.jpg'));
  assert.notEqual(person.get('test/8.jpg'), person.get('test/9.jpg'));
  assert.deepEqual(split.unknownSources, { datasetUnknowns: 2, heldOutShare: 0, fewImages: 0, notInGallery: 1 });
  // Leaks: the file listed in both sets, and the byte copy; neither is scored.
  assert.deepEqual(split.leaks, [
    { probe: 'train/3.jpg', probeIdentity: '1', gallery: 'train/3.jpg', galleryIdentity: '1' },
    { probe: 'test/7.jpg', probeIdentity: '1', gallery: 'train/2.jpg', galleryIdentity: '0' },
  ]);
  assert.equal(split.droppedDuplicates, 2);
  assert.deepEqual(split.protocol, { kind: 'gallery-probe', sets: s.description, rule: GIVEN_SPLIT_RULE });
  // split.json keeps the protocol and the leaks; no seeded options.
  const rec = splitRecord(split, m);
  assert.equal('options' in rec, false);
  assert.equal(rec.leaks.length, 2);
  assert.equal(rec.protocol.kind, 'gallery-probe');
  // Nothing is drawn: the same sets give the same split.
  assert.deepEqual(splitRecord(splitFromSets(s), m), rec);
});

test('a stranger in the gallery set, an empty gallery or no probe is a clear error', () => {
  // Strangers cannot be enrolled: a gallery image under the unknown label most likely means the wrong --unknown-label.
  throwsFrw(() => splitFromSets(sets([['train/1.jpg', '0', 'gallery', 'h0'], ['train/4.jpg', 'unknown:train/4.jpg', 'gallery', 'h1', true], ['test/2.jpg', '0', 'probe', 'h2']])), 'BAD_INPUT', /gallery set \/data\/train\.csv lists 1 image\(s\) under the unknown label "1000" or an unknown\/ folder \(first: train\/4\.jpg\): strangers cannot be enrolled/);
  throwsFrw(() => splitFromSets(sets([['test/2.jpg', '0', 'probe', 'h2']])), 'BAD_INPUT', /gallery set \/data\/train\.csv holds no image: nothing to enrol/);
  throwsFrw(() => splitFromSets(sets([['train/1.jpg', '0', 'gallery', 'h1']])), 'BAD_INPUT', /probe set \/data\/test\.csv holds no image/);
});
