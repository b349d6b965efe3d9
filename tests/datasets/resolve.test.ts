import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { workspacePaths } from '../../core/config.js';
import { isFrwError } from '../../core/errors.js';
import { detectDataset, listDatasets, looksLikePath, openDataset, resolveDatasetPath } from '../../datasets/resolve.js';
import type { ScanStats } from '../../datasets/scan.js';
import { DATA_ROOT } from '../helpers/shared.js';
import { jpeg, put, tempDir } from './fixtures.js';

const cfgWith = (dataRoot = DATA_ROOT) => ({ dataRoot, workspace: tempDir('frw-ws-') });

test('looksLikePath: separators and a leading dot make a path, anything else is a name', () => {
  assert.deepEqual(['lfw', 'lfw-mini', 'my set', './lfw', '../x', 'a/b', '/abs', 'a\\b', '.hidden'].map(looksLikePath), [false, false, false, true, true, true, true, true, true]);
});

test('listDatasets lists the folders under the data root', async () => {
  assert.deepEqual(await listDatasets({ dataRoot: DATA_ROOT }), ['five-celeb', 'lfw', 'lfw-mini']);
  assert.deepEqual(await listDatasets({ dataRoot: path.join(tempDir(), 'absent') }), []);
});

test('the shared datasets are detected as lfw, folder and folder', async () => {
  assert.deepEqual(await detectDataset(path.join(DATA_ROOT, 'lfw')), { kind: 'lfw', dir: path.join(DATA_ROOT, 'lfw') });
  assert.equal((await detectDataset(path.join(DATA_ROOT, 'lfw-mini'))).kind, 'folder');
  assert.equal((await detectDataset(path.join(DATA_ROOT, 'five-celeb'))).kind, 'folder');
});

test('an unknown name is NOT_FOUND and lists what exists', async () => {
  await assert.rejects(openDataset('vnceleb', cfgWith()), (e: unknown) => {
    assert.ok(isFrwError(e, 'NOT_FOUND'));
    assert.match(e.message, /five-celeb, lfw, lfw-mini/);
    assert.deepEqual(e.details?.available, ['five-celeb', 'lfw', 'lfw-mini']);
    return true;
  });
  await assert.rejects(resolveDatasetPath('', { dataRoot: DATA_ROOT }), { code: 'BAD_INPUT' });
});

test('openDataset by name: lfw-mini through the workspace cache', async () => {
  const cfg = cfgWith();
  const stats: ScanStats[] = [];
  const m = await openDataset('lfw-mini', cfg, { scan: { onStats: (s) => stats.push(s) } });
  assert.deepEqual([m.name, m.kind, m.root, m.images.length, m.identities.length, m.pairs?.length], ['lfw-mini', 'folder', path.join(DATA_ROOT, 'lfw-mini'), 191, 120, 120]);
  assert.ok(stats[0].cacheFile?.startsWith(workspacePaths(cfg).manifests + path.sep));
  assert.ok(fs.existsSync(stats[0].cacheFile!));
  const again = await openDataset('lfw-mini', cfg, { scan: { onStats: (s) => stats.push(s) } });
  assert.deepEqual(stats.map((s) => s.probed), [191, 0]);
  assert.equal(again.hash, m.hash);
});

test('a folder with one image,label CSV is a CSV set; several are ambiguous; the file itself always works', async () => {
  const dir = tempDir();
  await jpeg(dir, 'train/a.jpg', [200, 0, 0]);
  put(dir, 'train.csv', 'image,label\na.jpg,0\n');
  put(dir, 'notes.csv', 'when,what\n2019,shot\n');
  const one = await detectDataset(dir);
  assert.deepEqual(one, { kind: 'csv', dir, csvPath: path.join(dir, 'train.csv') });
  const m = await openDataset(dir, cfgWith(), { unknownLabel: '1000' });
  assert.deepEqual([m.kind, m.root, m.images.map((r) => r.identity)], ['csv', path.join(dir, 'train'), ['0']]);

  put(dir, 'sample_submission.csv', 'image,label\nx.jpg,1000\n');
  await assert.rejects(detectDataset(dir), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /sample_submission\.csv, train\.csv/.test(e.message));
  assert.equal((await openDataset(path.join(dir, 'train.csv'), cfgWith())).images.length, 1);
  assert.equal((await detectDataset(dir, 'folder')).kind, 'folder', 'a kind override skips detection');
});

test('relative paths, kind overrides and options that do not fit the layout', async () => {
  const dir = tempDir();
  await jpeg(dir, 'ann/1.jpg', [1, 2, 3]);
  await jpeg(dir, 'ann/2.jpg', [4, 5, 6]);
  put(dir, 'pairs.csv', 'file_x,file_y,same\nann/1.jpg,ann/2.jpg,1\n');
  const rel = './' + path.relative(process.cwd(), dir);
  const m = await openDataset(rel, cfgWith());
  assert.deepEqual([m.kind, m.name, m.pairs?.length], ['folder', path.basename(dir), 1]);
  await assert.rejects(openDataset(dir, cfgWith(), { unknownLabel: '1000' }), { code: 'BAD_INPUT' });
  await assert.rejects(openDataset('lfw', cfgWith(), { unknownPath: dir }), { code: 'BAD_INPUT' });
  await assert.rejects(openDataset(dir, cfgWith(), { kind: 'csv' }), { code: 'BAD_INPUT' });
  put(dir, 'pairs.txt', 'ann 1 2\n');
  assert.equal((await detectDataset(dir)).kind, 'lfw', 'pairs.txt beside identity folders means LFW');
  assert.equal((await openDataset(dir, cfgWith(), { kind: 'folder' })).kind, 'folder');
  const file = put(dir, 'photo.jpg', 'x');
  await assert.rejects(openDataset(file, cfgWith()), { code: 'UNSUPPORTED' });
});
