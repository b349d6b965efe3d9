/**
 * Faces per second for each embedder card through our stages (resize check → card preprocessing → session run →
 * L2 normalisation) against the bare runtime fed the very same pre-built tensors, in the same process. The ratio
 * is the cost of our stages. Then, per card, faces/s with 1 and 2 embedding workers on the same aligned crops
 * (a pre-aligned dataset: decode → embed), and whole-pipeline images/s (decode → detect → align → embed).
 *
 *   npm run bench            (or: node --import tsx bench/embed-throughput.ts [--faces N])
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DEFAULT_DECODE } from '../datasets/image.js';
import { acquireFace } from '../models/acquire.js';
import { embedderInputSize, type EmbedderCard } from '../models/card.js';
import { embedFaces } from '../models/embedder.js';
import { loadModel } from '../models/load.js';
import { getDetectorCard, listCards } from '../models/registry.js';
import { createKerasSession } from '../models/runtime/keras.js';
import { createTfjsSession } from '../models/runtime/tfjs.js';
import sharp from 'sharp';
import { writePixels } from '../models/tensor.js';
import { embedDataset } from '../pipeline/embed-dataset.js';
import { openDataset } from '../datasets/resolve.js';
import { resolveConfig } from '../core/config.js';
import { record } from './results.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--faces', 96);
const cfg = resolveConfig({ workspace: fs.mkdtempSync(path.join(os.tmpdir(), 'frw-bench-')), threads: 2 }, process.env);
const noUser = path.join(cfg.workspace, 'models');

// N aligned faces from lfw-mini, acquired once.
const lfwMini = path.join(cfg.dataRoot, 'lfw-mini');
const files = fs.readdirSync(lfwMini).filter((d) => fs.statSync(path.join(lfwMini, d)).isDirectory()).sort()
  .flatMap((d) => fs.readdirSync(path.join(lfwMini, d)).map((f) => path.join(lfwMini, d, f))).slice(0, N);
const det = await loadModel(getDetectorCard('scrfd-2.5g', noUser), { modelRoot: cfg.modelRoot, threads: 1 });
const faces: import("../datasets/image.js").RgbImage[] = [];
for (const f of files) faces.push((await acquireFace(f, det, { decode: DEFAULT_DECODE, detect: {}, policy: 'central-largest', align: { size: 112, margin: 0 } })).aligned);

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: first runs allocate
  const reps = 3;
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return best / 1000;
}

interface Row { card: string; runtime: string; dim: number; msPerFace: number; oursFacesPerSec: number; bareFacesPerSec: number; ratio: number; workers1?: number; workers2?: number }
const rows: Row[] = [];
for (const { card } of listCards(noUser)) {
  if (card.task !== 'embedding') continue;
  const model = await loadModel(card as EmbedderCard, { modelRoot: cfg.modelRoot, threads: 1 });
  const c = card as EmbedderCard;
  const { width, height } = embedderInputSize(c);
  const per = width * height * 3;
  const tensors = faces.map((f) => {
    const t = new Float32Array(per);
    writePixels(f, c.input, t, 0);
    return t;
  });
  const shape = [1, ...c.input.shape.slice(1)];
  let bare: () => Promise<unknown>;
  if (c.format === 'onnx') {
    const s = await ort.InferenceSession.create(model.file, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    bare = async () => {
      for (const t of tensors) await s.run({ [c.input.name]: new ort.Tensor('float32', t, shape) });
    };
  } else {
    // The same runtime our stages use, without them: TF.js graph/layers, or the Keras graph built on TF.js.
    const s = c.format === 'keras-h5' ? await createKerasSession(model.file, { threads: 1, architecture: c.architecture }) : await createTfjsSession(model.file, { threads: 1 });
    bare = async () => {
      for (let i = 0; i < tensors.length; i += 16) {
        const chunk = tensors.slice(i, i + 16);
        const data = new Float32Array(chunk.length * per);
        chunk.forEach((t, k) => data.set(t, k * per));
        await s.run({ [c.input.name]: { data, dims: [chunk.length, ...c.input.shape.slice(1)] } }, [c.output.name]);
      }
    };
  }
  const tOurs = await timeIt(() => embedFaces(model, faces, { flip: false }));
  const tBare = await timeIt(bare);
  rows.push({ card: c.id, runtime: model.session.runtime, dim: c.output.dim, msPerFace: (1000 * tOurs) / N, oursFacesPerSec: N / tOurs, bareFacesPerSec: N / tBare, ratio: tBare / tOurs });
  await model.session.dispose();
}

// The same crops as a pre-aligned dataset (one folder per face, PNG: lossless), embedded by 1 and then 2 workers.
// Each crop is written COPIES times with one pixel changed (the cache dedupes identical bytes), so the run is long
// enough that starting the workers (loading the model in each) is a small part of it.
const COPIES = 8;
const alignedDir = path.join(cfg.workspace, 'aligned');
for (const [i, f] of faces.entries()) {
  fs.mkdirSync(path.join(alignedDir, `face${i}`), { recursive: true });
  for (let k = 0; k < COPIES; k++) {
    const data = Buffer.from(f.data);
    data[0] = (data[0] + k) % 256;
    await sharp(data, { raw: { width: f.width, height: f.height, channels: 3 } }).png().toFile(path.join(alignedDir, `face${i}`, `crop${k}.png`));
  }
}
const aligned = await openDataset(alignedDir, cfg, {});
for (const row of rows) {
  const embedder = listCards(noUser).find((r) => r.card.id === row.card)!.card as EmbedderCard;
  for (const workers of [1, 2] as const) {
    const spec = { embedder, detector: null, policy: 'central-largest' as const, decode: DEFAULT_DECODE, flip: false };
    const s = await embedDataset(aligned, spec, { embeddingsRoot: path.join(cfg.workspace, `aligned-${row.card}-${workers}`), modelRoot: cfg.modelRoot, workers });
    row[workers === 1 ? 'workers1' : 'workers2'] = s.images / s.seconds;
  }
}

console.log(`\nEmbedding stage, ${N} aligned LFW faces, single-threaded sessions (best of 3); then faces/s embedding ${N * COPIES} such crops with 1 and 2 workers (start-up included)`);
console.log('card                   runtime            dim   ms/face   ours f/s   bare f/s   ours/bare   1 worker f/s   2 workers f/s');
for (const r of rows) {
  console.log(`${r.card.padEnd(22)} ${r.runtime.padEnd(18)} ${String(r.dim).padEnd(5)} ${r.msPerFace.toFixed(1).padStart(7)} ${r.oursFacesPerSec.toFixed(1).padStart(10)} ${r.bareFacesPerSec.toFixed(1).padStart(10)} ${r.ratio.toFixed(2).padStart(11)} ${r.workers1!.toFixed(1).padStart(14)} ${r.workers2!.toFixed(1).padStart(15)}`);
}

const manifest = await openDataset('lfw-mini', cfg, {});
const pipeline: Array<{ workers: number; imagesPerSec: number }> = [];
for (const workers of [1, 2]) {
  const spec = { embedder: listCards(noUser).find((r) => r.card.id === 'fr-feature')!.card as EmbedderCard, detector: det.card, policy: 'central-largest' as const, decode: DEFAULT_DECODE, flip: false };
  const s = await embedDataset(manifest, spec, { embeddingsRoot: path.join(cfg.workspace, `emb-${workers}`), modelRoot: cfg.modelRoot, workers });
  pipeline.push({ workers, imagesPerSec: s.images / s.seconds });
}
console.log(`\nWhole pipeline on lfw-mini (${manifest.images.length} images, scrfd-2.5g@320 + fr-feature, cold cache)`);
for (const p of pipeline) console.log(`workers ${p.workers}: ${p.imagesPerSec.toFixed(1)} images/s`);
console.log(`speed-up with 2 workers: ${(pipeline[1].imagesPerSec / pipeline[0].imagesPerSec).toFixed(2)}× on ${os.availableParallelism()} cores`);
console.log('\n' + JSON.stringify({ faces: N, embedding: rows, pipeline }, null, 2));
record([
  ...rows.map((r) => ({ bench: 'embed-throughput', name: `embedding stage, ${r.card} (${r.runtime})`, unit: 'faces/s', ours: r.oursFacesPerSec, peer: r.bareFacesPerSec, peerName: 'the bare runtime on the same tensors', better: 'higher' as const, target: { kind: 'ratio' as const, value: 1 / 1.1 }, note: `${r.msPerFace.toFixed(1)} ms/face` })),
  ...rows.map((r) => ({ bench: 'embed-throughput', name: `${r.card} on pre-aligned crops, 2 workers`, unit: 'faces/s', ours: r.workers2!, peer: r.workers1!, peerName: '1 worker', better: 'higher' as const })),
  // 191 images: starting the workers is a large part of it; bench/pipeline-stages.ts measures the scaling target.
  { bench: 'embed-throughput', name: `whole pipeline (scrfd-2.5g + fr-feature, lfw-mini cold, start-up included), 2 workers`, unit: 'images/s', ours: pipeline[1].imagesPerSec, peer: pipeline[0].imagesPerSec, peerName: '1 worker', better: 'higher' },
]);
fs.rmSync(cfg.workspace, { recursive: true, force: true });
