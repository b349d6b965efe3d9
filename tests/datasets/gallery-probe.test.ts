import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../../core/hash.js';
import { loadGalleryProbe, type GalleryProbeSets } from '../../datasets/gallery-probe.js';
import { jpeg, put, tempDir } from './fixtures.js';

const rolesOf = (s: GalleryProbeSets) => Object.fromEntries(s.manifest.images.map((r, i) => [r.path, `${s.role[i]} ${r.identity}${r.unknown ? ' (unknown)' : ''} as ${s.listedAs[i]}`]));
const rejects = (p: Promise<unknown>, code: string, pattern: RegExp) => assert.rejects(p, (e: Error & { code?: string }) => e.code === code && pattern.test(e.message));

test('two CSVs (aivivn train.csv and a test CSV): one manifest under their common folder, each image with its set', async () => {
  const root = tempDir();
  await jpeg(root, 'train/a.jpg', [200, 10, 10]);
  await jpeg(root, 'train/b.jpg', [10, 200, 10]);
  await jpeg(root, 'test/c.jpg', [10, 10, 200]);
  await jpeg(root, 'test/d.jpg', [90, 90, 10]);
  const train = put(root, 'train.csv', 'image,label\na.jpg,0\nb.jpg,1\n');
  const testCsv = put(root, 'test.csv', 'image,label\nc.jpg,0\nd.jpg,1000\nmissing.jpg,1\n');
  const s = await loadGalleryProbe({ gallery: train, probe: testCsv, unknownLabel: '1000' });
  assert.equal(s.manifest.root, path.resolve(root));
  assert.equal(s.manifest.name, `${path.basename(root)}-train+test`);
  assert.deepEqual(rolesOf(s), {
    'train/a.jpg': 'gallery 0 as a.jpg',
    'train/b.jpg': 'gallery 1 as b.jpg',
    'test/c.jpg': 'probe 0 as c.jpg',
    'test/d.jpg': 'probe unknown:test/d.jpg (unknown) as d.jpg',
  });
  // The missing file is a counted problem (with its CSV line), never a row.
  assert.deepEqual(s.manifest.problems.map((p) => [p.kind, p.path]), [['missing-file', 'test/missing.jpg']]);
  assert.match(s.manifest.problems[0].message, /listed on test\.csv:4/);
  assert.deepEqual(s.description, { source: 'two-csv', gallery: train, probe: testCsv, gallerySha256: sha256Hex(fs.readFileSync(train)), probeSha256: sha256Hex(fs.readFileSync(testCsv)), splitColumn: null, unknownLabel: '1000' });
  assert.deepEqual(s.listedInBoth, []);

  // Both CSVs naming one images folder: a file listed in both is kept once, as a gallery image, and reported.
  const shared = put(root, 'test2.csv', 'image,label\ntrain/a.jpg,0\ntest/c.jpg,0\n');
  const both = await loadGalleryProbe({ gallery: put(root, 'train2.csv', 'image,label\ntrain/a.jpg,0\ntrain/b.jpg,1\n'), probe: shared, galleryImages: '.', probeImages: '.' });
  assert.deepEqual(both.listedInBoth, [{ path: 'train/a.jpg', probeIdentity: '0' }]);
  assert.equal(both.manifest.images.length, 3);
});

test('two folders (VNCeleb style): identity folders matched by name, strangers in unknown/ or under the unknown label', async () => {
  const root = tempDir();
  await jpeg(root, 'gallery/Ann/1.jpg', [200, 10, 10]);
  await jpeg(root, 'gallery/Bob/1.jpg', [10, 200, 10]);
  await jpeg(root, 'probe/Ann/2.jpg', [10, 10, 200]);
  await jpeg(root, 'probe/unknown/x.jpg', [90, 90, 10]);
  await jpeg(root, 'probe/unknown/Zed/1.jpg', [10, 90, 90]);
  await jpeg(root, 'probe/1000/y.jpg', [90, 10, 90]);
  const s = await loadGalleryProbe({ gallery: path.join(root, 'gallery'), probe: path.join(root, 'probe'), unknownLabel: '1000' });
  assert.deepEqual(rolesOf(s), {
    'gallery/Ann/1.jpg': 'gallery Ann as Ann/1.jpg',
    'gallery/Bob/1.jpg': 'gallery Bob as Bob/1.jpg',
    'probe/1000/y.jpg': 'probe unknown:probe/1000/y.jpg (unknown) as 1000/y.jpg',
    'probe/Ann/2.jpg': 'probe Ann as Ann/2.jpg',
    'probe/unknown/Zed/1.jpg': 'probe Zed (unknown) as unknown/Zed/1.jpg',
    'probe/unknown/x.jpg': 'probe unknown:probe/unknown/x.jpg (unknown) as unknown/x.jpg',
  });
  assert.equal(s.description.source, 'two-folders');
  assert.equal(s.description.gallerySha256, null);
});

test('one CSV with a split column: each row in the set it names; another value is a bad row in neither set', async () => {
  const root = tempDir();
  await jpeg(root, 'images/a.jpg', [200, 10, 10]);
  await jpeg(root, 'images/b.jpg', [10, 200, 10]);
  await jpeg(root, 'images/c.jpg', [10, 10, 200]);
  const csv = put(root, 'all.csv', 'image,label,split\na.jpg,0,train\nb.jpg,0,Probe\nc.jpg,1,later\n');
  const s = await loadGalleryProbe({ csv, splitColumn: 'split' });
  assert.deepEqual(rolesOf(s), { 'a.jpg': 'gallery 0 as a.jpg', 'b.jpg': 'probe 0 as b.jpg' });
  assert.equal(s.unassigned, 1);
  assert.deepEqual(s.manifest.problems.map((p) => [p.kind, p.path]), [['bad-row', 'all.csv:4']]);
  await rejects(loadGalleryProbe({ csv, splitColumn: 'fold' }), 'BAD_INPUT', /all\.csv has no column "fold"/);
});

test('bad inputs: no gallery set, a missing set, mixed kinds', async () => {
  const root = tempDir();
  const probe = put(root, 'test.csv', 'image,label\n');
  await rejects(loadGalleryProbe({ probe }), 'BAD_INPUT', /no gallery set: a probe set \(.*test\.csv\) is searched against a gallery/);
  await rejects(loadGalleryProbe({ gallery: probe }), 'BAD_INPUT', /no probe set/);
  await rejects(loadGalleryProbe({ gallery: path.join(root, 'nope.csv'), probe }), 'NOT_FOUND', /the gallery set .*nope\.csv does not exist/);
  fs.mkdirSync(path.join(root, 'gallery'));
  await rejects(loadGalleryProbe({ gallery: path.join(root, 'gallery'), probe }), 'BAD_INPUT', /both be CSVs or both folders/);
  await rejects(loadGalleryProbe({ csv: probe }), 'BAD_INPUT', /split column/);
});
