import { test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { defaultImagesDir, imageLabelColumns, loadCsvDataset, parseCsv } from '../../datasets/csv.js';
import type { DatasetManifest, ProblemKind } from '../../datasets/manifest.js';
import { jpeg, put, tempDir } from './fixtures.js';

const problemsOf = (m: DatasetManifest, kind: ProblemKind) => m.problems.filter((p) => p.kind === kind).map((p) => p.path).sort();

test('parseCsv handles quotes, escaped quotes, CRLF, embedded newlines, BOM and blank lines', () => {
  const rows = parseCsv('\uFEFFimage,label\r\n"a,b.jpg",1\r\n\r\n"say ""hi"".jpg",2\n"two\nlines.jpg",3\nplain,4');
  assert.deepEqual(rows, [
    { line: 1, fields: ['image', 'label'] },
    { line: 2, fields: ['a,b.jpg', '1'] },
    { line: 4, fields: ['say "hi".jpg', '2'] },
    { line: 5, fields: ['two\nlines.jpg', '3'] },
    { line: 7, fields: ['plain', '4'] },
  ]);
  const broken = parseCsv('image,label\n"never closed,1\n');
  assert.equal(broken[1].error, 'unterminated quoted field');
  assert.equal(broken[1].line, 2);
  assert.deepEqual(parseCsv('a,,c\n'), [{ line: 1, fields: ['a', '', 'c'] }]);
});

test('imageLabelColumns finds the columns in any order and case', () => {
  assert.deepEqual(imageLabelColumns([' Label ', 'x', 'IMAGE']), { image: 2, label: 0 });
  assert.equal(imageLabelColumns(['file_x', 'file_y', 'same']), undefined);
});

async function writeAivivnSet(dir: string): Promise<void> {
  await jpeg(dir, 'train/a.jpg', [200, 10, 10]);
  await jpeg(dir, 'train/b.jpg', [10, 200, 10]);
  await jpeg(dir, 'train/c.jpg', [10, 10, 200]);
  await jpeg(dir, 'train/u1.jpg', [100, 10, 10]);
  await jpeg(dir, 'train/u2.jpg', [10, 100, 10]);
  await jpeg(dir, 'train/we,ird.jpg', [10, 10, 100]);
  // A real image one level up: if the traversal row were followed it would load fine.
  await jpeg(dir, 'secret.jpg', [1, 2, 3]);
  put(dir, 'train.csv', [
    'image,label', // 1
    'a.jpg,0', // 2
    'b.jpg,0', // 3
    'c.jpg,1', // 4
    'u1.jpg,1000', // 5
    'u2.jpg,1000', // 6
    '"we,ird.jpg",2', // 7
    'missing.jpg,3', // 8
    '../secret.jpg,4', // 9
    '../../etc/passwd,4', // 10
    '/etc/passwd,4', // 11
    'onlyonefield', // 12
    'a.jpg,5', // 13
    'd.jpg,', // 14
    '"unterminated,5', // 15
  ].join('\n'));
}

test('aivivn-style CSV: labels, unknown label, bad rows, missing files and traversal refused', async () => {
  const dir = tempDir();
  await writeAivivnSet(dir);
  const m = await loadCsvDataset(path.join(dir, 'train.csv'), { unknownLabel: '1000' });
  assert.equal(m.kind, 'csv');
  assert.equal(m.root, path.join(dir, 'train'), 'train/ next to train.csv holds the images');
  assert.equal(m.name, `${path.basename(dir)}-train`);
  assert.deepEqual(m.images.map((r) => `${r.path}|${r.identity}|${r.unknown}`), [
    'a.jpg|0|false',
    'b.jpg|0|false',
    'c.jpg|1|false',
    'u1.jpg|unknown:u1.jpg|true',
    'u2.jpg|unknown:u2.jpg|true',
    'we,ird.jpg|2|false',
  ]);
  assert.ok(m.images.every((r) => r.width === 40 && r.height === 30 && r.format === 'jpeg'));
  assert.ok(!m.images.some((r) => r.path.includes('secret') || r.path.includes('passwd')));
  assert.deepEqual(problemsOf(m, 'bad-row'), ['train.csv:10', 'train.csv:11', 'train.csv:12', 'train.csv:13', 'train.csv:14', 'train.csv:15', 'train.csv:9']);
  const missing = m.problems.filter((p) => p.kind === 'missing-file');
  assert.deepEqual(missing.map((p) => p.path), ['missing.jpg']);
  assert.match(missing[0].message, /train\.csv:8/);
  assert.deepEqual(problemsOf(m, 'single-image-identity'), ['c.jpg', 'we,ird.jpg']);
  assert.equal(m.problems.length, 10);
  assert.deepEqual(m.identities.map((i) => [i.name, i.images, i.unknown]), [
    ['0', 2, false], ['1', 1, false], ['2', 1, false], ['unknown:u1.jpg', 1, true], ['unknown:u2.jpg', 1, true],
  ]);
});

test('without an unknown label every label is an enrolled identity', async () => {
  const dir = tempDir();
  await writeAivivnSet(dir);
  const m = await loadCsvDataset(path.join(dir, 'train.csv'));
  assert.deepEqual(m.identities.find((i) => i.name === '1000'), { name: '1000', images: 2, unknown: false });
  assert.equal(m.images.filter((r) => r.unknown).length, 0);
});

test('images folder rule: <stem>/, images/, train/ when they hold the first image, else the CSV folder', async () => {
  const dir = tempDir();
  await jpeg(dir, 'images/x.jpg', [5, 5, 5]);
  put(dir, 'prefixed.csv', 'image,label\nimages/x.jpg,7\n');
  put(dir, 'bare.csv', 'image,label\nx.jpg,7\n');
  await jpeg(dir, 'test/y.jpg', [6, 6, 6]);
  put(dir, 'test.csv', 'label,image\n8,y.jpg\n');
  assert.equal(await defaultImagesDir(path.join(dir, 'prefixed.csv'), 'images/x.jpg'), dir);
  assert.equal(await defaultImagesDir(path.join(dir, 'bare.csv'), 'x.jpg'), path.join(dir, 'images'));
  assert.equal(await defaultImagesDir(path.join(dir, 'test.csv'), 'y.jpg'), path.join(dir, 'test'));
  const prefixed = await loadCsvDataset(path.join(dir, 'prefixed.csv'));
  assert.deepEqual([prefixed.root, prefixed.images.map((r) => r.path)], [dir, ['images/x.jpg']]);
  const bare = await loadCsvDataset(path.join(dir, 'bare.csv'));
  assert.deepEqual([bare.root, bare.images.map((r) => r.path), bare.problems.length], [path.join(dir, 'images'), ['x.jpg'], 1]);
  const explicit = await loadCsvDataset(path.join(dir, 'bare.csv'), { imagesDir: 'test' });
  assert.deepEqual(explicit.problems.map((p) => [p.kind, p.path]), [['missing-file', 'x.jpg']]);
  await assert.rejects(loadCsvDataset(path.join(dir, 'bare.csv'), { imagesDir: 'nowhere' }), { code: 'NOT_FOUND' });
});

test('a CSV without an image,label header is refused as a whole', async () => {
  const dir = tempDir();
  put(dir, 'noheader.csv', 'x.jpg,7\ny.jpg,8\n');
  put(dir, 'empty.csv', '');
  await assert.rejects(loadCsvDataset(path.join(dir, 'noheader.csv')), { code: 'BAD_INPUT' });
  await assert.rejects(loadCsvDataset(path.join(dir, 'empty.csv')), { code: 'BAD_INPUT' });
  await assert.rejects(loadCsvDataset(path.join(dir, 'absent.csv')), { code: 'NOT_FOUND' });
});
