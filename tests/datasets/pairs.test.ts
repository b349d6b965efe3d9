import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isFrwError } from '../../core/errors.js';
import { loadFolderDataset } from '../../datasets/folder.js';
import { namesIdentities } from '../../datasets/manifest.js';
import { loadPairsDataset } from '../../datasets/pairs.js';
import { detectDataset, openDataset } from '../../datasets/resolve.js';
import { DATA_ROOT } from '../helpers/shared.js';
import { makePairOnlySet } from '../helpers/pair-set.js';
import { jpeg, put, tempDir } from './fixtures.js';

const cfg = () => ({ dataRoot: DATA_ROOT, workspace: tempDir('frw-ws-') });

test('a flat folder with a Yes/No sheet: every image its own image:<path> identity, the sheet\'s pairs exactly', async () => {
  const set = makePairOnlySet(path.join(tempDir(), 'flat'), { same: 4, different: 4 });
  const m = await loadPairsDataset(set.dir, { sheet: 'master.csv' });
  assert.equal(m.kind, 'pairs');
  assert.equal(namesIdentities(m), false);
  assert.deepEqual(m.images.map((r) => r.identity), m.images.map((r) => `image:${r.path}`));
  assert.equal(new Set(m.images.map((r) => r.identity)).size, m.images.length, 'no two images share an identity');
  assert.ok(m.images.every((r) => !r.unknown && r.width === 250));
  assert.deepEqual(m.pairs, set.rows.map((r) => ({ a: r.x, b: r.y, same: r.same })));
  assert.deepEqual([m.pairsSource, m.problems], ['master.csv', []]);
  // The same bytes as lfw-mini, but who is who is only the sheet's: the manifest pins its own identities.
  const mini = await loadFolderDataset(path.join(DATA_ROOT, 'lfw-mini'));
  assert.notEqual(m.hash, mini.hash);
});

test('a row naming a missing file is a counted problem with its line, and its pair is left out', async () => {
  const set = makePairOnlySet(path.join(tempDir(), 'flat'), { same: 2, different: 2 }, 'pairs.csv');
  fs.appendFileSync(set.sheet, 'img001.jpg,gone.jpg,Yes\nnothere.jpg,gone.jpg,No\n');
  const m = await loadPairsDataset(set.dir);
  assert.equal(m.pairs!.length, 4);
  const missing = m.problems.filter((p) => p.kind === 'missing-file');
  assert.deepEqual(missing.map((p) => p.path), ['gone.jpg', 'nothere.jpg', 'gone.jpg']);
  assert.match(missing[0].message, /named on pairs\.csv:6, but there is no such file/);
  assert.match(missing[1].message, /pairs\.csv:7/);
});

test('paths out of the folder are refused: ../ as a bad row, a link out as outside-root, neither read', async () => {
  const outside = tempDir();
  await jpeg(outside, 'secret.jpg', [9, 9, 9]);
  const dir = tempDir();
  await jpeg(dir, 'a.jpg', [200, 0, 0]);
  await jpeg(dir, 'b.jpg', [0, 200, 0]);
  fs.symlinkSync(path.join(outside, 'secret.jpg'), path.join(dir, 'link.jpg'));
  put(dir, 'pairs.csv', `img1,img2,same\na.jpg,b.jpg,no\n../${path.basename(outside)}/secret.jpg,a.jpg,yes\nlink.jpg,a.jpg,yes\n`);
  const m = await loadPairsDataset(dir);
  assert.deepEqual(m.images.map((r) => r.path), ['a.jpg', 'b.jpg']);
  assert.deepEqual(m.pairs, [{ a: 'a.jpg', b: 'b.jpg', same: false }]);
  assert.deepEqual(m.problems.map((p) => [p.kind, p.path]), [['outside-root', 'link.jpg'], ['bad-row', 'pairs.csv:3'], ['outside-root', 'link.jpg']]);
  assert.match(m.problems[1].message, /outside the dataset folder/);
});

test('detection: top-level images and pairs.csv, or one pair-header CSV, or the sheet itself, or --pairs', async () => {
  const set = makePairOnlySet(path.join(tempDir(), 'flat'), { same: 1, different: 1 });
  // master.csv is the folder's one CSV with pair columns.
  assert.deepEqual(await detectDataset(set.dir), { kind: 'pairs', dir: set.dir, pairsPath: set.sheet });
  assert.deepEqual(await detectDataset(set.sheet), { kind: 'pairs', dir: set.dir, pairsPath: set.sheet });
  put(set.dir, 'notes.csv', 'when,what\n2019,shot\n');
  assert.equal((await detectDataset(set.dir)).kind, 'pairs', 'other CSVs do not get in the way');
  fs.copyFileSync(set.sheet, path.join(set.dir, 'other.csv'));
  await assert.rejects(detectDataset(set.dir), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /several pair sheets \(master\.csv, other\.csv\): name one with --pairs/.test(e.message));
  assert.deepEqual(await detectDataset(set.dir, undefined, 'other.csv'), { kind: 'pairs', dir: set.dir, pairsPath: path.join(set.dir, 'other.csv') });
  fs.copyFileSync(set.sheet, path.join(set.dir, 'pairs.csv'));
  assert.equal((await detectDataset(set.dir)).pairsPath, path.join(set.dir, 'pairs.csv'), 'pairs.csv wins');
  // openDataset by path with the sheet named: the CLI's --pairs.
  const m = await openDataset(set.dir, cfg(), { pairsPath: 'master.csv' });
  assert.deepEqual([m.kind, m.pairs!.length, m.pairsSource], ['pairs', 2, 'master.csv']);
  await assert.rejects(openDataset(set.dir, cfg(), { pairsPath: 'master.csv', kind: 'folder' }), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /--pairs/.test(e.message));
});

test('identity folders with pairs.csv stay a folder set; a folder of images with no sheet is no pair set', async () => {
  assert.equal((await detectDataset(path.join(DATA_ROOT, 'lfw-mini'))).kind, 'folder');
  const dir = tempDir();
  await jpeg(dir, 'a.jpg', [1, 2, 3]);
  assert.equal((await detectDataset(dir)).kind, 'folder');
  await assert.rejects(openDataset(dir, cfg(), { kind: 'pairs' }), (e: unknown) => isFrwError(e, 'NOT_FOUND') && /holds no pair sheet.*--pairs/.test(e.message));
});

test('an unreadable decision refuses the whole set with the column and line', async () => {
  const set = makePairOnlySet(path.join(tempDir(), 'flat'), { same: 1, different: 1 }, 'pairs.csv');
  fs.appendFileSync(set.sheet, 'img001.jpg,img003.jpg,Maybe\n');
  await assert.rejects(openDataset(set.dir, cfg()), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /column "Decision".*"Maybe", first on line 4/.test(e.message));
});
