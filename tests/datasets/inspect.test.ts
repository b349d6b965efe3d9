import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { formatSummary, summarizeDataset } from '../../datasets/inspect.js';
import { loadFolderDataset } from '../../datasets/folder.js';
import { loadPairsDataset } from '../../datasets/pairs.js';
import type { DatasetManifest, ImageRecord } from '../../datasets/manifest.js';
import { buildManifest } from '../../datasets/scan.js';
import { DATA_ROOT } from '../helpers/shared.js';
import { makePairOnlySet } from '../helpers/pair-set.js';
import { tempDir } from './fixtures.js';

let n = 0;
const img = (identity: string, extra: Partial<ImageRecord> = {}): ImageRecord => ({
  path: `${identity}/${n++}.jpg`, identity, unknown: false, sha256: `h${n}`, bytes: 100, width: 250, height: 250, grayscale: false, format: 'jpeg', ...extra,
});

/** Identities sized on every histogram boundary, short sides on every resolution boundary. */
function syntheticManifest(): DatasetManifest {
  const images: ImageRecord[] = [];
  const sizes = [1, 1, 2, 3, 4, 5, 6, 10, 11, 20, 21, 50, 51];
  sizes.forEach((k, i) => {
    for (let j = 0; j < k; j++) images.push(img(`id${String(i).padStart(2, '0')}`));
  });
  const sides = [63, 64, 127, 128, 255, 256, 511, 512];
  sides.forEach((s, i) => Object.assign(images[i], { width: s + 40, height: s }));
  images[10].grayscale = true;
  images[11].grayscale = true;
  images.push(img('unknown:u/a.jpg', { unknown: true }), img('unknown:u/b.jpg', { unknown: true, format: 'png' }));
  images.push(img('broken', { width: 0, height: 0, format: '', grayscale: false }));
  images.push(img('broken', { width: 0, height: 0, format: '', grayscale: false }));
  return buildManifest({
    name: 'synthetic', kind: 'folder', root: '/data/synthetic', images,
    problems: [
      { kind: 'not-an-image', path: 'broken/a.jpg', message: 'not a supported image format' },
      { kind: 'empty-file', path: 'broken/b.jpg', message: 'file is empty (0 bytes)' },
      { kind: 'not-an-image', path: 'broken/c.jpg', message: 'not a supported image format' },
    ],
    pairs: [
      { a: 'id05/0.jpg', b: 'id05/1.jpg', same: true, fold: 0 },
      { a: 'id05/0.jpg', b: 'id06/1.jpg', same: false, fold: 0 },
      { a: 'id06/0.jpg', b: 'id06/1.jpg', same: true, fold: 1 },
    ],
    pairsSource: 'pairs.csv',
    flagSingleImageIdentities: true,
  });
}

test('summarizeDataset buckets identities and resolutions on their boundaries', () => {
  const s = summarizeDataset(syntheticManifest());
  assert.equal(s.images, 185 + 4);
  assert.equal(s.decodable, 187);
  assert.equal(s.unknownImages, 2);
  assert.deepEqual(s.identities, { total: 16, enrolled: 14, unknown: 2 });
  assert.deepEqual(s.imagesPerIdentity.map((b) => [b.label, b.count]), [
    ['1', 2], ['2', 2], ['3', 1], ['4', 1], ['5', 1], ['6-10', 2], ['11-20', 2], ['21-50', 2], ['51+', 1],
  ]);
  assert.equal(s.singleImageIdentities, 2);
  assert.deepEqual(s.resolution.map((b) => [b.label, b.count]), [['<64', 1], ['64-127', 2], ['128-255', 2 + 177 + 2], ['256-511', 2], ['512+', 1]]);
  assert.deepEqual(s.grayscale, { count: 2, share: 2 / 187 });
  assert.deepEqual(s.formats, [{ label: 'jpeg', count: 186 }, { label: '(undecodable)', count: 2 }, { label: 'png', count: 1 }]);
  assert.deepEqual(s.pairs, { total: 3, same: 2, different: 1, folds: 2, source: 'pairs.csv' });
  assert.deepEqual(s.problems.map((g) => [g.kind, g.count]), [['not-an-image', 2], ['single-image-identity', 2], ['empty-file', 1]]);
  assert.deepEqual(s.problems[0].problems.map((p) => p.path), ['broken/a.jpg', 'broken/c.jpg']);
});

test('formatSummary shows the counts and lists every problem unless told to cut', () => {
  const s = summarizeDataset(syntheticManifest());
  const text = formatSummary(s);
  assert.match(text, /^synthetic \(folder\)  \/data\/synthetic$/m);
  assert.match(text, /identities {2}16 \(14 enrolled, 2 unknown\)/);
  assert.match(text, /pairs {7}3 \(2 same, 1 different, 2 folds\) from pairs\.csv/);
  assert.match(text, /grayscale {3}2 \(1\.1% of decodable\)/);
  for (const g of s.problems) for (const p of g.problems) assert.ok(text.includes(`${p.path}: ${p.message}`), p.path);
  const cut = formatSummary(s, { maxProblemsPerKind: 1 });
  assert.ok(!cut.includes('broken/c.jpg'));
  assert.match(cut, /… 1 more/);
});

test('an empty manifest summarises to zeros without dividing by zero', () => {
  const s = summarizeDataset(buildManifest({ name: 'e', kind: 'csv', root: '/e', images: [], problems: [], flagSingleImageIdentities: true }));
  assert.deepEqual([s.images, s.grayscale.share, s.pairs, s.problems], [0, 0, undefined, []]);
  assert.match(formatSummary(s), /problems {4}none/);
});

test('lfw-mini summary: 80 of 120 identities have one image, all 191 images are 250 px', async () => {
  const s = summarizeDataset(await loadFolderDataset(path.join(DATA_ROOT, 'lfw-mini')));
  assert.deepEqual(s.imagesPerIdentity.map((b) => b.count), [80, 23, 9, 4, 2, 2, 0, 0, 0]);
  assert.equal(s.singleImageIdentities, 80);
  assert.deepEqual(s.resolution.map((b) => b.count), [0, 0, 191, 0, 0]);
  assert.deepEqual(s.pairs, { total: 120, same: 60, different: 60, folds: 0, source: 'pairs.csv' });
  assert.deepEqual(s.problems.map((g) => [g.kind, g.count]), [['single-image-identity', 80]]);
});

test('five-celeb summary: resolution spread of uncropped web photos', async () => {
  const s = summarizeDataset(await loadFolderDataset(path.join(DATA_ROOT, 'five-celeb')));
  assert.deepEqual(s.resolution.map((b) => b.count), [0, 1, 93, 24, 0]);
  assert.deepEqual(s.grayscale, { count: 6, share: 6 / 118 });
  assert.deepEqual(s.formats, [{ label: 'jpeg', count: 117 }, { label: 'png', count: 1 }]);
});

test('a pair-only set: no identities named (not one per image), its pairs and sheet, its problems', async () => {
  const made = makePairOnlySet(path.join(tempDir(), 'flat'), { same: 2, different: 3 }, 'pairs.csv');
  fs.appendFileSync(made.sheet, 'img001.jpg,gone.jpg,no\nimg001.jpg\n');
  const s = summarizeDataset(await loadPairsDataset(made.dir));
  assert.deepEqual([s.kind, s.identitiesNamed, s.identities, s.singleImageIdentities], ['pairs', false, { total: 0, enrolled: 0, unknown: 0 }, 0]);
  assert.deepEqual(s.pairs, { total: 5, same: 2, different: 3, folds: 0, source: 'pairs.csv' });
  assert.deepEqual(s.problems.map((g) => [g.kind, g.count]), [['bad-row', 1], ['missing-file', 1]]);
  const text = formatSummary(s);
  assert.match(text, /^flat \(pairs: a flat image folder and a pair sheet\)/);
  assert.match(text, /identities {2}none named: a pair-only set/);
  assert.doesNotMatch(text, /images per enrolled identity/);
  assert.match(text, /pairs {7}5 \(2 same, 3 different\) from pairs\.csv/);
  assert.match(text, /missing-file \(1\)\n {4}gone\.jpg: named on pairs\.csv:7/);
});
