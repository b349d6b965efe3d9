import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { workspacePaths } from '../../core/config.js';
import { openDataset } from '../../datasets/resolve.js';
import { decodeImage, DEFAULT_DECODE } from '../../datasets/image.js';
import { embedDataset } from '../../pipeline/embed-dataset.js';
import { EmbeddingCache } from '../../pipeline/embedding-cache.js';
import { pipelineCacheDir, type PipelineSpec } from '../../pipeline/spec.js';
import { getDetectorCard, getEmbedderCard } from '../../models/registry.js';
import { BAD_INPUT_OUTCOMES, writeBadInputSet } from '../helpers/bad-inputs.js';
import { testConfig, tempWorkspace } from '../helpers/shared.js';

function spec(model: string, over: Partial<PipelineSpec> = {}): PipelineSpec {
  const none = path.join(tempWorkspace(), 'models');
  return { embedder: getEmbedderCard(model, none), detector: getDetectorCard('scrfd-2.5g', none), policy: 'central-largest', decode: DEFAULT_DECODE, flip: false, ...over };
}

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

test('every awkward input gets its defined outcome and the run completes', async () => {
  const cfg = testConfig();
  const root = path.join(cfg.workspace, 'awkward-set');
  await writeBadInputSet(root);
  const manifest = await openDataset(root, cfg, {});
  const s = spec('mobilefacenet');
  const summary = await embedDataset(manifest, s, { embeddingsRoot: workspacePaths(cfg).embeddings, modelRoot: cfg.modelRoot, workers: 2 });
  const expectedOk = Object.values(BAD_INPUT_OUTCOMES).filter((o) => o === 'ok').length;
  assert.equal(summary.images, Object.keys(BAD_INPUT_OUTCOMES).length);
  assert.equal(summary.embedded, expectedOk);
  assert.equal(summary.fta.count, summary.images - expectedOk);
  assert.equal(summary.pending, 0);
  assert.deepEqual(
    Object.fromEntries(Object.entries(summary.fta.byReason).filter(([, n]) => n > 0)),
    { 'empty-file': 1, 'not-an-image': 1, truncated: 1, 'no-face': 1 },
  );
  assert.equal(summary.multiFace, 1, 'the group photo');

  const cache = EmbeddingCache.openForRead(pipelineCacheDir(workspacePaths(cfg).embeddings, s));
  const entryOf = (name: string) => {
    const rec = manifest.images.find((i) => i.path.endsWith(`/${name}`))!;
    return cache.get(rec.sha256);
  };
  for (const [name, outcome] of Object.entries(BAD_INPUT_OUTCOMES)) {
    const e = entryOf(name);
    if (outcome === 'ok') assert.equal(e?.status, 'ok', name);
    else assert.equal(e?.status === 'failed' && e.reason, outcome, name);
  }
  // The same face survives every re-encoding: grey PGM, GIF, CMYK, EXIF rotation, a 40 MP canvas.
  const ref = entryOf('gray.pgm');
  for (const name of ['anim.gif', 'cmyk.jpg', 'exif-rotated.jpg', 'huge-40mp.jpg', 'group.jpg']) {
    const e = entryOf(name);
    assert.ok(ref?.status === 'ok' && e?.status === 'ok');
    assert.ok(cos(ref.vector, e.vector) > 0.6, `${name} embeds as the same person (cos ${cos(ref.vector, e.vector).toFixed(3)})`);
  }
  const gray = entryOf('gray.pgm');
  assert.ok(gray?.status === 'ok' && gray.face.quality.grayscale);
  const rotated = await decodeImage(path.join(root, 'awkward', 'exif-rotated.jpg'));
  assert.deepEqual([rotated.originalWidth, rotated.originalHeight], [250, 220], 'EXIF orientation applied');
  const huge = entryOf('huge-40mp.jpg');
  assert.ok(huge?.status === 'ok' && huge.face.quality.imageWidth === 8000, 'quality fields in original pixels');

  // With a 20 MP cap the same 40 MP file is refused as too large; the policy "reject" refuses the group photo.
  const strict = await embedDataset(manifest, spec('mobilefacenet', { decode: { ...DEFAULT_DECODE, maxMegapixels: 20 }, policy: 'reject' }), {
    embeddingsRoot: workspacePaths(cfg).embeddings,
    modelRoot: cfg.modelRoot,
    workers: 1,
  });
  assert.equal(strict.fta.byReason['too-large'], 1);
  assert.equal(strict.fta.byReason['multiple-faces'], 1);
});

test('each shipped card separates same-identity from different-identity pairs on lfw-mini', async () => {
  const cfg = testConfig();
  const manifest = await openDataset('lfw-mini', cfg, {});
  assert.equal(manifest.pairs?.length, 120);
  for (const model of ['fr-feature', 'mobilefacenet', 'human-mobileface', 'ghostfacenet-w0.5-s2']) {
    const s = spec(model);
    const summary = await embedDataset(manifest, s, { embeddingsRoot: workspacePaths(cfg).embeddings, modelRoot: cfg.modelRoot, workers: 2 });
    assert.equal(summary.fta.count, 0, `${model}: every lfw-mini face is found`);
    const cache = EmbeddingCache.openForRead(summary.cacheDir);
    const vec = (p: string) => {
      const e = cache.get(manifest.images.find((i) => i.path === p)!.sha256);
      assert.ok(e?.status === 'ok');
      return e.vector;
    };
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (const p of manifest.pairs!) (p.same ? genuine : impostor).push(cos(vec(p.a), vec(p.b)));
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    // shared/README.md reports every one of these cards above 93% on LFW; here the means must sit well apart.
    assert.ok(mean(genuine) - mean(impostor) > 0.3, `${model}: genuine ${mean(genuine).toFixed(3)} vs impostor ${mean(impostor).toFixed(3)}`);
    for (const v of cache.entries.values()) if (v.status === 'ok') assert.ok(Math.abs(cos(v.vector, v.vector) - 1) < 1e-5, 'unit length');
  }
});

test('the second run is answered from the cache; flip changes the pipeline key', async () => {
  const cfg = testConfig();
  const manifest = await openDataset('lfw-mini', cfg, {});
  const deps = { embeddingsRoot: workspacePaths(cfg).embeddings, modelRoot: cfg.modelRoot, workers: 2 };
  const first = await embedDataset(manifest, spec('mobilefacenet'), deps);
  assert.equal(first.computed, manifest.images.length);
  const second = await embedDataset(manifest, spec('mobilefacenet'), deps);
  assert.equal(second.computed, 0);
  assert.equal(second.cached, manifest.images.length);
  assert.equal(second.embedded, first.embedded);
  assert.notEqual(pipelineCacheDir(deps.embeddingsRoot, spec('mobilefacenet', { flip: true })), first.cacheDir);
  assert.ok(fs.existsSync(path.join(first.cacheDir, 'settings.json')));
});

test('pre-aligned mode embeds 112×112 crops without detection, matching the detection path', async () => {
  const cfg = testConfig();
  const { acquireFace } = await import('../../models/acquire.js');
  const { loadModel } = await import('../../models/load.js');
  const sharp = (await import('sharp')).default;
  const s = spec('mobilefacenet');
  const det = await loadModel(s.detector!, { modelRoot: cfg.modelRoot, threads: 1 });
  const root = path.join(cfg.workspace, 'aligned');
  const people = ['Serena_Williams', 'Colin_Powell'];
  for (const name of people) {
    fs.mkdirSync(path.join(root, name), { recursive: true });
    for (const n of [1, 2]) {
      const f = await acquireFace(path.join(cfg.dataRoot, 'lfw', 'lfw-deepfunneled', name, `${name}_000${n}.jpg`), det, { decode: DEFAULT_DECODE, detect: {}, policy: 'central-largest', align: { size: 112, margin: 0 } });
      await sharp(f.aligned.data, { raw: { width: 112, height: 112, channels: 3 } }).png().toFile(path.join(root, name, `${n}.png`));
    }
  }
  const manifest = await openDataset(root, cfg, {});
  const summary = await embedDataset(manifest, spec('mobilefacenet', { detector: null }), { embeddingsRoot: workspacePaths(cfg).embeddings, modelRoot: cfg.modelRoot, workers: 1 });
  assert.equal(summary.detector, 'pre-aligned');
  assert.equal(summary.embedded, 4);
  const cache = EmbeddingCache.openForRead(summary.cacheDir);
  const vec = (p: string) => {
    const e = cache.get(manifest.images.find((i) => i.path === p)!.sha256);
    assert.ok(e?.status === 'ok' && e.face.faceCount === 1 && e.face.box === null);
    return e.vector;
  };
  assert.ok(cos(vec('Serena_Williams/1.png'), vec('Serena_Williams/2.png')) > cos(vec('Serena_Williams/1.png'), vec('Colin_Powell/1.png')) + 0.3);
});
