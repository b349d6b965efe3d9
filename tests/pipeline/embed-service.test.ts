import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { EmbedService } from '../../pipeline/embed-service.js';
import { embedImages } from '../../pipeline/embed-batch.js';
import { pipelineSpecs } from '../../pipeline/specs.js';
import { loadModel } from '../../models/load.js';
import { sha256Hex } from '../../core/hash.js';
import { MODEL_ROOT, lfwImage, testConfig } from '../helpers/shared.js';
import type { FrwError } from '../../core/errors.js';

const cfg = testConfig();
const [spec] = pipelineSpecs({ models: 'mobilefacenet', detector: 'scrfd-2.5g', policy: 'central-largest', flip: false, maxMegapixels: '50', workingSize: '1600' }, cfg);
const bytes = new Uint8Array(fs.readFileSync(lfwImage('Serena_Williams', 2)));

test('a served image gets the entry dataset embedding gives it; a non-image gets its failure reason', async () => {
  const svc = await EmbedService.start(1, { spec, modelRoot: MODEL_ROOT });
  const embedder = await loadModel(spec.embedder, { modelRoot: MODEL_ROOT, threads: 1 });
  const detector = await loadModel(spec.detector!, { modelRoot: MODEL_ROOT, threads: 1 });
  try {
    const [here] = await embedImages([{ sha256: sha256Hex(bytes), image: bytes }], embedder, detector, spec);
    const served = await svc.embed(bytes, sha256Hex(bytes));
    assert.deepEqual(served, here, 'same vector bits, box, landmarks and quality');
    const junk = await svc.embed(new TextEncoder().encode('not an image'), 'x');
    assert.deepEqual([junk.status, junk.status === 'failed' && junk.reason], ['failed', 'not-an-image']);
  } finally {
    await svc.close();
    await embedder.session.dispose();
    await detector.session.dispose();
  }
});

test('a worker that dies fails its requests in words, is replaced, and the service answers again', async () => {
  const svc = await EmbedService.start(1, { spec, modelRoot: MODEL_ROOT });
  try {
    // Reach the worker to kill it, as a crash would.
    const worker = (svc as unknown as { slots: Array<{ worker: Worker }> }).slots[0].worker;
    const inFlight = svc.embed(bytes, sha256Hex(bytes));
    await worker.terminate();
    await assert.rejects(inFlight, (e: FrwError) => e.code === 'INTERNAL' && /embedding worker stopped/.test(e.message));
    let answered = null;
    for (let i = 0; i < 100 && !answered; i++) {
      await new Promise((r) => setTimeout(r, 100));
      answered = await svc.embed(bytes, sha256Hex(bytes)).catch(() => null);
    }
    assert.equal(answered?.status, 'ok', 'a replacement worker answers');
  } finally {
    await svc.close();
  }
});
