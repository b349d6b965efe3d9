import { FrwError } from '../core/errors.js';
import type { EmbeddingTable } from '../pipeline/embedding-table.js';
import { dot } from '../search/dot.js';
import { GemmKernel } from '../search/gemm.js';
import { sortedScoresOf, type SortedScores } from './metrics/index.js';
import { sharedFloat32, sortToFloat64 } from './sort-parallel.js';

/**
 * Every pair of a dataset scored without materialising the pairs: 13,233 LFW images are 87.5 million pairs,
 * whose index arrays alone would take 700 MB. Scores go straight into two preallocated float32 arrays
 * (genuine, impostor); the worst cases are kept in bounded lists for the per-identity breakdown.
 */
export interface StreamedPairScores {
  genuine: Float32Array;
  impostor: Float32Array;
  excluded: { genuine: number; impostor: number };
  /** Highest-scoring impostor pairs (the likeliest false matches), best first. */
  topImpostors: ScoredPair[];
  /** Lowest-scoring genuine pairs (the likeliest false non-matches), worst first. */
  bottomGenuine: ScoredPair[];
}

export interface ScoredPair {
  a: number;
  b: number;
  score: number;
}

export interface AllPairsCounts {
  genuine: number;
  impostor: number;
}

/** Pair counts by kind over images i < j, from identity sizes: n(n−1)/2 in all, Σ k(k−1)/2 of them genuine. */
export function allPairsCounts(identities: Int32Array): AllPairsCounts {
  const sizes = new Map<number, number>();
  for (const id of identities) sizes.set(id, (sizes.get(id) ?? 0) + 1);
  let genuine = 0;
  for (const k of sizes.values()) genuine += (k * (k - 1)) / 2;
  const n = identities.length;
  return { genuine, impostor: (n * (n - 1)) / 2 - genuine };
}

export interface AllPairsOptions {
  /** Intra-op threads of the matrix products (the run's --threads). */
  threads?: number;
  /** Gets the share of pairs done after each block of rows. */
  onProgress?: (share: number) => void;
  /** Checked between blocks of rows: an aborted pass throws CANCELLED. */
  signal?: AbortSignal;
  /** Rows per matrix product; default: as many as BLOCK_BYTES of products allow (at most 1024). */
  blockRows?: number;
}

/**
 * Score all pairs i < j of the table: score = fround(Σ aₖbₖ summed in index order), the float32 the score files store
 * (exactly: see roundsEitherWay). Pairs touching an image without a face are counted as excluded, by kind. Memory:
 * 4 bytes per pair, plus a float64 copy of the rows (twice the table) and one block of products (forEachRow).
 */
export async function scoreAllPairs(table: EmbeddingTable, identities: Int32Array, opts: AllPairsOptions & { keep?: number } = {}): Promise<StreamedPairScores> {
  const counts = allPairsCounts(identities);
  const rows = groupedRows(table, identities);
  const kept = allPairsCounts(rows.identity);
  const genuine = new Float32Array(kept.genuine);
  // Shared memory, so sortToFloat64 can sort half of them on a second thread without a copy.
  const impostor = sharedFloat32(kept.impostor);
  let g = 0;
  let m = 0;
  const keep = opts.keep ?? 50;
  const top = new BoundedList(keep, 'highest');
  const bottom = new BoundedList(keep, 'lowest');
  const { order, groupEnd } = rows;
  const n = order.length;
  const pair = (i: number, j: number, score: number): ScoredPair => ({ a: Math.min(order[i], order[j]), b: Math.max(order[i], order[j]), score });
  await forEachRow(table, rows, opts, (i, products, base) => {
    const end = groupEnd[i];
    for (let j = i + 1; j < end; j++) {
      const s = Math.fround(products[base + j]);
      genuine[g++] = s;
      if (bottom.accepts(s)) bottom.add(pair(i, j, s));
    }
    // The impostors of row i are one run of products: converted to float32 natively, then scanned for the kept list.
    impostor.set(products.subarray(base + end, base + n), m);
    m += n - end;
    const floor = top.floor() - FLOOR_MARGIN;
    for (let j = end; j < n; j++) {
      if (!(products[base + j] > floor)) continue;
      const s = Math.fround(products[base + j]);
      if (top.accepts(s)) top.add(pair(i, j, s));
    }
  });
  const excluded = { genuine: counts.genuine - kept.genuine, impostor: counts.impostor - kept.impostor };
  return { genuine, impostor, excluded, topImpostors: top.items(), bottomGenuine: bottom.items() };
}

/** Below fround's rounding of any score in [-1, 1] (half an ulp ≤ 2^-25): a product under floor − margin cannot round into the list. */
const FLOOR_MARGIN = 2 ** -20;

/**
 * Streamed scores sorted for the metrics, consuming them: each float32 array is replaced by an empty one once its
 * sorted float64 copy exists (sortToFloat64), so the two copies of 87 million impostor scores overlap only during
 * the merge, and nothing is copied again after it (sortedScoresOf).
 */
export async function sortStreamed(s: StreamedPairScores, threads: number): Promise<SortedScores> {
  const genuine = await sortToFloat64(s.genuine, 1);
  s.genuine = new Float32Array(0);
  const impostor = await sortToFloat64(s.impostor, threads);
  s.impostor = new Float32Array(0);
  return sortedScoresOf(genuine, impostor);
}

/**
 * The `cap` highest (or lowest) scored pairs seen, kept sorted best first; among equal scores the first seen ranks
 * higher. accepts() is one comparison of numbers, since it runs for every one of tens of millions of pairs.
 */
class BoundedList {
  private readonly list: ScoredPair[] = [];
  constructor(
    private readonly cap: number,
    private readonly keep: 'highest' | 'lowest',
  ) {}
  private better(x: number, y: number): boolean {
    return this.keep === 'highest' ? x > y : x < y;
  }
  accepts(score: number): boolean {
    return this.list.length < this.cap || this.better(score, this.list[this.list.length - 1].score);
  }
  /** The score a new pair must beat (−Infinity, for a list keeping the highest, until it is full). */
  floor(): number {
    return this.list.length < this.cap ? -Infinity : this.list[this.list.length - 1].score;
  }
  add(p: ScoredPair): void {
    let i = this.list.length;
    while (i > 0 && this.better(p.score, this.list[i - 1].score)) i--;
    this.list.splice(i, 0, p);
    if (this.list.length > this.cap) this.list.pop();
  }
  items(): ScoredPair[] {
    return [...this.list];
  }
}

/**
 * The rows that take part, grouped by identity: rows without a face left out (their pairs are excluded, counted from
 * identity sizes), the rest in a stable order by identity, so that row i's genuine partners after it are the rows up
 * to groupEnd[i] and its impostors every row from there. A set listed identity by identity (LFW, folder sets) keeps
 * its order, so pairs come in the order i < j of the table; an interleaved one (a CSV set) comes in grouped order,
 * which only the tie order of the kept lists can show.
 */
interface GroupedRows {
  /** Table row of each row here. */
  order: Int32Array;
  identity: Int32Array;
  /** One past the last row of row i's identity. */
  groupEnd: Int32Array;
}

function groupedRows(table: EmbeddingTable, identities: Int32Array): GroupedRows {
  const rows: number[] = [];
  for (let i = 0; i < table.ok.length; i++) if (table.ok[i]) rows.push(i);
  // Stable: equal identities keep table order (Array.prototype.sort is stable).
  rows.sort((x, y) => identities[x] - identities[y]);
  const order = Int32Array.from(rows);
  const identity = Int32Array.from(rows, (r) => identities[r]);
  const groupEnd = new Int32Array(order.length);
  for (let i = order.length - 1; i >= 0; i--) groupEnd[i] = i + 1 < order.length && identity[i + 1] === identity[i] ? groupEnd[i + 1] : i + 1;
  return { order, identity, groupEnd };
}

/**
 * Twice the largest difference summation order can make to a float64 dot product of two unit float32 rows: each
 * order's error is at most (dim − 1)·2⁻⁵³·Σ|aₖbₖ| (products are exact in float64) and Σ|aₖbₖ| ≤ ‖a‖‖b‖ ≈ 1; doubled
 * again for rows a hair over unit length.
 */
export const orderErrorBound = (dim: number): number => dim * 2 ** -51;

/**
 * Whether a float64 sum `p` lies within `tol` of a float32 rounding midpoint, so that the same sum in another order
 * could round to the other float32. Outside that band every order gives fround(p), which is what makes the Gemm's
 * scores exactly the sequential loop's (search/dot.ts); the few inside it (scores within ~1e-13 of a midpoint, and
 * scores within ~1e-7 of zero) are recomputed in index order.
 */
export const roundsEitherWay = (p: number, tol: number): boolean => Math.fround(p - tol) !== Math.fround(p + tol);

/** Working memory of one block of products (float64): bounds a pass whatever the number of images. */
const BLOCK_BYTES = 64 * 2 ** 20;

/**
 * Visit every row i with the float64 products of row i against all rows: `visit(i, products, base)` reads the
 * product with row j > i at products[base + j] (indices into `rows`). Rows go in blocks through one matrix product
 * (search/gemm.ts), the block against every row from its own first on, so half the matrix is computed (plus the
 * block's own triangle) and rows are visited in order. Products whose float32 rounding the summation order could
 * change are recomputed in index order first (roundsEitherWay), so every fround of a product is the exact score. The float64 copy of the rows is 8 bytes per value; a block
 * holds at most BLOCK_BYTES of products.
 */
async function forEachRow(table: EmbeddingTable, rows: GroupedRows, opts: AllPairsOptions, visit: (i: number, products: Float64Array, base: number) => void): Promise<void> {
  const { dim, vectors } = table;
  const n = rows.order.length;
  if (n < 2) return;
  const block = opts.blockRows ?? Math.max(1, Math.min(1024, Math.floor(BLOCK_BYTES / (8 * n))));
  if (!Number.isInteger(block) || block < 1) throw new FrwError('BAD_INPUT', `rows per block must be a positive integer, got ${block}`);
  const wide = new Float64Array(n * dim);
  rows.order.forEach((r, i) => wide.set(vectors.subarray(r * dim, (r + 1) * dim), i * dim));
  const kernel = await GemmKernel.create(dim, opts.threads ?? 1);
  const tol = orderErrorBound(dim);
  const total = (n * (n - 1)) / 2;
  let done = 0;
  try {
    for (let i0 = 0; i0 < n - 1; i0 += block) {
      if (opts.signal?.aborted) throw new FrwError('CANCELLED', 'all-pairs scoring cancelled');
      const i1 = Math.min(n, i0 + block);
      const products = await kernel.products(wide.subarray(i0 * dim, i1 * dim), wide.subarray(i0 * dim));
      const width = n - i0;
      for (let i = i0; i < i1; i++) {
        const base = (i - i0) * width - i0;
        for (let j = i + 1; j < n; j++) {
          if (roundsEitherWay(products[base + j], tol)) products[base + j] = dot(vectors, rows.order[i] * dim, vectors, rows.order[j] * dim, dim);
        }
        visit(i, products, base);
      }
      done += ((i1 - i0) * (2 * n - i0 - i1 - 1)) / 2;
      opts.onProgress?.(done / total);
    }
  } finally {
    await kernel.release();
  }
}

/** Impostor pairs scoring at least `floor` (as float32, like the score files), highest first: the tail a budget lives in. */
export interface ImpostorTail {
  score: Float32Array;
  a: Int32Array;
  b: Int32Array;
}

/**
 * A second pass over all pairs keeping the impostor pairs with score >= floor (pairs touching an image without a
 * face are left out, as in scoreAllPairs), sorted by falling score. Choose the floor from the sorted impostor scores
 * of the first pass so the tail stays small (the bootstrap of a budget needs only the pairs above its threshold).
 */
export async function impostorTail(table: EmbeddingTable, identities: Int32Array, floor: number, opts: AllPairsOptions = {}): Promise<ImpostorTail> {
  const score: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const rows = groupedRows(table, identities);
  const { order, groupEnd } = rows;
  const n = order.length;
  const below = floor - FLOOR_MARGIN;
  await forEachRow(table, rows, opts, (i, products, base) => {
    for (let j = groupEnd[i]; j < n; j++) {
      if (!(products[base + j] > below)) continue;
      const s = Math.fround(products[base + j]);
      if (s < floor) continue;
      score.push(s);
      a.push(Math.min(order[i], order[j]));
      b.push(Math.max(order[i], order[j]));
    }
  });
  const byScore = Array.from(score.keys()).sort((x, y) => score[y] - score[x] || x - y);
  return { score: Float32Array.from(byScore, (k) => score[k]), a: Int32Array.from(byScore, (k) => a[k]), b: Int32Array.from(byScore, (k) => b[k]) };
}
