/**
 * All-pairs verification on the whole of LFW (13,233 images, 87.5 million pairs) in our streaming TypeScript
 * path against numpy doing the same in one script (blocked matrix product, split, sort, exact AUC), and exact
 * ROC/AUC on the same 10 million scores against scikit-learn. Same machine, same inputs, timed in one run.
 *
 *   node --import tsx bench/all-pairs-vs-numpy.ts [--model mobilefacenet]
 *
 * Needs Debian's python3-numpy and python3-sklearn (/usr/bin/python3) and the model's LFW embeddings (computed
 * and cached first if missing: several minutes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scoreAllPairs, sortStreamed } from '../experiments/all-pairs.js';
import { auc, eer, rocCurve, sortScores, tarAtFmr } from '../experiments/metrics/index.js';
import { identityIndex } from '../experiments/protocols.js';
import { lfwEmbeddings, time, timeAsync } from './lfw-embeddings.js';
import { record } from './results.js';

const modelId = process.argv.includes('--model') ? process.argv[process.argv.indexOf('--model') + 1] : 'mobilefacenet';
const { manifest, table } = await lfwEmbeddings(modelId);
const ids = identityIndex(manifest);

// --- ours: stream all pairs, sort, exact metrics
const scored = await timeAsync(() => scoreAllPairs(table, ids, { threads: os.availableParallelism() }));
const sorted = await timeAsync(() => sortStreamed(scored.value, os.availableParallelism()));
const metrics = time(() => ({ auc: auc(sorted.value), eer: eer(sorted.value).estimate, tar: tarAtFmr(sorted.value, [1e-4, 1e-6]).map((t) => t.tar) }));
const oursRss = process.memoryUsage().rss;

// --- numpy: the same work in one script
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frw-bench-'));
fs.writeFileSync(path.join(dir, 'emb.f32'), new Uint8Array(table.vectors.buffer, table.vectors.byteOffset, table.vectors.byteLength));
fs.writeFileSync(path.join(dir, 'ids.i32'), new Uint8Array(ids.buffer));
// 10 million scores for the ROC/AUC comparison: all genuine plus every k-th impostor (a spread of the whole
// distribution, not its tail), up to 10M in all.
const tenM = 10_000_000;
const g10 = sorted.value.genuine;
const all = sorted.value.impostor;
const stride = Math.ceil(all.length / (tenM - g10.length));
const i10 = Float64Array.from({ length: Math.floor(all.length / stride) }, (_, k) => all[k * stride]);
fs.writeFileSync(path.join(dir, 'g.f64'), new Uint8Array(g10.buffer, g10.byteOffset, g10.byteLength));
fs.writeFileSync(path.join(dir, 'i.f64'), new Uint8Array(i10.buffer, i10.byteOffset, i10.byteLength));
const ours10 = time(() => ({ roc: rocCurve(sortScores(g10, i10)).threshold.length, auc: auc(g10, i10) }));

const py = `
import numpy as np, time, json, sys
from sklearn.metrics import roc_curve, roc_auc_score
d = sys.argv[1]; dim = int(sys.argv[2])
E = np.fromfile(d + '/emb.f32', dtype=np.float32).reshape(-1, dim); ids = np.fromfile(d + '/ids.i32', dtype=np.int32)
n = len(ids); t = time.perf_counter()
gen = []; imp = []
for i0 in range(0, n, 1024):
    S = E[i0:i0 + 1024] @ E.T
    for r in range(S.shape[0]):
        i = i0 + r; row = S[r, i + 1:]; same = ids[i + 1:] == ids[i]
        gen.append(row[same]); imp.append(row[~same])
gen = np.concatenate(gen); imp = np.concatenate(imp); t_score = time.perf_counter() - t
t = time.perf_counter(); gen.sort(); imp.sort(); t_sort = time.perf_counter() - t
t = time.perf_counter()
# exact Mann-Whitney AUC from the sorted arrays (ties 1/2)
lo = np.searchsorted(imp, gen, 'left'); hi = np.searchsorted(imp, gen, 'right')
a = (lo.sum() + 0.5 * (hi - lo).sum()) / (len(gen) * len(imp)); t_auc = time.perf_counter() - t
g = np.fromfile(d + '/g.f64'); i = np.fromfile(d + '/i.f64')
y = np.concatenate([np.ones(len(g)), np.zeros(len(i))]); s = np.concatenate([g, i])
t = time.perf_counter(); fpr, tpr, th = roc_curve(y, s, drop_intermediate=False); t_roc = time.perf_counter() - t
t = time.perf_counter(); a10 = roc_auc_score(y, s); t_auc10 = time.perf_counter() - t
print(json.dumps(dict(score=t_score, sort=t_sort, auc=t_auc, auc_value=a, genuine=len(gen), impostor=len(imp), roc10=t_roc, auc10=t_auc10, auc10_value=a10, roc_points=len(th))))
`;
const r = spawnSync('/usr/bin/python3', ['-c', py, dir, String(table.dim)], { encoding: 'utf8', maxBuffer: 1 << 24 });
fs.rmSync(dir, { recursive: true, force: true });
if (r.status !== 0) throw new Error(`numpy side failed: ${r.stderr}`);
const np = JSON.parse(r.stdout.trim().split('\n').pop()!);

const row = (what: string, ours: number, peer: number) => console.log(`${what.padEnd(34)} ${ours.toFixed(2).padStart(8)} s ${peer.toFixed(2).padStart(8)} s   ${(ours / peer).toFixed(2)}×`);
console.log(`\nLFW all pairs, ${modelId} (${table.dim}-d): ${sorted.value.genuine.length.toLocaleString('en')} genuine, ${sorted.value.impostor.length.toLocaleString('en')} impostor`);
console.log(`${'step'.padEnd(34)} ${'ours'.padStart(10)} ${'numpy'.padStart(10)}   ours/numpy`);
row('score every pair', scored.s, np.score);
row('sort genuine + impostor', sorted.s, np.sort);
row('exact AUC (+ EER, TAR@FMR for us)', metrics.s, np.auc);
row('total', scored.s + sorted.s + metrics.s, np.score + np.sort + np.auc);
console.log(`AUC ours ${metrics.value.auc} numpy ${np.auc_value} (difference ${Math.abs(metrics.value.auc - np.auc_value).toExponential(1)}); our peak RSS so far ${(oursRss / 2 ** 30).toFixed(2)} GiB`);
console.log(`\nExact ROC + AUC on the same 10 million scores (${g10.length} genuine): ours ${ours10.s.toFixed(2)} s (${ours10.value.roc} points) · sklearn roc_curve ${np.roc10.toFixed(2)} s (${np.roc_points} points) + roc_auc_score ${np.auc10.toFixed(2)} s · ratio ${(ours10.s / (np.roc10 + np.auc10)).toFixed(2)}×`);
console.log(`AUC on 10M: ours ${ours10.value.auc} sklearn ${np.auc10_value} (difference ${Math.abs(ours10.value.auc - np.auc10_value).toExponential(1)})`);

const ours = scored.s + sorted.s + metrics.s;
const peer = np.score + np.sort + np.auc;
record([
  { bench: 'all-pairs-vs-numpy', name: `all LFW pairs scored + sorted + exact AUC (${modelId})`, unit: 's', ours, peer, peerName: 'numpy (BLAS matrix product, sort, searchsorted AUC)', better: 'lower', target: { kind: 'ratio', value: 1.5 }, note: `score ${scored.s.toFixed(2)} s vs ${np.score.toFixed(2)} s, sort ${sorted.s.toFixed(2)} s vs ${np.sort.toFixed(2)} s, metrics ${metrics.s.toFixed(2)} s vs ${np.auc.toFixed(2)} s; AUC difference ${Math.abs(metrics.value.auc - np.auc_value).toExponential(1)}` },
  { bench: 'all-pairs-vs-numpy', name: 'all LFW pairs: scoring alone', unit: 's', ours: scored.s, peer: np.score, peerName: 'numpy', better: 'lower' },
  { bench: 'all-pairs-vs-numpy', name: 'all LFW pairs: sorting alone', unit: 's', ours: sorted.s, peer: np.sort, peerName: 'numpy', better: 'lower' },
  { bench: 'all-pairs-vs-numpy', name: 'exact ROC + AUC on 10 M scores', unit: 's', ours: ours10.s, peer: np.roc10 + np.auc10, peerName: 'scikit-learn roc_curve + roc_auc_score', better: 'lower', target: { kind: 'ratio', value: 3 }, note: `AUC difference ${Math.abs(ours10.value.auc - np.auc10_value).toExponential(1)}` },
]);
