import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { knownDigests, modelDigest } from '../../models/files.js';
import { sha256File } from '../../core/hash.js';
import { MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

test('a model is hashed once per process, yet a changed file is hashed again and caught', async () => {
  const file = path.join(tempWorkspace(), 'mobilefacenet.onnx');
  fs.copyFileSync(path.join(MODEL_ROOT, 'mobilefacenet.onnx'), file);
  const first = await modelDigest(file, 'onnx');
  assert.equal(first, await sha256File(file));
  assert.equal(knownDigests()[file]?.sha256, first, 'remembered, to hand to worker threads');
  assert.equal(await modelDigest(file, 'onnx'), first);
  fs.appendFileSync(file, Buffer.from([1]));
  const changed = await modelDigest(file, 'onnx');
  assert.notEqual(changed, first, 'a new size or mtime means a new hash');
  assert.equal(changed, await sha256File(file));
});
