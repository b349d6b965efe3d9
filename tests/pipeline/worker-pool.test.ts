import assert from 'node:assert/strict';
import { test } from 'vitest';
import { DEFAULT_DECODE } from '../../datasets/image.js';
import { getEmbedderCard } from '../../models/registry.js';
import { WorkerPool } from '../../pipeline/worker-pool.js';
import { lfwImage, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

const spec = { embedder: getEmbedderCard('mobilefacenet', tempWorkspace()), detector: null, policy: 'central-largest' as const, decode: DEFAULT_DECODE, flip: false };
const job = (name: string, n: number) => ({ sha256: `${n}`.padStart(64, '0'), image: lfwImage(name, n) });
const chunks = [1, 2, 3, 4].map((n) => [job('Colin_Powell', n)]);

test('every chunk is delivered once, in completion order, with the next chunk handed out before the last is written', async () => {
  const pool = await WorkerPool.start(1, { spec, modelRoot: MODEL_ROOT });
  try {
    const got: string[] = [];
    await pool.map(chunks, (r) => got.push(...r.entries.map((e) => e.sha256)));
    assert.deepEqual(got, chunks.flat().map((j) => j.sha256));
  } finally {
    await pool.close();
  }
});

test('once a result cannot be written, map rejects and no later chunk is delivered, although one was already handed out', async () => {
  const pool = await WorkerPool.start(1, { spec, modelRoot: MODEL_ROOT });
  try {
    let calls = 0;
    const run = pool.map(chunks, () => {
      calls++;
      throw new Error('disk full');
    });
    await assert.rejects(run, /disk full/);
    await new Promise((r) => setTimeout(r, 1500)); // the chunk handed out ahead finishes in the worker meanwhile
    assert.equal(calls, 1);
  } finally {
    await pool.close();
  }
});
