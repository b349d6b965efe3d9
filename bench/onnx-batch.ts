/**
 * What freeing the batch dimension gains (models/runtime/onnx-batch.ts, `freeBatch: true`): for each ONNX embedder
 * card, faces/s through our embedding stage with the model as declared (batch 1, one run per face) against the
 * rewritten model (batches of 16), in the same process on the same aligned faces; then the bare runtime, one
 * rewritten session fed the same tensors one by one and 16 at a time, so the gain of batching alone is seen without
 * our stages. The two sides alternate (best of 5 each) so drift in the machine hits both. Also the cost counts
 * (models/cost.ts) and the multiply-adds per second they imply. About a minute on 2 cores: not in `npm run bench`.
 *
 *   node --import tsx bench/onnx-batch.ts [--faces N] [--threads T]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { resolveConfig } from '../core/config.js';
import { DEFAULT_DECODE, type RgbImage } from '../datasets/image.js';
import { acquireFace } from '../models/acquire.js';
import { embedderInputSize, type EmbedderCard } from '../models/card.js';
import { modelCost } from '../models/cost.js';
import { batchSizeOf, embedFaces, MAX_BATCH } from '../models/embedder.js';
import { loadModel, type LoadedModel } from '../models/load.js';
import { getDetectorCard, listCards } from '../models/registry.js';
import { freeBatchDim } from '../models/runtime/onnx-batch.js';
import { createOnnxSession } from '../models/runtime/onnx.js';
import { writePixels } from '../models/tensor.js';
import { record } from './results.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--faces', 96);
const THREADS = arg('--threads', 1);
const cfg = resolveConfig({ workspace: fs.mkdtempSync(path.join(os.tmpdir(), 'frw-bench-')), threads: 2 }, process.env);
const noUser = path.join(cfg.workspace, 'models');

const lfwMini = path.join(cfg.dataRoot, 'lfw-mini');
const files = fs.readdirSync(lfwMini).filter((d) => fs.statSync(path.join(lfwMini, d)).isDirectory()).sort()
  .flatMap((d) => fs.readdirSync(path.join(lfwMini, d)).sort().map((f) => path.join(lfwMini, d, f))).slice(0, N);
const det = await loadModel(getDetectorCard('scrfd-2.5g', noUser), { modelRoot: cfg.modelRoot, threads: 1 });
const faces: RgbImage[] = [];
for (const f of files) faces.push((await acquireFace(f, det, { decode: DEFAULT_DECODE, detect: {}, policy: 'central-largest', align: { size: 112, margin: 0 } })).aligned);
await det.session.dispose();

/** Best of `reps` for each side, the sides alternating, after one warm-up run each (first runs allocate). */
async function race(a: () => Promise<unknown>, b: () => Promise<unknown>, reps = 5): Promise<[number, number]> {
  await a();
  await b();
  let ta = Infinity;
  let tb = Infinity;
  for (let r = 0; r < reps; r++) {
    let t = performance.now();
    await a();
    ta = Math.min(ta, performance.now() - t);
    t = performance.now();
    await b();
    tb = Math.min(tb, performance.now() - t);
  }
  return [ta / 1000, tb / 1000];
}

interface Row { card: string; params: number; macs: number | null; b1: number; b16: number; gain: number; bare1: number; bare16: number; bareGain: number; maxDiff: number }
const rows: Row[] = [];
for (const { card } of listCards(noUser)) {
  if (card.task !== 'embedding' || card.format !== 'onnx') continue;
  const c = card as EmbedderCard;
  // As loaded by default (the file as declared, batch 1), and with the batch freed on request.
  const fixed = await loadModel(c, { modelRoot: cfg.modelRoot, threads: THREADS });
  const free: LoadedModel<EmbedderCard> = { ...fixed, session: await createOnnxSession(fixed.file, { threads: THREADS, freeBatch: true }) };
  if (batchSizeOf(fixed) !== 1 || batchSizeOf(free) !== MAX_BATCH) {
    console.log(`${c.id}: batch sizes ${batchSizeOf(fixed)} and ${batchSizeOf(free)}, not 1 and ${MAX_BATCH} (see stderr); nothing to compare`);
    await Promise.all([fixed.session.dispose(), free.session.dispose()]);
    continue;
  }
  const [t1, t16] = await race(() => embedFaces(fixed, faces, { flip: false }), () => embedFaces(free, faces, { flip: false }));
  const e1 = await embedFaces(fixed, faces, { flip: false });
  const e16 = await embedFaces(free, faces, { flip: false });
  let maxDiff = 0;
  e1.forEach((v, i) => v.forEach((x, k) => (maxDiff = Math.max(maxDiff, Math.abs(x - e16[i][k])))));

  // Bare: one rewritten session, the same pre-built tensors, 1 or 16 per run.
  const plan = freeBatchDim(new Uint8Array(fs.readFileSync(free.file)), free.file);
  if (!plan.ok) throw new Error(plan.reason);
  const s = await ort.InferenceSession.create(plan.bytes, { intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const { width, height } = embedderInputSize(c);
  const per = width * height * 3;
  const all = new Float32Array(N * per);
  faces.forEach((f, i) => writePixels(f, c.input, all, i * per));
  const bare = (batch: number) => async () => {
    for (let i = 0; i < N; i += batch) {
      const n = Math.min(batch, N - i);
      await s.run({ [c.input.name]: new ort.Tensor('float32', all.subarray(i * per, (i + n) * per), [n, ...c.input.shape.slice(1)]) });
    }
  };
  const [b1, b16] = await race(bare(1), bare(MAX_BATCH));
  const cost = await modelCost(c, free.file);
  rows.push({ card: c.id, params: cost.parameters, macs: cost.multiplyAdds, b1: N / t1, b16: N / t16, gain: t1 / t16, bare1: N / b1, bare16: N / b16, bareGain: b1 / b16, maxDiff });
  await Promise.all([s.release(), free.session.dispose(), fixed.session.dispose()]);
}

console.log(`\nFree batch on ONNX embedders: ${N} aligned LFW faces, ${THREADS}-thread sessions, best of 5 (interleaved), ${os.availableParallelism()} cores`);
console.log('card            params    MACs/face   ours b1 f/s  ours b16 f/s  gain   bare b1  bare b16  gain   GMAC/s b1→b16  max|Δ|');
for (const r of rows) {
  const gmac = (fps: number) => (r.macs === null ? '–' : ((r.macs * fps) / 1e9).toFixed(1));
  console.log(`${r.card.padEnd(14)} ${(r.params / 1e6).toFixed(3).padStart(6)}M ${r.macs === null ? '–'.padStart(10) : `${(r.macs / 1e6).toFixed(1)}M`.padStart(10)} ${r.b1.toFixed(1).padStart(12)} ${r.b16.toFixed(1).padStart(13)} ${r.gain.toFixed(2).padStart(5)}× ${r.bare1.toFixed(1).padStart(8)} ${r.bare16.toFixed(1).padStart(9)} ${r.bareGain.toFixed(2).padStart(5)}× ${`${gmac(r.b1)}→${gmac(r.b16)}`.padStart(13)}  ${r.maxDiff.toExponential(1)}`);
}
console.log('\n' + JSON.stringify({ faces: N, threads: THREADS, rows }, null, 2));
record(rows.map((r) => ({ bench: 'onnx-batch', name: `${r.card}: batch 16 (freed) on ${THREADS}-thread sessions`, unit: 'faces/s', ours: r.b16, peer: r.b1, peerName: 'batch 1 as the file declares', better: 'higher' as const, note: r.macs === null ? undefined : `${((r.macs * r.b1) / 1e9).toFixed(1)} → ${((r.macs * r.b16) / 1e9).toFixed(1)} GMAC/s (${(r.macs / 1e6).toFixed(1)} M multiply-adds a face)` })));
fs.rmSync(cfg.workspace, { recursive: true, force: true });
