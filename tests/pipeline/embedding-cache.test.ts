import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { EmbeddingCache, decodeLog, encodeEntry, type CacheEntry } from '../../pipeline/embedding-cache.js';
import { tempWorkspace } from '../helpers/shared.js';

const sha = (i: number) => i.toString(16).padStart(64, '0');
const ok = (i: number): CacheEntry => ({
  status: 'ok',
  sha256: sha(i),
  vector: Float32Array.from({ length: 8 }, (_, k) => i + k / 8),
  face: { faceCount: 1 + (i % 2), box: { x1: 1, y1: 2, x2: 3, y2: 4 }, landmarks: [{ x: 1.5, y: 2.5 }], quality: { imageWidth: 250, imageHeight: 250, grayscale: false, detScore: 0.9, faceAreaRatio: 0.2, interEyeDistance: 40 } },
});
const failed = (i: number): CacheEntry => ({ status: 'failed', sha256: sha(i), reason: 'no-face', message: 'no face found' });
const desc = { key: 'k', settings: {} };

test('entries round-trip through the binary log exactly (float32, metadata, failures)', () => {
  const entries = [ok(1), failed(2), ok(3)];
  const scan = decodeLog(Buffer.concat(entries.map(encodeEntry)));
  assert.equal(scan.tornBytes, 0);
  assert.deepEqual(scan.entries.get(sha(1)), entries[0]);
  assert.deepEqual(scan.entries.get(sha(2)), entries[1]);
  assert.deepEqual([...(scan.entries.get(sha(3)) as { vector: Float32Array }).vector], [...(entries[2] as { vector: Float32Array }).vector]);
});

test('a torn last record is ignored by readers and cut off by the next writer; earlier ones survive', () => {
  const dir = tempWorkspace();
  const c = EmbeddingCache.openForWrite(dir, desc);
  c.append([ok(1), ok(2)]);
  c.close();
  const file = EmbeddingCache.logPath(dir);
  const whole = encodeEntry(ok(3));
  fs.appendFileSync(file, whole.subarray(0, whole.length - 7)); // a crash in the middle of a write
  const sizeTorn = fs.statSync(file).size;
  assert.equal(EmbeddingCache.openForRead(dir).entries.size, 2);
  const w = EmbeddingCache.openForWrite(dir, desc);
  assert.equal(w.repairedBytes, whole.length - 7);
  assert.equal(fs.statSync(file).size, sizeTorn - (whole.length - 7));
  w.append([ok(3)]);
  w.close();
  assert.deepEqual([...EmbeddingCache.openForRead(dir).entries.keys()].sort(), [sha(1), sha(2), sha(3)]);
});

test('a flipped byte inside a record costs that record only: the scan resynchronises on the next intact one', () => {
  const buf = Buffer.concat([ok(1), ok(2), ok(3)].map(encodeEntry));
  const first = encodeEntry(ok(1)).length;
  buf[first + 60] ^= 0xff;
  const scan = decodeLog(buf);
  assert.deepEqual([...scan.entries.keys()], [sha(1), sha(3)]);
  assert.deepEqual(scan.damaged, [{ offset: first, bytes: encodeEntry(ok(2)).length }]);
  assert.equal(scan.tornBytes, 0);
});

test('a writer repairs damage in the middle (atomically, keeping every intact record) and cuts garbage appended to a complete log', () => {
  const dir = tempWorkspace();
  const c = EmbeddingCache.openForWrite(dir, desc);
  c.append([ok(1), ok(2), ok(3), ok(4)]);
  c.close();
  const file = EmbeddingCache.logPath(dir);
  const bytes = fs.readFileSync(file);
  const one = encodeEntry(ok(1)).length;
  bytes[one + 100] ^= 0x5a; // inside record 2
  fs.writeFileSync(file, Buffer.concat([bytes, Buffer.from('garbage after a complete log')]));
  const w = EmbeddingCache.openForWrite(dir, desc);
  assert.deepEqual([...w.entries.keys()].sort(), [sha(1), sha(3), sha(4)]);
  assert.equal(w.repairedBytes, one + 'garbage after a complete log'.length, 'the damaged record and the garbage, nothing else');
  assert.equal(fs.statSync(file).size, 3 * one, 'only intact records are left in the file');
  w.append([ok(2)]); // the lost image, embedded again
  w.close();
  const back = EmbeddingCache.openForRead(dir);
  assert.deepEqual([...back.entries.keys()].sort(), [sha(1), sha(2), sha(3), sha(4)]);
  assert.equal(back.repairedBytes, 0);
});

test('a second writer is refused while the first lives; a dead writer\'s lock is taken over', async () => {
  const dir = tempWorkspace();
  const first = EmbeddingCache.openForWrite(dir, desc);
  assert.throws(() => EmbeddingCache.openForWrite(dir, desc), (e: Error & { code?: string }) => e.code === 'CONFLICT');
  first.close();
  // A process that held the lock and died (kill -9 leaves the lock file behind).
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  fs.writeFileSync(path.join(dir, 'entries.lock'), String(child.pid));
  assert.throws(() => EmbeddingCache.openForWrite(dir, desc), (e: Error & { code?: string }) => e.code === 'CONFLICT');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const again = EmbeddingCache.openForWrite(dir, desc);
  again.close();
});
