/**
 * Where an image's time goes: each stage of decode → detect → align → embed timed alone on this thread (single-
 * threaded sessions, as a worker has), against the whole pipeline with 1 and 2 workers on the same images
 * (embedDataset, cold cache). The stage sum is what one worker could reach; the gap is the pipeline's own cost.
 *
 *   node --import tsx bench/pipeline-stages.ts [--dataset lfw] [--images 1200] [--model fr-feature]
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { resolveConfig } from '../core/config.js';
import { decodeImage, DEFAULT_DECODE } from '../datasets/image.js';
import { openDataset } from '../datasets/resolve.js';
import { alignFace } from '../models/align.js';
import type { DetectorCard, EmbedderCard } from '../models/card.js';
import { decodeScrfd } from '../models/detect/decode.js';
import { chooseFace } from '../models/detect/policy.js';
import { detectFaces } from '../models/detect/detector.js';
import { nms } from '../models/detect/types.js';
import { embedFaces } from '../models/embedder.js';
import { loadModel } from '../models/load.js';
import { getDetectorCard, listCards } from '../models/registry.js';
import { letterbox } from '../models/tensor.js';
import { embedDataset } from '../pipeline/embed-dataset.js';
import { record } from './results.js';

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const cfg = resolveConfig({ workspace: fs.mkdtempSync(path.join(os.tmpdir(), 'frw-stages-')), threads: 2 }, process.env);
const noUser = path.join(cfg.workspace, 'models');
// The whole pipeline on the first --images images (enough that starting the workers and the last chunk's tail are
// a small part), the stages alone on the first 200 of them.
const full = await openDataset(arg('--dataset', 'lfw'), cfg, {});
const manifest = { ...full, images: full.images.slice(0, Number(arg('--images', '1200'))) };
const files = manifest.images.slice(0, 200).map((i) => path.join(manifest.root, i.path));
const detCard = getDetectorCard('scrfd-2.5g', noUser) as DetectorCard;
const embCard = listCards(noUser).find((c) => c.card.id === arg('--model', 'fr-feature'))!.card as EmbedderCard;
const det = await loadModel<DetectorCard>(detCard, { modelRoot: cfg.modelRoot, threads: 1 });
const emb = await loadModel<EmbedderCard>(embCard, { modelRoot: cfg.modelRoot, threads: 1 });
const bareDet = await ort.InferenceSession.create(det.file, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });

const ms = { read: 0, decode: 0, letterbox: 0, detectRun: 0, detectDecode: 0, detectWhole: 0, align: 0, embed: 0 };
const [w, h] = detCard.input.size;
for (let pass = 0; pass < 2; pass++) {
  // Pass 0 warms every path up (first inferences allocate); pass 1 is timed.
  const add = (k: keyof typeof ms, t: number) => pass === 1 && (ms[k] += performance.now() - t);
  for (const f of files) {
    let t = performance.now();
    const bytes = fs.readFileSync(f);
    add('read', t);
    t = performance.now();
    const dec = await decodeImage(bytes, DEFAULT_DECODE);
    add('decode', t);
    t = performance.now();
    const lb = await letterbox(dec.image, w, h, detCard.input);
    add('letterbox', t);
    t = performance.now();
    const out = await bareDet.run({ [detCard.input.name]: new ort.Tensor('float32', lb.tensor, [1, 3, h, w]) });
    add('detectRun', t);
    t = performance.now();
    nms(decodeScrfd(Object.values(out) as never, { inputWidth: w, inputHeight: h, scoreThreshold: detCard.scoreThreshold }), detCard.nmsThreshold);
    add('detectDecode', t);
    t = performance.now();
    const dets = await detectFaces(det.session, detCard, dec.image, {});
    add('detectWhole', t);
    if (dets.length === 0) continue;
    t = performance.now();
    const aligned = alignFace(dec.image, dets[chooseFace(dets, dec.image.width, dec.image.height, 'central-largest')].landmarks, embCard.alignment);
    add('align', t);
    t = performance.now();
    await embedFaces(emb, [aligned], { flip: false });
    add('embed', t);
  }
}
/**
 * The machine's own ceiling for two workers: the bare detector session (the pipeline's largest stage) run on a fixed
 * tensor in one process, then in two processes at once. Whatever two cores give here is what any two-worker
 * pipeline can reach (shared caches, memory bandwidth, vCPUs that may share a physical core).
 */
async function bareScaling(runs: number): Promise<{ one: number; two: number }> {
  const script = `
    const ort = require(${JSON.stringify(createRequire(import.meta.url).resolve('onnxruntime-node'))});
    (async () => {
      const s = await ort.InferenceSession.create(${JSON.stringify(det.file)}, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
      const x = new ort.Tensor('float32', new Float32Array(3 * ${w} * ${h}).fill(0.1), [1, 3, ${h}, ${w}]);
      for (let i = 0; i < 5; i++) await s.run({ ${JSON.stringify(detCard.input.name)}: x });
      const t = performance.now();
      for (let i = 0; i < ${runs}; i++) await s.run({ ${JSON.stringify(detCard.input.name)}: x });
      console.log(JSON.stringify({ ms: performance.now() - t }));
    })();`;
  // Each process times its own runs after warming up, so start-up is not counted; runs/s add up across processes.
  const rate = async (k: number) => (await runAll(k, script)).reduce((sum, line) => sum + (1000 * runs) / (JSON.parse(line) as { ms: number }).ms, 0);
  const one = await rate(1);
  return { one, two: await rate(2) };
}

/** k copies of a script run at once; their stdout lines. */
async function runAll(k: number, script: string): Promise<string[]> {
  const one = () =>
    new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`bare detector runs exited with ${code}`))));
    });
  return Promise.all(Array.from({ length: k }, one));
}

const n = files.length;
const per = (x: number) => x / n;
const stageSum = per(ms.read + ms.decode + ms.detectWhole + ms.align + ms.embed);
const whole: Record<number, number> = {};
for (const workers of [1, 2]) {
  const s = await embedDataset(manifest, { embedder: embCard, detector: detCard, policy: 'central-largest', decode: DEFAULT_DECODE, flip: false }, { embeddingsRoot: path.join(cfg.workspace, `emb-${workers}`), modelRoot: cfg.modelRoot, workers });
  whole[workers] = (1000 * s.seconds) / s.images;
}
const ceiling = await bareScaling(150);
fs.rmSync(cfg.workspace, { recursive: true, force: true });

const line = (what: string, v: number) => console.log(`${what.padEnd(44)} ${v.toFixed(2).padStart(7)} ms`);
console.log(`\nPer image, ${manifest.name} (stages: ${n} images; whole pipeline: ${manifest.images.length}), scrfd-2.5g@${w} + ${embCard.id}, single-threaded sessions on one thread:`);
line('read the file', per(ms.read));
line('decode (sharp, EXIF, working size)', per(ms.decode));
line('detect, whole (our detectFaces)', per(ms.detectWhole));
line('  of which letterbox + tensor', per(ms.letterbox));
line('  of which the bare session run', per(ms.detectRun));
line('  of which anchor decoding + NMS', per(ms.detectDecode));
line('align (similarity warp)', per(ms.align));
line('embed (card preprocessing, run, normalise)', per(ms.embed));
line('stage sum', stageSum);
line('whole pipeline, 1 worker (per image)', whole[1]);
line('whole pipeline, 2 workers (per image)', whole[2]);
console.log(`pipeline / stage sum: ${(whole[1] / stageSum).toFixed(2)}× on 1 worker; 2 workers ${(whole[1] / whole[2]).toFixed(2)}× one`);
console.log(`the machine's ceiling: the bare detector session in 2 processes at once ${(ceiling.two / ceiling.one).toFixed(2)}× one (${ceiling.one.toFixed(1)} → ${ceiling.two.toFixed(1)} runs/s)`);
record([
  { bench: 'pipeline-stages', name: `whole pipeline, 1 worker, ms per image (${manifest.images.length} ${manifest.name} images, ${embCard.id})`, unit: 'ms', ours: whole[1], peer: stageSum, peerName: 'the sum of its stages timed alone on one thread', better: 'lower', note: `decode ${per(ms.decode).toFixed(1)}, detect ${per(ms.detectWhole).toFixed(1)} (run ${per(ms.detectRun).toFixed(1)}), align ${per(ms.align).toFixed(1)}, embed ${per(ms.embed).toFixed(1)} ms` },
  { bench: 'pipeline-stages', name: 'whole pipeline, 2 workers', unit: 'ms', ours: whole[2], peer: whole[1], peerName: '1 worker', better: 'lower', target: { kind: 'ratio', value: 1.8 }, note: `the bare detector session alone scales ${(ceiling.two / ceiling.one).toFixed(2)}× from 1 to 2 processes on this machine` },
  { bench: 'pipeline-stages', name: "the machine's ceiling: bare detector session, 2 processes at once", unit: 'runs/s', ours: ceiling.two, peer: ceiling.one, peerName: '1 process', better: 'higher' },
]);
