import { test } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { buildManifest, manifestHash, mapLimit, probeImage, scanCachePath, scanFiles } from '../../datasets/scan.js';
import type { ScanStats } from '../../datasets/scan.js';
import { decodeImage } from '../../datasets/image.js';
import type { ImageRecord } from '../../datasets/manifest.js';
import { DATA_ROOT } from '../helpers/shared.js';
import { jpeg, pgm, put, tempDir, truncatedJpeg } from './fixtures.js';

const FIVE = path.join(DATA_ROOT, 'five-celeb');

test('probeImage reads size, format and sha256 of a real JPEG', async () => {
  const rel = 'madonna/httpcdnfuncheapcomwpcontentuploadsVOGUEjpg.jpg';
  const abs = path.join(FIVE, rel);
  const r = await probeImage(abs, rel);
  assert.equal(r.problem, undefined);
  assert.equal(r.format, 'jpeg');
  assert.equal(r.width, 218);
  assert.equal(r.height, 218);
  assert.equal(r.grayscale, true, 'a one-component JPEG is grayscale');
  assert.equal(r.bytes, fs.statSync(abs).size);
  assert.equal(r.sha256, crypto.createHash('sha256').update(fs.readFileSync(abs)).digest('hex'));
});

test('probeImage detects format from the bytes: a PNG named .jpg in five-celeb', async () => {
  const rel = 'ben_afflek/httpwwwrumenewscomwpcontentuploadsbenafflekxpng.jpg';
  const r = await probeImage(path.join(FIVE, rel), rel);
  assert.equal(r.format, 'png');
  assert.deepEqual([r.width, r.height], [300, 224]);
});

test('probeImage agrees with decodeImage on every five-celeb image (size and grayscale)', async () => {
  const files = fs.readdirSync(FIVE).flatMap((d) => fs.readdirSync(path.join(FIVE, d)).map((f) => `${d}/${f}`));
  assert.equal(files.length, 118);
  const probes = await mapLimit(files, 8, (rel) => probeImage(path.join(FIVE, rel), rel));
  const decoded = await mapLimit(files, 4, (rel) => decodeImage(path.join(FIVE, rel)));
  files.forEach((rel, i) => {
    assert.equal(probes[i].width, decoded[i].originalWidth, rel);
    assert.equal(probes[i].height, decoded[i].originalHeight, rel);
    assert.equal(probes[i].grayscale, decoded[i].grayscale, rel);
  });
  assert.equal(probes.filter((p) => p.grayscale).length, 6);
});

test('probeImage applies EXIF orientation >= 5 by swapping width and height', async () => {
  const dir = tempDir();
  const buf = await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 200, g: 30, b: 40 } } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const r = await probeImage(put(dir, 'rot.jpg', buf), 'rot.jpg');
  assert.deepEqual([r.width, r.height, r.grayscale], [80, 120, false]);
});

test('probeImage turns broken files into problems named by their failure reason', async () => {
  const dir = tempDir();
  put(dir, 'zero.jpg', '');
  put(dir, 'text.jpg', 'image,label\nnot really\n');
  await truncatedJpeg(dir, 'cut.jpg');
  put(dir, 'cut.pgm', Buffer.concat([Buffer.from('P5\n4 3\n255\n'), Buffer.alloc(5)]));
  const cases: Array<[string, string]> = [['zero.jpg', 'empty-file'], ['text.jpg', 'not-an-image'], ['cut.jpg', 'truncated'], ['cut.pgm', 'truncated'], ['absent.jpg', 'missing-file']];
  for (const [rel, kind] of cases) {
    const r = await probeImage(path.join(dir, rel), rel);
    assert.equal(r.problem?.kind, kind, rel);
    assert.equal(r.problem?.path, rel);
    assert.deepEqual([r.width, r.height, r.format], [0, 0, ''], rel);
  }
  // The bytes of a non-image are still hashed: a duplicate text file is still a duplicate.
  assert.match((await probeImage(path.join(dir, 'text.jpg'), 'text.jpg')).sha256, /^[0-9a-f]{64}$/);
});

test('probeImage decodes PGM through the PNM fallback', async () => {
  const dir = tempDir();
  const r = await probeImage(pgm(dir, 'face.pgm', 7, 5), 'face.pgm');
  assert.deepEqual([r.format, r.width, r.height, r.grayscale, r.problem], ['pnm', 7, 5, true, undefined]);
});

test('probeImage samples large images small and still tells colour from gray', async () => {
  const dir = tempDir();
  await jpeg(dir, 'big-color.jpg', [200, 40, 40], 900, 700);
  await jpeg(dir, 'big-gray.jpg', [120, 120, 120], 900, 700);
  assert.equal((await probeImage(path.join(dir, 'big-color.jpg'), 'a')).grayscale, false);
  assert.equal((await probeImage(path.join(dir, 'big-gray.jpg'), 'b')).grayscale, true);
});

test('mapLimit keeps order, never exceeds its limit and rethrows the first failure', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimit([...Array(40).keys()], 8, async (n) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, (n * 7) % 5));
    inFlight--;
    return n * 2;
  });
  assert.deepEqual(out, [...Array(40).keys()].map((n) => n * 2));
  assert.equal(peak, 8);
  let started = 0;
  await assert.rejects(mapLimit([...Array(100).keys()], 4, async (n) => {
    started++;
    if (n === 2) throw new Error('boom');
    await new Promise((r) => setTimeout(r, 5));
  }), /boom/);
  assert.ok(started < 100, 'no new work starts after a failure');
});

test('scanFiles caches by size and mtime, re-probes only changed files and writes the cache atomically', async () => {
  const root = tempDir();
  const cfg = { workspace: tempDir('frw-ws-') };
  await jpeg(root, 'a/1.jpg', [10, 20, 30]);
  await jpeg(root, 'a/2.jpg', [40, 50, 60]);
  await jpeg(root, 'b/1.jpg', [70, 80, 90]);
  const rels = ['a/1.jpg', 'a/2.jpg', 'b/1.jpg', 'b/missing.jpg'];
  let stats: ScanStats | undefined;
  const first = await scanFiles(root, rels, { cfg, onStats: (s) => (stats = s) });
  assert.deepEqual([stats?.files, stats?.probed, stats?.cached], [4, 3, 0]);
  assert.equal(first.results[3].problem?.kind, 'missing-file');
  const cacheFile = scanCachePath(cfg, root);
  assert.equal(stats?.cacheFile, cacheFile);
  const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
  assert.deepEqual(Object.keys(cached.entries).sort(), ['a/1.jpg', 'a/2.jpg', 'b/1.jpg'], 'missing files are never cached');
  assert.deepEqual(fs.readdirSync(path.dirname(cacheFile)).filter((f) => f.endsWith('.tmp')), []);

  const second = await scanFiles(root, rels, { cfg });
  assert.deepEqual([second.stats.probed, second.stats.cached], [0, 3]);
  assert.deepEqual(second.results, first.results);

  await jpeg(root, 'a/2.jpg', [200, 10, 10], 50, 20); // new bytes, new size
  const third = await scanFiles(root, rels, { cfg });
  assert.deepEqual([third.stats.probed, third.stats.cached], [1, 2]);
  assert.deepEqual([third.results[1].width, third.results[1].height], [50, 20]);

  fs.writeFileSync(cacheFile, '{ not json');
  const fourth = await scanFiles(root, rels, { cfg });
  assert.equal(fourth.stats.probed, 3, 'a corrupt cache means a full scan, not a crash');
});

test('scanFiles without a config caches nothing', async () => {
  const root = tempDir();
  await jpeg(root, 'x/1.jpg', [1, 2, 3]);
  const progress: string[] = [];
  const a = await scanFiles(root, ['x/1.jpg'], { onProgress: (done, total) => progress.push(`${done}/${total}`) });
  assert.deepEqual(progress, ['1/1']);
  const b = await scanFiles(root, ['x/1.jpg']);
  assert.deepEqual([a.stats.probed, b.stats.probed, b.stats.cacheFile], [1, 1, undefined]);
});

const row = (p: string, identity: string, sha: string, extra: Partial<ImageRecord> = {}): ImageRecord => ({
  path: p, identity, unknown: false, sha256: sha, bytes: 10, width: 10, height: 10, grayscale: false, format: 'jpeg', ...extra,
});

test('buildManifest counts identities, flags duplicates and single-image identities, sorts rows', () => {
  const images = [
    row('b/2.jpg', 'b', 'h2'),
    row('a/1.jpg', 'a', 'h1'),
    row('b/1.jpg', 'b', 'h1'), // same bytes as a/1.jpg under another identity
    row('c/1.jpg', 'c', 'h3'),
    row('u/1.jpg', 'unknown:u/1.jpg', 'h4', { unknown: true }),
    row('c/empty.jpg', 'c', 'e', { bytes: 0 }),
    row('d/empty.jpg', 'd', 'e', { bytes: 0 }),
  ];
  const m = buildManifest({ name: 't', kind: 'folder', root: '/tmp/x', images, problems: [], flagSingleImageIdentities: true });
  assert.deepEqual(m.images.map((r) => r.path), ['a/1.jpg', 'b/1.jpg', 'b/2.jpg', 'c/1.jpg', 'c/empty.jpg', 'd/empty.jpg', 'u/1.jpg']);
  assert.deepEqual(m.identities, [
    { name: 'a', images: 1, unknown: false },
    { name: 'b', images: 2, unknown: false },
    { name: 'c', images: 2, unknown: false },
    { name: 'd', images: 1, unknown: false },
    { name: 'unknown:u/1.jpg', images: 1, unknown: true },
  ]);
  const dups = m.problems.filter((p) => p.kind === 'duplicate-image');
  assert.deepEqual(dups.map((p) => p.path), ['b/1.jpg'], 'empty files are not duplicates of each other');
  assert.match(dups[0].message, /a\/1\.jpg/);
  assert.deepEqual(m.problems.filter((p) => p.kind === 'single-image-identity').map((p) => p.path), ['a/1.jpg', 'd/empty.jpg']);
  const lfwStyle = buildManifest({ name: 't', kind: 'lfw', root: '/tmp/x', images, problems: [], flagSingleImageIdentities: false });
  assert.equal(lfwStyle.problems.filter((p) => p.kind === 'single-image-identity').length, 0);
});

test('manifestHash ignores row order but not labels, bytes or pairs', () => {
  const a = [row('a/1.jpg', 'a', 'h1'), row('b/1.jpg', 'b', 'h2')];
  const h = manifestHash(a);
  assert.equal(manifestHash([...a].reverse()), h);
  assert.notEqual(manifestHash([row('a/1.jpg', 'b', 'h1'), a[1]]), h);
  assert.notEqual(manifestHash([row('a/1.jpg', 'a', 'h9'), a[1]]), h);
  assert.notEqual(manifestHash([row('a/1.jpg', 'a', 'h1', { unknown: true }), a[1]]), h);
  assert.notEqual(manifestHash(a, [{ a: 'a/1.jpg', b: 'b/1.jpg', same: false }]), h);
  assert.notEqual(manifestHash(a, [{ a: 'a/1.jpg', b: 'b/1.jpg', same: false, fold: 1 }]), manifestHash(a, [{ a: 'a/1.jpg', b: 'b/1.jpg', same: false, fold: 0 }]));
});
