import { dot, fourDots } from './dot.js';
import type { Gallery } from './templates.js';

/**
 * k-nearest gallery rows by inner product (= cosine for unit vectors). `exact` is the TypeScript reference every
 * index must agree with; FAISS indexes implement the same interface.
 */
export interface RowHits {
  /** queries × k row indices, best first; -1 where fewer than k rows exist. */
  rows: Int32Array;
  scores: Float32Array;
  k: number;
}

export interface VectorIndex {
  readonly kind: string;
  /** Rows in the index. */
  readonly size: number;
  search(queries: Float32Array, k: number): RowHits;
}

/** Brute force over all rows; ties broken by the lower row index (so results are deterministic). */
export function exactIndex(vectors: Float32Array, dim: number): VectorIndex {
  const size = vectors.length / dim;
  return {
    kind: 'exact',
    size,
    search(queries, k) {
      const nq = queries.length / dim;
      const kk = Math.min(k, size);
      const rows = new Int32Array(nq * k).fill(-1);
      const scores = new Float32Array(nq * k).fill(-Infinity);
      const four = new Float64Array(4);
      for (let q = 0; q < nq; q++) {
        const base = q * k;
        let filled = 0;
        const consider = (r: number, s: number) => {
          const sf = Math.fround(s);
          if (filled === kk && sf <= scores[base + kk - 1]) return;
          // Insert keeping descending order; equal scores keep the earlier (lower) row first.
          let p = filled < kk ? filled++ : kk - 1;
          while (p > 0 && scores[base + p - 1] < sf) {
            scores[base + p] = scores[base + p - 1];
            rows[base + p] = rows[base + p - 1];
            p--;
          }
          scores[base + p] = sf;
          rows[base + p] = r;
        };
        let r = 0;
        for (; r + 3 < size; r += 4) {
          fourDots(queries, q * dim, vectors, r * dim, dim, four);
          for (let t = 0; t < 4; t++) consider(r + t, four[t]);
        }
        for (; r < size; r++) consider(r, dot(queries, q * dim, vectors, r * dim, dim));
      }
      return { rows, scores, k };
    },
  };
}

export interface RankedCandidates {
  /** probes × ranks gallery identity indices, best first; -1 past the end. */
  identity: Int32Array;
  score: Float32Array;
  ranks: number;
}

/**
 * Rows to identities: an identity's score is its best row's (raw mode's "nearest of all its vectors"), so the
 * first time an identity appears in a probe's best-first row list is its place. `k` rows must be enough to reach
 * `ranks` distinct identities: `ranks × (most rows of one identity)`.
 */
export function rankIdentities(hits: RowHits, gallery: Gallery, ranks: number): RankedCandidates {
  const nq = hits.rows.length / hits.k;
  const identity = new Int32Array(nq * ranks).fill(-1);
  const score = new Float32Array(nq * ranks).fill(-Infinity);
  const seen = new Set<number>();
  for (let q = 0; q < nq; q++) {
    seen.clear();
    let n = 0;
    for (let j = 0; j < hits.k && n < ranks; j++) {
      const row = hits.rows[q * hits.k + j];
      if (row < 0) break;
      const id = gallery.owner[row];
      if (seen.has(id)) continue;
      seen.add(id);
      identity[q * ranks + n] = id;
      score[q * ranks + n] = hits.scores[q * hits.k + j];
      n++;
    }
  }
  return { identity, score, ranks };
}

/** Rows to ask the index for so that `ranks` distinct identities are certain to be among them. */
export function rowsNeeded(gallery: Gallery, ranks: number): number {
  const perIdentity = new Map<number, number>();
  let most = 0;
  for (const o of gallery.owner) {
    const c = (perIdentity.get(o) ?? 0) + 1;
    perIdentity.set(o, c);
    most = Math.max(most, c);
  }
  return Math.min(gallery.owner.length, ranks * most);
}
