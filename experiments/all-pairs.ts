import type { EmbeddingTable } from '../pipeline/embedding-table.js';
import { dot, fourDots } from '../search/dot.js';

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

/**
 * Score all pairs i < j of the table. Rows are processed in blocks so the inner rows stay in cache; `onProgress`
 * gets the share of pairs done. Memory: 4 bytes per pair plus the table.
 */
export function scoreAllPairs(table: EmbeddingTable, identities: Int32Array, opts: { keep?: number; onProgress?: (share: number) => void } = {}): StreamedPairScores {
  const ok = table.ok;
  const counts = allPairsCounts(identities);
  const genuine = new Float32Array(counts.genuine);
  const impostor = new Float32Array(counts.impostor);
  let g = 0;
  let m = 0;
  let exG = 0;
  let exI = 0;
  const keep = opts.keep ?? 50;
  const top = new BoundedList(keep, (x, y) => y.score - x.score);
  const bottom = new BoundedList(keep, (x, y) => x.score - y.score);
  const record = (i: number, j: number, product: number) => {
    const same = identities[i] === identities[j];
    if (!ok[i] || !ok[j]) {
      if (same) exG++;
      else exI++;
      return;
    }
    const s = Math.fround(product); // the float32 that is stored, so the kept lists match the score files
    if (same) {
      genuine[g++] = s;
      if (bottom.accepts(s)) bottom.add({ a: i, b: j, score: s });
    } else {
      impostor[m++] = s;
      if (top.accepts(s)) top.add({ a: i, b: j, score: s });
    }
  };
  const total = counts.genuine + counts.impostor;
  forEachPair(table, record, (done) => opts.onProgress?.(done / total));
  return { genuine: genuine.subarray(0, g), impostor: impostor.subarray(0, m), excluded: { genuine: exG, impostor: exI }, topImpostors: top.items(), bottomGenuine: bottom.items() };
}

/** The best `cap` items under `order` (negative = first argument ranks higher), kept sorted; O(cap) insert. */
class BoundedList {
  private readonly list: ScoredPair[] = [];
  constructor(
    private readonly cap: number,
    private readonly order: (x: ScoredPair, y: ScoredPair) => number,
  ) {}
  accepts(score: number): boolean {
    if (this.list.length < this.cap) return true;
    return this.order({ a: 0, b: 0, score }, this.list[this.list.length - 1]) < 0;
  }
  add(p: ScoredPair): void {
    let i = this.list.length;
    while (i > 0 && this.order(p, this.list[i - 1]) < 0) i--;
    this.list.splice(i, 0, p);
    if (this.list.length > this.cap) this.list.pop();
  }
  items(): ScoredPair[] {
    return [...this.list];
  }
}

/**
 * Visit every pair i < j of the table's rows with its dot product, in blocks so the inner rows stay in cache;
 * `onDone` gets the pairs visited so far after each block of rows.
 */
function forEachPair(table: EmbeddingTable, visit: (i: number, j: number, product: number) => void, onDone?: (pairs: number) => void): void {
  const { dim, vectors: v } = table;
  const n = table.ok.length;
  const BLOCK = 256;
  const dots = new Float64Array(4);
  let done = 0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    for (let j0 = i0; j0 < n; j0 += BLOCK) {
      const j1 = Math.min(n, j0 + BLOCK);
      for (let i = i0; i < i1; i++) {
        const ai = i * dim;
        let j = Math.max(j0, i + 1);
        // Four rows at a time: each element of row i is loaded once for four products (the loop is load-bound).
        for (; j + 3 < j1; j += 4) {
          fourDots(v, ai, v, j * dim, dim, dots);
          for (let q = 0; q < 4; q++) visit(i, j + q, dots[q]);
        }
        for (; j < j1; j++) visit(i, j, dot(v, ai, v, j * dim, dim));
      }
    }
    done += ((i1 - i0) * (2 * n - i0 - i1 - 1)) / 2;
    onDone?.(done);
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
export function impostorTail(table: EmbeddingTable, identities: Int32Array, floor: number): ImpostorTail {
  const score: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const ok = table.ok;
  forEachPair(table, (i, j, product) => {
    if (identities[i] === identities[j] || !ok[i] || !ok[j]) return;
    const s = Math.fround(product);
    if (s < floor) return;
    score.push(s);
    a.push(i);
    b.push(j);
  });
  const order = Array.from(score.keys()).sort((x, y) => score[y] - score[x] || x - y);
  return { score: Float32Array.from(order, (k) => score[k]), a: Int32Array.from(order, (k) => a[k]), b: Int32Array.from(order, (k) => b[k]) };
}
