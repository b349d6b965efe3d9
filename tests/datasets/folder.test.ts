import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadFolderDataset, parsePairsCsv } from '../../datasets/folder.js';
import type { DatasetManifest, ProblemKind } from '../../datasets/manifest.js';
import type { ScanStats } from '../../datasets/scan.js';
import { DATA_ROOT } from '../helpers/shared.js';
import { jpeg, pgm, put, tempDir } from './fixtures.js';

const problemsOf = (m: DatasetManifest, kind: ProblemKind) => m.problems.filter((p) => p.kind === kind).map((p) => p.path).sort();

test('five-celeb: 5 identities, 118 images, one PNG named .jpg, no problems', async () => {
  const m = await loadFolderDataset(path.join(DATA_ROOT, 'five-celeb'));
  assert.equal(m.kind, 'folder');
  assert.equal(m.name, 'five-celeb');
  assert.equal(m.images.length, 118);
  assert.deepEqual(m.identities.map((i) => [i.name, i.images]), [
    ['ben_afflek', 19], ['elton_john', 22], ['jerry_seinfeld', 26], ['madonna', 24], ['mindy_kaling', 27],
  ]);
  assert.deepEqual(m.problems, []);
  assert.equal(m.images.filter((r) => r.format === 'png').length, 1);
  assert.equal(m.images.filter((r) => r.grayscale).length, 6);
  assert.equal(m.pairs, undefined);
});

test('lfw-mini: 120 identities, 191 images, 80 single-image problems, 120 pairs from pairs.csv', async () => {
  const m = await loadFolderDataset(path.join(DATA_ROOT, 'lfw-mini'));
  assert.equal(m.images.length, 191);
  assert.equal(m.identities.length, 120);
  assert.ok(m.images.every((r) => !r.unknown && r.width === 250 && r.height === 250 && r.format === 'jpeg'));
  assert.equal(problemsOf(m, 'single-image-identity').length, 80);
  assert.equal(m.problems.length, 80, 'no other problems');
  assert.equal(m.pairsSource, 'pairs.csv');
  assert.equal(m.pairs?.length, 120);
  assert.equal(m.pairs?.filter((p) => p.same).length, 60);
  assert.deepEqual(m.pairs?.[0], { a: 'Abel_Pacheco/Abel_Pacheco_0001.jpg', b: 'Abel_Pacheco/Abel_Pacheco_0004.jpg', same: true });
  const again = await loadFolderDataset(path.join(DATA_ROOT, 'lfw-mini'));
  assert.equal(again.hash, m.hash, 'the hash is a pure function of the data');
});

async function writeFolderSet(root: string): Promise<void> {
  await jpeg(root, 'alice/1.jpg', [200, 0, 0]);
  await jpeg(root, 'alice/2.jpg', [0, 200, 0]);
  await jpeg(root, 'alice/session2/3.jpg', [0, 0, 200]);
  put(root, 'alice/notes.txt', 'shot in 2019');
  put(root, 'alice/.DS_Store', 'junk');
  await jpeg(root, 'bob/1.jpg', [50, 60, 70]);
  put(root, 'bob/zero.jpg', '');
  put(root, 'bob/fake.jpg', 'this is a text file\n');
  pgm(root, 'bob/face.pgm');
  fs.copyFileSync(path.join(root, 'alice/1.jpg'), path.join(root, 'carol.jpg'));
  fs.mkdirSync(path.join(root, 'carol'));
  fs.renameSync(path.join(root, 'carol.jpg'), path.join(root, 'carol/1.jpg'));
  await jpeg(root, 'dave/only.jpg', [90, 90, 10]);
  await jpeg(root, 'unknown/flat1.jpg', [1, 100, 200]);
  await jpeg(root, 'unknown/erin/1.jpg', [2, 100, 200]);
  await jpeg(root, 'unknown/erin/2.jpg', [3, 100, 200]);
  await jpeg(root, 'stray.jpg', [4, 4, 4]);
  put(root, 'README.txt', 'about this set');
  await jpeg(root, '.cache/x.jpg', [5, 5, 5]);
  put(root, 'pairs.csv', [
    'file_x,file_y,same',
    'alice/1.jpg,alice/2.jpg,1',
    '"alice/1.jpg",bob/1.jpg,false',
    'alice/1.jpg,ghost/1.jpg,1',
    '../outside.jpg,alice/1.jpg,0',
    'alice/1.jpg,bob/1.jpg,maybe',
    '',
  ].join('\r\n'));
}

test('folder set: identities, unknown folder, broken files, strays, duplicates and pairs', async () => {
  const root = tempDir();
  await writeFolderSet(root);
  const m = await loadFolderDataset(root, { name: 'fixture' });
  assert.equal(m.root, root);
  assert.deepEqual(m.images.map((r) => `${r.path}|${r.identity}|${r.unknown}`), [
    'alice/1.jpg|alice|false',
    'alice/2.jpg|alice|false',
    'alice/session2/3.jpg|alice|false',
    'bob/1.jpg|bob|false',
    'bob/face.pgm|bob|false',
    'bob/fake.jpg|bob|false',
    'bob/zero.jpg|bob|false',
    'carol/1.jpg|carol|false',
    'dave/only.jpg|dave|false',
    'unknown/erin/1.jpg|erin|true',
    'unknown/erin/2.jpg|erin|true',
    'unknown/flat1.jpg|unknown:unknown/flat1.jpg|true',
  ]);
  assert.deepEqual(m.identities.map((i) => [i.name, i.images, i.unknown]), [
    ['alice', 3, false], ['bob', 4, false], ['carol', 1, false], ['dave', 1, false], ['erin', 2, true], ['unknown:unknown/flat1.jpg', 1, true],
  ]);
  const pgmRow = m.images.find((r) => r.path === 'bob/face.pgm')!;
  assert.deepEqual([pgmRow.format, pgmRow.width, pgmRow.height, pgmRow.grayscale], ['pnm', 6, 4, true]);
  const fake = m.images.find((r) => r.path === 'bob/fake.jpg')!;
  assert.deepEqual([fake.width, fake.format], [0, ''], 'unreadable files stay in as rows');

  assert.deepEqual(problemsOf(m, 'stray-file'), ['alice/notes.txt', 'stray.jpg']);
  assert.deepEqual(problemsOf(m, 'empty-file'), ['bob/zero.jpg']);
  assert.deepEqual(problemsOf(m, 'not-an-image'), ['bob/fake.jpg']);
  assert.deepEqual(problemsOf(m, 'duplicate-image'), ['carol/1.jpg']);
  assert.deepEqual(problemsOf(m, 'single-image-identity'), ['carol/1.jpg', 'dave/only.jpg'], 'unknown people are never flagged');
  assert.deepEqual(problemsOf(m, 'missing-file'), ['ghost/1.jpg']);
  assert.deepEqual(problemsOf(m, 'bad-row'), ['pairs.csv:5', 'pairs.csv:6']);
  assert.equal(m.problems.length, 10);
  assert.deepEqual(m.pairs, [
    { a: 'alice/1.jpg', b: 'alice/2.jpg', same: true },
    { a: 'alice/1.jpg', b: 'bob/1.jpg', same: false },
  ]);
});

test('a second unknown path outside the set moves the root to the common parent', async () => {
  const top = tempDir();
  await jpeg(top, 'train/alice/1.jpg', [10, 0, 0]);
  await jpeg(top, 'train/alice/2.jpg', [20, 0, 0]);
  put(top, 'train/pairs.csv', 'file_x,file_y,same\nalice/1.jpg,alice/2.jpg,1\n');
  await jpeg(top, 'test/x.jpg', [30, 0, 0]);
  await jpeg(top, 'test/zoe/1.jpg', [40, 0, 0]);
  const m = await loadFolderDataset(path.join(top, 'train'), { unknownPath: path.join(top, 'test') });
  assert.equal(m.root, top);
  assert.equal(m.name, 'train');
  assert.deepEqual(m.images.map((r) => `${r.path}|${r.identity}|${r.unknown}`), [
    'test/x.jpg|unknown:test/x.jpg|true',
    'test/zoe/1.jpg|zoe|true',
    'train/alice/1.jpg|alice|false',
    'train/alice/2.jpg|alice|false',
  ]);
  assert.deepEqual(m.pairs, [{ a: 'train/alice/1.jpg', b: 'train/alice/2.jpg', same: true }]);
  assert.deepEqual(m.problems, []);
});

test('an unknown path inside the set must be one of its top-level folders; unrelated roots are refused', async () => {
  const root = tempDir();
  await jpeg(root, 'alice/1.jpg', [10, 0, 0]);
  await jpeg(root, 'strangers/a.jpg', [20, 0, 0]);
  await jpeg(root, 'alice/deep/b.jpg', [30, 0, 0]);
  const m = await loadFolderDataset(root, { unknownPath: path.join(root, 'strangers') });
  assert.deepEqual(m.identities.map((i) => [i.name, i.unknown]), [['alice', false], ['unknown:strangers/a.jpg', true]]);
  await assert.rejects(loadFolderDataset(root, { unknownPath: path.join(root, 'alice/deep') }), { code: 'BAD_INPUT' });
  await assert.rejects(loadFolderDataset(root, { unknownPath: path.join(root, 'nope') }), { code: 'NOT_FOUND' });
  // /tmp/... and the shared data share only the filesystem root.
  await assert.rejects(loadFolderDataset(root, { unknownPath: path.join(DATA_ROOT, 'five-celeb') }), { code: 'BAD_INPUT' });
  await assert.rejects(loadFolderDataset(path.join(root, 'absent')), { code: 'NOT_FOUND' });
});

test('a folder set re-scanned through the workspace cache probes nothing', async () => {
  const root = tempDir();
  await writeFolderSet(root);
  const cfg = { workspace: tempDir('frw-ws-') };
  const seen: ScanStats[] = [];
  const a = await loadFolderDataset(root, { scan: { cfg, onStats: (s) => seen.push(s) } });
  const b = await loadFolderDataset(root, { scan: { cfg, onStats: (s) => seen.push(s) } });
  assert.deepEqual(seen.map((s) => [s.files, s.probed, s.cached]), [[12, 12, 0], [12, 0, 12]]);
  assert.deepEqual(b, a);
});

test('parsePairsCsv needs its header and refuses paths that leave the root', () => {
  const none = parsePairsCsv('a,b,c\nx.jpg,y.jpg,1\n', 'pairs.csv', '/data/set');
  assert.deepEqual([none.pairs.length, none.problems.map((p) => p.path)], [0, ['pairs.csv:1']]);
  const r = parsePairsCsv('same,file_y,file_x\nyes,b/1.jpg,a/1.jpg\n0,/etc/passwd,a/1.jpg\n1,./b/./2.jpg,a/1.jpg\n', 'pairs.csv', '/data/set', 'train');
  assert.deepEqual(r.pairs, [
    { a: 'train/a/1.jpg', b: 'train/b/1.jpg', same: true },
    { a: 'train/a/1.jpg', b: 'train/b/2.jpg', same: true },
  ]);
  assert.deepEqual(r.problems.map((p) => [p.kind, p.path]), [['bad-row', 'pairs.csv:3']]);
});
