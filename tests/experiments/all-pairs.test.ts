import assert from 'node:assert/strict';
import { test } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import { openDataset } from '../../datasets/resolve.js';
import { impostorTail, orderErrorBound, roundsEitherWay, scoreAllPairs } from '../../experiments/all-pairs.js';
import { identityIndex } from '../../experiments/protocols.js';
import { embedForRun } from '../../pipeline/embed-dataset.js';
import { loadEmbeddingTable, type EmbeddingTable } from '../../pipeline/embedding-table.js';
import { defaultPipelines } from '../../pipeline/specs.js';
import { dot } from '../../search/dot.js';
import { embeddingDeps } from '../../usecases/deps.js';
import { DATA_ROOT, MODEL_ROOT } from '../helpers/shared.js';

/** The first `n` rows of LFW's mobilefacenet embeddings (the project's workspace cache, as the LFW eval test uses). */
async function lfwRows(n: number): Promise<{ table: EmbeddingTable; ids: Int32Array }> {
  const cfg = resolveConfig({ dataRoot: DATA_ROOT, modelRoot: MODEL_ROOT }, {});
  const manifest = await openDataset('lfw', cfg, {});
  const [spec] = defaultPipelines(['mobilefacenet'], false, cfg);
  const e = await embedForRun(manifest, spec, embeddingDeps(cfg));
  const t = loadEmbeddingTable(manifest, e.cacheDir, spec.embedder.output.dim);
  const table = { ...t, vectors: t.vectors.slice(0, n * t.dim), ok: t.ok.slice(0, n), failure: t.failure.slice(0, n), quality: t.quality.slice(0, n), faceCount: t.faceCount.slice(0, n) };
  table.ok[7] = 0; // one row without a face: its pairs are excluded, by kind
  return { table, ids: identityIndex(manifest).slice(0, n) };
}

/** The definition the score files use, computed the slow way: fround of the sequential float64 sum, pairs in order. */
function reference(t: EmbeddingTable, ids: Int32Array) {
  const genuine: number[] = [];
  const impostor: number[] = [];
  const n = t.ok.length;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (!t.ok[i] || !t.ok[j]) continue;
      const s = Math.fround(dot(t.vectors, i * t.dim, t.vectors, j * t.dim, t.dim));
      (ids[i] === ids[j] ? genuine : impostor).push(s);
    }
  return { genuine: Float32Array.from(genuine), impostor: Float32Array.from(impostor) };
}

test('all pairs through the matrix product: every score of 2,400 LFW faces bit-equal to the sequential loop, in order, across blocks', async () => {
  const { table, ids } = await lfwRows(2400);
  const want = reference(table, ids);
  const shares: number[] = [];
  const got = await scoreAllPairs(table, ids, { blockRows: 333, threads: 2, onProgress: (s) => shares.push(s) });
  assert.equal(got.genuine.length, want.genuine.length);
  assert.equal(got.impostor.length, want.impostor.length);
  const differ = (x: Float32Array, y: Float32Array) => x.reduce((c, v, k) => c + (Object.is(v, y[k]) ? 0 : 1), 0);
  assert.equal(differ(got.genuine, want.genuine), 0, 'genuine scores');
  assert.equal(differ(got.impostor, want.impostor), 0, 'impostor scores');
  assert.deepEqual(got.excluded, { genuine: ids.filter((id) => id === ids[7]).length - 1, impostor: 2399 - (ids.filter((id) => id === ids[7]).length - 1) });
  assert.equal(shares.length, Math.ceil(2399 / 333));
  assert.equal(shares.at(-1), 1);
  const top = [...want.impostor].sort((a, b) => b - a).slice(0, 50);
  assert.deepEqual(got.topImpostors.map((p) => p.score), top);
  for (const p of got.topImpostors.slice(0, 5)) assert.equal(p.score, Math.fround(dot(table.vectors, p.a * table.dim, table.vectors, p.b * table.dim, table.dim)));

  const floor = top[19];
  const tail = await impostorTail(table, ids, floor, { blockRows: 500 });
  assert.deepEqual([...tail.score], top.filter((s) => s >= floor));
});

test('a set not listed identity by identity: the same scores, and kept pairs named by their table rows', async () => {
  const { table: t, ids: grouped } = await lfwRows(900);
  // Interleave the rows (row r of the new table is row perm[r] of LFW), so identities are scattered.
  const perm = Array.from({ length: 900 }, (_, r) => (r * 7) % 900);
  const table: EmbeddingTable = { ...t, vectors: new Float32Array(900 * t.dim), ok: Uint8Array.from(perm, (p) => t.ok[p]) };
  perm.forEach((p, r) => table.vectors.set(t.vectors.subarray(p * t.dim, (p + 1) * t.dim), r * t.dim));
  const ids = Int32Array.from(perm, (p) => grouped[p]);
  const want = reference(table, ids);
  const got = await scoreAllPairs(table, ids, { keep: 20, blockRows: 128 });
  const sorted = (x: Float32Array) => Float32Array.from(x).sort();
  assert.deepEqual(sorted(got.genuine), sorted(want.genuine));
  assert.deepEqual(sorted(got.impostor), sorted(want.impostor));
  for (const p of [...got.topImpostors, ...got.bottomGenuine]) {
    assert.ok(p.a < p.b, 'a pair is named by its table rows, smaller first');
    assert.equal(p.score, Math.fround(dot(table.vectors, p.a * t.dim, table.vectors, p.b * t.dim, t.dim)));
  }
  assert.ok(got.topImpostors.every((p) => ids[p.a] !== ids[p.b]) && got.bottomGenuine.every((p) => ids[p.a] === ids[p.b]));
});

test('an aborted pass stops between blocks with CANCELLED', async () => {
  const { table, ids } = await lfwRows(600);
  const ac = new AbortController();
  let blocks = 0;
  const run = scoreAllPairs(table, ids, { blockRows: 100, signal: ac.signal, onProgress: () => ++blocks === 2 && ac.abort() });
  await assert.rejects(run, (e: Error & { code?: string }) => e.code === 'CANCELLED');
  assert.equal(blocks, 2);
});

test('a product within the order error of a float32 rounding midpoint is flagged for recomputing in index order; others are not', () => {
  const tol = orderErrorBound(512);
  const f = Math.fround(0.3);
  const ulp = Math.fround(0.3 + 2 ** -25) - f; // float32 spacing at 0.3 (2^-25)
  const mid = f + ulp / 2; // exact in float64: halfway between two float32 neighbours
  assert.equal(roundsEitherWay(mid, tol), true, 'exactly halfway: the order decides');
  assert.equal(roundsEitherWay(mid + tol / 2, tol), true, 'within the bound of halfway');
  assert.equal(roundsEitherWay(mid + 2 * tol, tol), false, 'beyond the bound: every order rounds alike');
  assert.equal(roundsEitherWay(f, tol), false, 'a float32 itself');
  assert.equal(roundsEitherWay(-f - ulp / 4, tol), false);
  assert.equal(roundsEitherWay(1e-15, tol), true, 'near zero float32s are denser than the bound');
  // Scores with full float64 mantissas (as sums are): very few are flagged, so the exact recompute costs nothing.
  let x = 5;
  const rand = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  let flagged = 0;
  for (let k = 0; k < 1_000_000; k++) if (roundsEitherWay((rand() + rand() * 2 ** -31) - 0.5, tol)) flagged++;
  assert.ok(flagged > 0 && flagged < 1000, `${flagged} of 10^6 flagged`);
});
