import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readRunScores } from '../../runs/scores.js';
import { tempWorkspace } from '../helpers/shared.js';
import type { FrwError } from '../../core/errors.js';

const bytes = (a: Int32Array | Float32Array | Uint8Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

// Hand-made run folders in the three layouts writeRunFolder and spillScores produce.
test('scores.csv: exact float32 scores, fta left out, names kept', () => {
  const dir = tempWorkspace();
  const s = Math.fround(0.123456789);
  fs.writeFileSync(path.join(dir, 'scores.csv'), `image_a,image_b,same,score_m\n"a,1.jpg",b.jpg,1,${s}\nc.jpg,d.jpg,0,fta\ne.jpg,f.jpg,0,-0.25\n`);
  const r = readRunScores(dir, 'm');
  assert.deepEqual([...r.sorted.genuine], [s]);
  assert.deepEqual([...r.sorted.impostor], [-0.25]);
  assert.deepEqual(r.pairs!.a, ['a,1.jpg', 'c.jpg', 'e.jpg']);
  assert.throws(() => readRunScores(dir, 'other'), (e: FrwError) => e.code === 'NOT_FOUND' && /it has m/.test(e.message));
});

test('binary pairs: indices named through the manifest paths when given, #index otherwise', () => {
  const dir = tempWorkspace();
  fs.writeFileSync(path.join(dir, 'pairs.i32'), bytes(Int32Array.from([0, 1, 2, 0])));
  fs.writeFileSync(path.join(dir, 'same.u8'), bytes(Uint8Array.from([1, 0])));
  fs.writeFileSync(path.join(dir, 'scores-m.f32'), bytes(Float32Array.from([0.5, 0.75])));
  const named = readRunScores(dir, 'm', ['x.jpg', 'y.jpg', 'z.jpg']);
  assert.deepEqual([named.pairs!.a, named.pairs!.b], [['x.jpg', 'z.jpg'], ['y.jpg', 'x.jpg']]);
  assert.deepEqual([...named.sorted.impostor], [0.75]);
  assert.deepEqual(readRunScores(dir, 'm').pairs!.a, ['#0', '#2']);
  fs.writeFileSync(path.join(dir, 'same.u8'), bytes(Uint8Array.from([1, 0, 1])));
  assert.throws(() => readRunScores(dir, 'm'), (e: FrwError) => e.code === 'INTEGRITY');
});

test('streamed all-pairs: scores without pairs, and the reason there are no pairs to show', () => {
  const dir = tempWorkspace();
  fs.writeFileSync(path.join(dir, 'genuine-m.f32'), bytes(Float32Array.from([0.5, 0.25])));
  fs.writeFileSync(path.join(dir, 'impostor-m.f32'), bytes(Float32Array.from([0, 0.125, -0.5])));
  const r = readRunScores(dir, 'm');
  assert.deepEqual([[...r.sorted.genuine], [...r.sorted.impostor]], [[0.25, 0.5], [-0.5, 0, 0.125]]);
  assert.equal(r.pairs, null);
  assert.match(r.pairsUnavailable!, /streamed/);
  assert.throws(() => readRunScores(dir, 'x'), (e: FrwError) => e.code === 'NOT_FOUND');
});
