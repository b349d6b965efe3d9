import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { sha256File } from '../core/hash.js';
import { writeFileAtomic } from '../core/lock.js';
import { PROJECT_ROOT } from '../core/paths.js';
import { dot, fourDotsAt } from './dot.js';
import type { RowHits, VectorIndex } from './vector-index.js';

/**
 * FAISS through faiss-node (built at install against Debian's libfaiss, see scripts/build-faiss-node.sh; our
 * patch lets it take Float32Array, so moving vectors in is one memcpy instead of a JS array walk).
 * Inner product on unit vectors = cosine. Kinds: `flat` (exact), `ivf` (IVF√n·4,Flat), `hnsw` (HNSW32).
 * faiss-node cannot set nprobe or efSearch: IVF searches 1 list and HNSW uses efSearch 16, so both trade recall
 * for speed; `flat` is the default and what the exact reference is checked against.
 */
type FaissModule = typeof import('faiss-node');
export type FaissKind = 'flat' | 'ivf' | 'hnsw';

let faiss: FaissModule | null = null;
function load(): FaissModule {
  if (faiss) return faiss;
  // libgomp reads this when faiss-node is loaded: with both OpenMP and OpenBLAS spawning threads on a small
  // machine, searches of 20+ queries ran up to 10× slower. One thread unless the user chose otherwise.
  process.env.OMP_NUM_THREADS ??= '1';
  try {
    faiss = createRequire(path.join(PROJECT_ROOT, 'package.json'))('faiss-node') as FaissModule;
  } catch (e) {
    throw new FrwError('UNSUPPORTED', `faiss-node is not built (${(e as Error).message.split('\n')[0]}). Install the system libraries and rebuild: apt-get install -y libfaiss-dev libopenblas-dev liblapack-dev patch && npm rebuild faiss-node && bash scripts/build-faiss-node.sh — or use --index exact`);
  }
  return faiss;
}

type NativeIndex = InstanceType<FaissModule['Index']>;

/**
 * FAISS picks the candidates; their scores are then recomputed with the one canonical dot product (float64 sum in
 * index order, rounded to float32) and re-sorted. FAISS's own float32 scores depend on its code path (BLAS for
 * batches of 20+ queries, SIMD loops below), so the same pair could score a last bit apart in a tuning run and in
 * the engine; at a threshold that is itself an observed score, that bit flips decisions.
 */
function wrap(native: NativeIndex, kind: string, vectors: Float32Array | null): VectorIndex & { native: NativeIndex } {
  const size = native.ntotal();
  const dim = native.getDimension();
  return {
    kind,
    size,
    native,
    search(queries: Float32Array, k: number): RowHits {
      const kk = Math.min(k, size);
      // Typed results (our second faiss-node patch) when the build has them: no JS value per hit.
      const r = typeof native.searchTyped === 'function' ? native.searchTyped(queries, kk) : native.search(queries, kk);
      const nq = queries.length / dim;
      const rows = new Int32Array(nq * k).fill(-1);
      const scores = new Float32Array(nq * k).fill(-Infinity);
      // Per query: its hits' rows and rescored scores, then an order over them (no object per hit).
      const hitRows = new Int32Array(kk);
      const hitScores = new Float64Array(kk);
      const order = Array.from({ length: kk }, (_, j) => j);
      const four = new Float64Array(4);
      for (let q = 0; q < nq; q++) {
        let n = 0;
        for (let j = 0; j < kk; j++) {
          const row = r.labels[q * kk + j];
          if (row < 0) continue;
          hitRows[n] = row;
          hitScores[n++] = r.distances[q * kk + j];
        }
        if (vectors) {
          // Four hits at a time: the same sums as dot() row by row, a load of the query shared by four rows.
          let j = 0;
          for (; j + 3 < n; j += 4) {
            fourDotsAt(queries, q * dim, vectors, hitRows[j] * dim, hitRows[j + 1] * dim, hitRows[j + 2] * dim, hitRows[j + 3] * dim, dim, four);
            for (let t = 0; t < 4; t++) hitScores[j + t] = Math.fround(four[t]);
          }
          for (; j < n; j++) hitScores[j] = Math.fround(dot(queries, q * dim, vectors, hitRows[j] * dim, dim));
        }
        order.length = n;
        for (let j = 0; j < n; j++) order[j] = j;
        order.sort((a, b) => hitScores[b] - hitScores[a] || hitRows[a] - hitRows[b]);
        for (let j = 0; j < n; j++) {
          rows[q * k + j] = hitRows[order[j]];
          scores[q * k + j] = hitScores[order[j]];
        }
      }
      return { rows, scores, k };
    },
  };
}

/** Build a FAISS inner-product index over row-major unit vectors. */
export function faissIndex(kind: FaissKind, vectors: Float32Array, dim: number): VectorIndex & { native: NativeIndex } {
  const f = load();
  const n = vectors.length / dim;
  if (n === 0) throw new FrwError('EMPTY_INPUT', 'cannot build a search index over an empty gallery');
  let native: NativeIndex;
  if (kind === 'flat') native = new f.IndexFlatIP(dim);
  else {
    const nlist = Math.max(1, Math.min(Math.round(4 * Math.sqrt(n)), Math.floor(n / 39)));
    const descriptor = kind === 'ivf' ? `IVF${nlist},Flat` : 'HNSW32';
    native = f.Index.fromFactory(dim, descriptor, f.MetricType.METRIC_INNER_PRODUCT);
    if (!native.isTrained()) native.train(vectors);
  }
  native.add(vectors);
  return wrap(native, kind === 'flat' ? 'faiss-flat' : `faiss-${kind}`, vectors);
}

/**
 * A flat inner-product index that changes with a gallery (the engine's, kept current from its change feed): rows
 * appended at the end, rows removed with the rest keeping their order (IndexFlat's remove_ids compacts in place),
 * so a caller keeping the same rows in a Float32Array in the same order can have scores recomputed from it.
 */
export interface GrowingFlatIndex {
  readonly size: number;
  add(rows: Float32Array): void;
  remove(rows: readonly number[]): void;
  /** Remove every row, keeping the storage's capacity (our faiss-node patch's reset): a refill allocates nothing. */
  reset(): void;
  /** A search over the index as it is now, rescoring from `vectors` (the caller's copy of the same rows). */
  view(vectors: Float32Array): VectorIndex;
}

export function growingFlatIndex(dim: number): GrowingFlatIndex {
  const native = new (load().IndexFlatIP)(dim);
  return {
    get size() {
      return native.ntotal();
    },
    add: (rows) => {
      if (rows.length) native.add(rows);
    },
    remove: (rows) => {
      if (rows.length && native.removeIds([...rows]) !== rows.length) throw new FrwError('INTERNAL', `FAISS removed a different number of rows than the ${rows.length} asked`);
    },
    reset: () => native.reset(),
    view: (vectors) => wrap(native, 'faiss-flat', vectors),
  };
}

export interface SavedIndexMeta {
  kind: string;
  rows: number;
  dim: number;
  /** sha256 of the index file, checked before loading. */
  sha256: string;
  /** What the rows are (e.g. the gallery's content hash): a loaded index must match what it is used for. */
  contentKey: string;
}

/** Write the index and a sidecar `<file>.json` with its checksum; both atomically. */
export async function saveFaissIndex(index: VectorIndex & { native: NativeIndex }, file: string, contentKey: string): Promise<SavedIndexMeta> {
  const tmp = `${file}.${process.pid}.tmp`;
  index.native.write(tmp);
  fs.renameSync(tmp, file);
  const meta: SavedIndexMeta = { kind: index.kind, rows: index.size, dim: index.native.getDimension(), sha256: await sha256File(file), contentKey };
  writeFileAtomic(`${file}.json`, JSON.stringify(meta, null, 2) + '\n');
  return meta;
}

/**
 * Load an index saved by saveFaissIndex, refusing a file whose checksum or content key does not match. Pass the
 * gallery `vectors` to have scores recomputed canonically (see wrap).
 */
export async function loadFaissIndex(file: string, contentKey: string, vectors: Float32Array | null = null): Promise<VectorIndex & { native: NativeIndex }> {
  const f = load();
  let meta: SavedIndexMeta;
  try {
    meta = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
  } catch (e) {
    throw new FrwError('NOT_FOUND', `index metadata ${file}.json is missing or unreadable: ${(e as Error).message}`);
  }
  const actual = await sha256File(file).catch(() => '');
  if (actual !== meta.sha256) throw new FrwError('INTEGRITY', `index ${file} does not match its checksum (expected ${meta.sha256}, got ${actual || 'no file'}); rebuild it`);
  if (meta.contentKey !== contentKey) throw new FrwError('INTEGRITY', `index ${file} was built for ${meta.contentKey}, not ${contentKey}; rebuild it`);
  const native = f.Index.read(file);
  if (native.ntotal() !== meta.rows || native.getDimension() !== meta.dim) throw new FrwError('INTEGRITY', `index ${file} holds ${native.ntotal()}×${native.getDimension()}, metadata says ${meta.rows}×${meta.dim}`);
  return wrap(native, meta.kind, vectors);
}
