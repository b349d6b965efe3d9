/**
 * faiss-node against Debian's python3-faiss on the same vectors, in one script: the cost of moving vectors in
 * (our Float32Array path, and the plain-array path stock faiss-node takes), and search throughput (IndexFlatIP,
 * k = 10). Vectors: the LFW embeddings of a model from the cache (computed if missing), or random unit vectors
 * with --random. OMP_NUM_THREADS=1 on both sides (see search/faiss.ts).
 *
 *   node --import tsx bench/faiss-vs-python.ts [--model fr-feature] [--random]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { faissIndex } from '../search/faiss.js';
import { l2normalize } from '../models/embedder.js';
import { lfwEmbeddings, time } from './lfw-embeddings.js';
import { record } from './results.js';

process.env.OMP_NUM_THREADS = '1';
const arg = (n: string) => (process.argv.includes(n) ? process.argv[process.argv.indexOf(n) + 1] : undefined);
const modelId = arg('--model') ?? 'fr-feature';
let vectors: Float32Array;
let dim: number;
if (process.argv.includes('--random')) {
  dim = 512;
  vectors = new Float32Array(20000 * dim);
  for (let i = 0; i < 20000; i++) vectors.set(l2normalize(Float32Array.from({ length: dim }, () => Math.random() * 2 - 1)), i * dim);
} else {
  const { table: t } = await lfwEmbeddings(modelId);
  dim = t.dim;
  vectors = t.vectors;
}
const n = vectors.length / dim;
const nq = Math.min(2000, n);
const queries = vectors.slice(0, nq * dim);
const k = 10;
const seconds = (f: () => unknown) => time(f).s;

// Moving vectors in: our patched Float32Array path vs the plain number[] path of stock faiss-node.
const tF32 = seconds(() => faissIndex('flat', vectors, dim));
const plain = Array.from(vectors);
const { createRequire } = await import('node:module');
const f = createRequire(import.meta.url)('faiss-node');
const tArray = seconds(() => new f.IndexFlatIP(dim).add(plain));
const tConvert = seconds(() => Array.from(vectors));
const idx = faissIndex('flat', vectors, dim);
idx.search(queries.subarray(0, 100 * dim), k); // warm-up
const tSearch = seconds(() => idx.search(queries, k));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frw-faiss-'));
fs.writeFileSync(path.join(dir, 'v.f32'), new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
const py = `
import numpy as np, faiss, time, sys, json
d = int(sys.argv[2]); nq = int(sys.argv[3]); k = int(sys.argv[4])
x = np.fromfile(sys.argv[1] + '/v.f32', dtype=np.float32).reshape(-1, d)
t = time.perf_counter(); ix = faiss.IndexFlatIP(d); ix.add(x); t_add = time.perf_counter() - t
ix.search(x[:100], k)
t = time.perf_counter(); D, I = ix.search(x[:nq], k); t_search = time.perf_counter() - t
print(json.dumps(dict(add=t_add, search=t_search, top1=I[:, 0].tolist())))
`;
const r = spawnSync('/usr/bin/python3', ['-c', py, dir, String(dim), String(nq), String(k)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, maxBuffer: 1 << 26 });
fs.rmSync(dir, { recursive: true, force: true });
if (r.status !== 0) throw new Error(`python3-faiss side failed: ${r.stderr}`);
const p = JSON.parse(r.stdout.trim().split('\n').pop()!);
const ours = idx.search(queries, 1).rows;
let agree = 0;
for (let q = 0; q < nq; q++) if (ours[q] === p.top1[q]) agree++;

console.log(`\nIndexFlatIP over ${n.toLocaleString('en')} × ${dim} (${process.argv.includes('--random') ? 'random unit vectors' : `LFW, ${modelId}`}), ${nq} queries, k = ${k}, OMP_NUM_THREADS=1`);
console.log(`moving vectors in   faiss-node Float32Array ${tF32.toFixed(3)} s · plain array ${tArray.toFixed(3)} s (+ ${tConvert.toFixed(3)} s to build it) · python3-faiss ${p.add.toFixed(3)} s   ratio (Float32Array / python) ${(tF32 / p.add).toFixed(2)}×`);
console.log(`search              faiss-node ${(nq / tSearch).toFixed(0)} q/s · python3-faiss ${(nq / p.search).toFixed(0)} q/s   ratio (python time / ours) ${(p.search / tSearch).toFixed(2)}×`);
console.log(`same top-1 for ${agree}/${nq} queries`);
record([
  { bench: 'faiss-vs-python', name: `IndexFlatIP search throughput (k = ${k}, one thread)`, unit: 'queries/s', ours: nq / tSearch, peer: nq / p.search, peerName: 'python3-faiss', better: 'higher', target: { kind: 'ratio', value: 1.0 }, note: `same top-1 for ${agree}/${nq} queries` },
  { bench: 'faiss-vs-python', name: `moving ${n.toLocaleString('en')} × ${dim} vectors in`, unit: 's', ours: tF32, peer: p.add, peerName: 'python3-faiss', better: 'lower' },
]);
