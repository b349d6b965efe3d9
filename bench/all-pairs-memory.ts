/**
 * Memory of all-pairs evaluation, measured as each case's peak resident set in its own child process (synthetic
 * unit embeddings, 128-d, 10 images per identity; issue 16 allows synthetic embeddings for this one):
 *   - sampled: 44,722 images = 1.0 × 10^9 pairs, every genuine pair and a uniform sample of 10^7 impostor pairs,
 *     scored and evaluated as `frw eval --protocol all-pairs --impostor-sample 10000000 --bootstrap 0` does.
 *     Target: under 2 GiB.
 *   - streamed: 13,233 images (87.5 million pairs, LFW's size), every pair scored, sorted and evaluated exactly
 *     as `frw eval --protocol all-pairs` does: its bytes per pair say what the exact path would need at 10^9.
 *
 *   node --import tsx bench/all-pairs-memory.ts [--sample 10000000]
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DatasetManifest } from '../datasets/manifest.js';
import { scoreAllPairs, sortStreamed } from '../experiments/all-pairs.js';
import { DEFAULT_FMR_TARGETS, DEFAULT_RULES, evaluateModel, evaluateScores, type EvaluationOptions } from '../experiments/evaluate.js';
import { mulberry32 } from '../experiments/metrics/random.js';
import { buildComparisons, identityIndex } from '../experiments/protocols.js';
import { scoreComparisons } from '../experiments/scoring.js';
import type { EmbeddingTable } from '../pipeline/embedding-table.js';
import { record } from './results.js';

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const GiB = 2 ** 30;
const DIM = 128;
const PER_IDENTITY = 10;

/** n unit vectors, PER_IDENTITY per identity: an identity's centre plus noise, so genuine and impostor scores separate. */
function syntheticSet(n: number): { manifest: DatasetManifest; table: EmbeddingTable } {
  const rng = mulberry32(16);
  const uniform = () => (rng.nextUint32() + 0.5) / 4294967296;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const vectors = new Float32Array(n * DIM);
  const centre = new Float64Array(DIM);
  for (let i = 0; i < n; i++) {
    if (i % PER_IDENTITY === 0) for (let k = 0; k < DIM; k++) centre[k] = gauss();
    let norm = 0;
    for (let k = 0; k < DIM; k++) norm += (vectors[i * DIM + k] = centre[k] + 2 * gauss()) ** 2;
    for (let k = 0; k < DIM; k++) vectors[i * DIM + k] /= Math.sqrt(norm);
  }
  const images = Array.from({ length: n }, (_, i) => ({ path: `p${Math.floor(i / PER_IDENTITY)}/${i}.jpg`, identity: `p${Math.floor(i / PER_IDENTITY)}`, unknown: false, sha256: null }));
  const manifest = { name: 'synthetic', kind: 'folders', root: '/synthetic', images, identities: [], problems: [], hash: 'synthetic' } as unknown as DatasetManifest;
  const table: EmbeddingTable = { dim: DIM, vectors, ok: new Uint8Array(n).fill(1), failure: new Array(n).fill(null), quality: new Array(n).fill(null), faceCount: new Int32Array(n).fill(1) };
  return { manifest, table };
}

const evaluation = (bootstrap: number): EvaluationOptions => ({ fmrTargets: DEFAULT_FMR_TARGETS, rules: DEFAULT_RULES, seed: 1, bootstrap, level: 0.95, view: 'similarity' });

async function child(kind: string): Promise<void> {
  const t = performance.now();
  let pairs: number;
  let auc: number;
  if (kind === 'sampled') {
    const { manifest, table } = syntheticSet(44_722);
    pairs = (44_722 * 44_721) / 2;
    const set = buildComparisons(manifest, 'all-pairs', { seed: 1, impostorSample: Number(arg('--sample', '10000000')) });
    const scored = scoreComparisons(set, table);
    auc = evaluateModel('synthetic', set, scored, identityIndex(manifest), evaluation(0)).metrics.auc;
  } else {
    const { manifest, table } = syntheticSet(13_233);
    pairs = (13_233 * 13_232) / 2;
    const s = await scoreAllPairs(table, identityIndex(manifest), { threads: os.availableParallelism() });
    const sorted = await sortStreamed(s, os.availableParallelism()); // as usecases/evaluate.ts
    auc = evaluateScores('synthetic', sorted, s.excluded, { bootstrapPairs: null, folds: null }, evaluation(0)).metrics.auc;
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ kind, pairs, peak, auc, seconds: (performance.now() - t) / 1000 }));
}

if (process.argv.includes('--child')) {
  await child(arg('--child', ''));
} else {
  const run = (kind: string) => {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', kind, ...process.argv.slice(2)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${kind} case failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { pairs: number; peak: number; auc: number; seconds: number };
  };
  const sampled = run('sampled');
  const streamed = run('streamed');
  const perPair = streamed.peak / streamed.pairs;
  console.log(`all pairs at ${sampled.pairs.toExponential(2)} pairs, 10^7 impostors sampled: peak RSS ${(sampled.peak / GiB).toFixed(2)} GiB (target < 2 GiB: ${sampled.peak < 2 * GiB ? 'met' : 'NOT met'}), ${sampled.seconds.toFixed(1)} s, AUC ${sampled.auc.toFixed(5)}`);
  console.log(`streamed exact at ${streamed.pairs.toExponential(2)} pairs: peak RSS ${(streamed.peak / GiB).toFixed(2)} GiB = ${perPair.toFixed(1)} bytes a pair; at 10^9 pairs that is ${((perPair * 1e9) / GiB).toFixed(1)} GiB, ${streamed.seconds.toFixed(1)} s, AUC ${streamed.auc.toFixed(5)}`);
  record([
    { bench: 'all-pairs-memory', name: `peak RSS, all-pairs at 10^9 pairs (10^7 impostors sampled)`, unit: 'GiB', ours: sampled.peak / GiB, peer: null, peerName: '', better: 'lower', target: { kind: 'at-most', value: 2 }, note: `${sampled.seconds.toFixed(1)} s, no bootstrap (200 replicates over 10^7 pairs ran past 20 min)` },
    { bench: 'all-pairs-memory', name: 'exact streamed all-pairs: bytes a pair at the peak (87.5 M pairs)', unit: 'B', ours: perPair, peer: null, peerName: '', better: 'lower', note: `${(streamed.peak / GiB).toFixed(2)} GiB peak; ${((perPair * 1e9) / GiB).toFixed(1)} GiB at 10^9 pairs` },
  ]);
}
