import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lfwImageDir, lfwImagePath, loadLfwDataset, parseLfwPairs } from '../../datasets/lfw.js';
import type { DatasetPair } from '../../datasets/manifest.js';
import type { ScanStats } from '../../datasets/scan.js';
import { DATA_ROOT } from '../helpers/shared.js';
import { jpeg, put, tempDir } from './fixtures.js';

const LFW = path.join(DATA_ROOT, 'lfw');

test('lfwImagePath pads the image number to four digits under the image folder', () => {
  assert.equal(lfwImagePath('lfw-deepfunneled', 'Abel_Pacheco', 4), 'lfw-deepfunneled/Abel_Pacheco/Abel_Pacheco_0004.jpg');
  assert.equal(lfwImagePath('', 'Bo', 12), 'Bo/Bo_0012.jpg');
});

test('parseLfwPairs assigns folds by position and is lenient on whitespace', () => {
  const text = '2 1\r\nAnn\t1\t2\r\n  Ann  1   Bo 1 \r\n\r\nBo 1 2\nAnn\t2 Cy\t3\n';
  const r = parseLfwPairs(text, 'lfw');
  assert.deepEqual([r.folds, r.pairsPerClassPerFold, r.problems], [2, 1, []]);
  assert.deepEqual(r.pairs, [
    { a: 'lfw/Ann/Ann_0001.jpg', b: 'lfw/Ann/Ann_0002.jpg', same: true, fold: 0 },
    { a: 'lfw/Ann/Ann_0001.jpg', b: 'lfw/Bo/Bo_0001.jpg', same: false, fold: 0 },
    { a: 'lfw/Bo/Bo_0001.jpg', b: 'lfw/Bo/Bo_0002.jpg', same: true, fold: 1 },
    { a: 'lfw/Ann/Ann_0002.jpg', b: 'lfw/Cy/Cy_0003.jpg', same: false, fold: 1 },
  ]);
});

test('parseLfwPairs reports bad lines, unsafe names and a header that does not match the body', () => {
  const r = parseLfwPairs('1 2\nAnn 1 x\n.. 1 2\nAnn 1 Bo 1\nBo 1 2\nCy 1 2\nOne two three four five\n', '');
  assert.deepEqual(r.problems.map((p) => p.path), ['pairs.txt:2', 'pairs.txt:3', 'pairs.txt:6', 'pairs.txt:7', 'pairs.txt:1']);
  assert.match(r.problems[2].message, /beyond the 1 folds/);
  assert.match(r.problems[4].message, /= 4 lines, found 6/);
  // Bad lines still take their position, so the good ones keep their official fold.
  assert.deepEqual(r.pairs, [
    { a: 'Ann/Ann_0001.jpg', b: 'Bo/Bo_0001.jpg', same: false, fold: 0 },
    { a: 'Bo/Bo_0001.jpg', b: 'Bo/Bo_0002.jpg', same: true, fold: 0 },
  ]);
  const noHeader = parseLfwPairs('Ann 1 2\nAnn 1 Bo 1\n', '', 'custom.txt');
  assert.equal(noHeader.folds, undefined);
  assert.deepEqual(noHeader.pairs.map((p) => p.fold), [undefined, undefined]);
  assert.deepEqual(noHeader.problems, []);
});

test('a small LFW-layout set under lfw/: pairs naming absent images become missing-file problems', async () => {
  const root = tempDir();
  await jpeg(root, 'lfw/Ann/Ann_0001.jpg', [10, 10, 10]);
  await jpeg(root, 'lfw/Ann/Ann_0002.jpg', [20, 20, 20]);
  await jpeg(root, 'lfw/Bo/Bo_0001.jpg', [30, 30, 30]);
  await jpeg(root, 'lfw/stray.jpg', [40, 40, 40]);
  put(root, 'pairs.txt', '1 2\nAnn 1 2\nAnn 1 3\nAnn 1 Bo 1\nAnn 2 Bo 9\n');
  put(root, 'README.txt', 'notes');
  assert.equal(await lfwImageDir(root), 'lfw');
  const m = await loadLfwDataset(root);
  assert.equal(m.kind, 'lfw');
  assert.deepEqual(m.images.map((r) => r.path), ['lfw/Ann/Ann_0001.jpg', 'lfw/Ann/Ann_0002.jpg', 'lfw/Bo/Bo_0001.jpg']);
  assert.deepEqual(m.identities.map((i) => [i.name, i.images, i.unknown]), [['Ann', 2, false], ['Bo', 1, false]]);
  assert.deepEqual(m.pairs, [
    { a: 'lfw/Ann/Ann_0001.jpg', b: 'lfw/Ann/Ann_0002.jpg', same: true, fold: 0 },
    { a: 'lfw/Ann/Ann_0001.jpg', b: 'lfw/Bo/Bo_0001.jpg', same: false, fold: 0 },
  ]);
  assert.deepEqual(m.problems.map((p) => [p.kind, p.path]).sort(), [
    ['missing-file', 'lfw/Ann/Ann_0003.jpg'],
    ['missing-file', 'lfw/Bo/Bo_0009.jpg'],
    ['stray-file', 'lfw/stray.jpg'],
  ], 'Bo has one image but LFW sets get no single-image problems');
});

test('identity folders directly at the root are accepted too', async () => {
  const root = tempDir();
  await jpeg(root, 'Ann/Ann_0001.jpg', [10, 10, 10]);
  await jpeg(root, 'Ann/Ann_0002.jpg', [20, 20, 20]);
  put(root, 'pairs.txt', 'Ann 1 2\n');
  const m = await loadLfwDataset(root);
  assert.deepEqual(m.pairs, [{ a: 'Ann/Ann_0001.jpg', b: 'Ann/Ann_0002.jpg', same: true }]);
});

function lfwNames(): Map<string, number> {
  const lines = fs.readFileSync(path.join(LFW, 'lfw-names.txt'), 'utf8').trim().split('\n');
  return new Map(lines.map((l) => l.trim().split(/\s+/)).map(([n, c]) => [n, Number(c)]));
}

test('full LFW: 13,233 images, 5,749 identities, 6,000 pairs in 10 folds; the second scan hits the cache', async () => {
  const cfg = { workspace: tempDir('frw-ws-') };
  const stats: ScanStats[] = [];
  const m = await loadLfwDataset(LFW, { scan: { cfg, onStats: (s) => stats.push(s) } });
  assert.equal(m.name, 'lfw');
  assert.equal(m.images.length, 13233);
  assert.equal(m.identities.length, 5749);
  assert.deepEqual(m.problems, []);
  // lfw-names.txt, shipped with the data, is an independent count of images per person.
  const names = lfwNames();
  assert.deepEqual(new Map(m.identities.map((i) => [i.name, i.images])), names);
  assert.equal(m.identities.filter((i) => i.images === 1).length, 4069);
  assert.equal(m.identities.find((i) => i.name === 'George_W_Bush')?.images, 530);
  assert.ok(m.images.every((r) => !r.unknown && r.width === 250 && r.height === 250 && r.format === 'jpeg' && r.path.startsWith('lfw-deepfunneled/')));
  assert.equal(m.images.filter((r) => r.grayscale).length, 39);

  assert.equal(m.pairsSource, 'pairs.txt');
  assert.equal(m.pairs?.length, 6000);
  for (let f = 0; f < 10; f++) {
    const inFold: DatasetPair[] = m.pairs!.filter((p) => p.fold === f);
    assert.deepEqual([inFold.filter((p) => p.same).length, inFold.filter((p) => !p.same).length], [300, 300], `fold ${f}`);
  }
  assert.deepEqual(m.pairs![0], { a: 'lfw-deepfunneled/Abel_Pacheco/Abel_Pacheco_0001.jpg', b: 'lfw-deepfunneled/Abel_Pacheco/Abel_Pacheco_0004.jpg', same: true, fold: 0 });
  assert.deepEqual(m.pairs![300], { a: 'lfw-deepfunneled/Abdel_Madi_Shabneh/Abdel_Madi_Shabneh_0001.jpg', b: 'lfw-deepfunneled/Dean_Barker/Dean_Barker_0001.jpg', same: false, fold: 0 });
  assert.equal(new Set(m.pairs!.flatMap((p) => [p.a, p.b])).size, 7701);

  const again = await loadLfwDataset(LFW, { scan: { cfg, onStats: (s) => stats.push(s) } });
  assert.deepEqual(stats.map((s) => [s.files, s.probed, s.cached]), [[13233, 13233, 0], [13233, 0, 13233]]);
  assert.equal(again.hash, m.hash);
});
