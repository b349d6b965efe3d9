import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { FrwError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { openDataset } from '../../datasets/resolve.js';
import { embedDataset } from '../../pipeline/embed-dataset.js';
import { openImageEmbedder } from '../../pipeline/image-embedder.js';
import { pipelineSpecs } from '../../pipeline/specs.js';
import { pipelineCacheDir, type PipelineSpec } from '../../pipeline/spec.js';
import { workspacePaths } from '../../core/config.js';
import { MODEL_ROOT, lfwImage, testConfig } from '../helpers/shared.js';

const cfg = testConfig();
const flags = { models: 'mobilefacenet', detector: 'scrfd-500m', policy: 'central-largest', flip: false, maxMegapixels: '50', workingSize: '1600' };
const [good] = pipelineSpecs(flags, cfg);
// SCRFD-500M has a fixed 640×640 input: fed 320×320 its inference fails on every image, whatever the image is.
const faulty: PipelineSpec = { ...good, detSize: [320, 320] };
const photo = new Uint8Array(fs.readFileSync(lfwImage('Serena_Williams', 2)));
const junk = new TextEncoder().encode('not an image');

/** The error an embedder gives for one image, as code and message (what a request or a run reports). */
async function faultOf(workers: number, image: Uint8Array) {
  const e = await openImageEmbedder(faulty, MODEL_ROOT, workers);
  try {
    await e.embed(image, sha256Hex(image));
    return null;
  } catch (err) {
    assert.ok(err instanceof FrwError, 'an FrwError with a code');
    return { code: err.code, message: err.message };
  } finally {
    await e.close();
  }
}

test('a detector fault is the same error in-thread and on workers, never a failure to acquire', async () => {
  const here = await faultOf(0, photo);
  const worker = await faultOf(1, photo);
  assert.ok(here, 'in-thread: the fault throws');
  assert.notEqual(here.code, 'BAD_INPUT', 'not a failure to acquire');
  assert.deepEqual(worker, here, 'on a worker: the same code and message');
  // An image that cannot give a face is still a counted failure, on both paths, before any inference.
  for (const workers of [0, 1]) {
    const e = await openImageEmbedder(faulty, MODEL_ROOT, workers);
    try {
      const entry = await e.embed(junk, sha256Hex(junk));
      assert.deepEqual([entry.status, entry.status === 'failed' && entry.reason], ['failed', 'not-an-image'], `workers=${workers}`);
    } finally {
      await e.close();
    }
  }
});

test('a detector fault fails a dataset run loudly and caches nothing about its images', async () => {
  const manifest = await openDataset('lfw-mini', cfg);
  const deps = { embeddingsRoot: workspacePaths(cfg).embeddings, modelRoot: MODEL_ROOT, workers: 1 };
  await assert.rejects(embedDataset(manifest, faulty, deps), (e: FrwError) => e.code !== 'BAD_INPUT' && /640|dimension|expects/i.test(e.message));
  const log = `${pipelineCacheDir(deps.embeddingsRoot, faulty)}/entries.bin`;
  assert.equal(fs.existsSync(log) ? fs.statSync(log).size : 0, 0, 'no entry was cached for any image');
  // The same images through the right input size embed (the fault was the pipeline's, not the images').
  const ok = await embedDataset(manifest, good, { ...deps, workers: 2 });
  assert.equal(ok.embedded + ok.fta.count, manifest.images.length);
  assert.ok(ok.embedded > 180);
});

test('an abandoned request stops: in-thread before its next stage, on workers at once (and the worker is told)', async () => {
  for (const workers of [0, 1]) {
    const e = await openImageEmbedder(good, MODEL_ROOT, workers);
    try {
      const gone = new AbortController();
      gone.abort();
      await assert.rejects(e.embed(photo, sha256Hex(photo), gone.signal), (err: FrwError) => err.code === 'CANCELLED', `workers=${workers}, aborted before`);
      // Aborted while it runs: answered CANCELLED, and the embedder still serves the next request.
      const mid = new AbortController();
      const running = e.embed(photo, sha256Hex(photo), mid.signal);
      mid.abort();
      await assert.rejects(running, (err: FrwError) => err.code === 'CANCELLED', `workers=${workers}, aborted during`);
      const next = await e.embed(photo, sha256Hex(photo));
      assert.equal(next.status, 'ok', `workers=${workers}: still serving`);
    } finally {
      await e.close();
    }
  }
});
