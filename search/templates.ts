import { listOf } from '../core/choice.js';
import { FrwError } from '../core/errors.js';
import { l2normalize } from '../models/embedder.js';
import type { EmbeddingTable } from '../pipeline/embedding-table.js';

/**
 * How an identity is represented in the gallery:
 * - `raw`: every enrolment vector; an identity's score is its best vector's (nearest of all gallery vectors).
 * - `mean`: one template, normalise(mean(normalised vectors)) — the seed's aggregated enhanced embedding.
 * - `median`: one template, the coordinate-wise median, normalised (robust to one bad enrolment photo).
 * - `quality`: one template, the mean weighted by detector score × min(1, inter-eye distance / 60 px) (60 px
 *   between the eyes is ICAO's minimum for portraits: smaller faces count for less), normalised.
 */
export const MATCH_MODES = ['raw', 'mean', 'median', 'quality'] as const;
export type MatchMode = (typeof MATCH_MODES)[number];

export interface Gallery {
  mode: MatchMode;
  dim: number;
  /** Row-major unit vectors. */
  vectors: Float32Array;
  /** Gallery identity index of each row. */
  owner: Int32Array;
  identities: string[];
  /** Enrolment images without a face (skipped), and identities left with none (not enrolled). */
  skippedImages: number;
  unenrolled: number[];
}

export function parseModes(list: string): MatchMode[] {
  return listOf(MATCH_MODES, list, 'matching modes');
}

/**
 * One identity's enrolment vectors → its gallery rows under `mode` (raw: the vectors themselves; otherwise one
 * normalised template). `weights` are used by `quality` only.
 */
export function aggregate(vectors: Float32Array[], weights: number[], mode: MatchMode): Float32Array[] {
  if (vectors.length === 0) throw new FrwError('EMPTY_INPUT', 'an identity needs at least one enrolment vector');
  if (mode === 'raw') return vectors;
  const dim = vectors[0].length;
  const t = new Float32Array(dim);
  if (mode === 'median') {
    const col = new Float64Array(vectors.length);
    for (let k = 0; k < dim; k++) {
      vectors.forEach((v, r) => (col[r] = v[k]));
      col.sort();
      const h = col.length >> 1;
      t[k] = col.length % 2 ? col[h] : (col[h - 1] + col[h]) / 2;
    }
  } else {
    vectors.forEach((v, r) => {
      const w = mode === 'quality' ? weights[r] : 1;
      for (let k = 0; k < dim; k++) t[k] += w * v[k];
    });
  }
  return [l2normalize(t)];
}

/** The quality weight of one enrolment image: detector score × min(1, inter-eye distance / 60 px). */
export function qualityWeight(q: { detScore: number; interEyeDistance: number } | null | undefined): number {
  if (!q) return 1;
  return q.detScore * (Number.isFinite(q.interEyeDistance) ? Math.min(1, q.interEyeDistance / 60) : 1);
}

/** Who is enrolled with which images (manifest indices): an identification split's gallery, or any other. */
export interface Enrolment {
  gallery: ReadonlyArray<{ identity: string; images: readonly number[] }>;
}

/** The gallery of `mode` from the enrolled images' embeddings; images without a face are skipped and counted. */
export function buildGallery(split: Enrolment, table: EmbeddingTable, mode: MatchMode): Gallery {
  const { dim } = table;
  const rows: Float32Array[] = [];
  const owner: number[] = [];
  let skippedImages = 0;
  const unenrolled: number[] = [];
  split.gallery.forEach((g, gi) => {
    const usable = g.images.filter((i) => table.ok[i]);
    skippedImages += g.images.length - usable.length;
    if (usable.length === 0) {
      unenrolled.push(gi);
      return;
    }
    const vecs = usable.map((i) => table.vectors.subarray(i * dim, (i + 1) * dim));
    for (const r of aggregate(vecs, usable.map((i) => qualityWeight(table.quality[i])), mode)) {
      rows.push(r);
      owner.push(gi);
    }
  });
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((r, k) => vectors.set(r, k * dim));
  return { mode, dim, vectors, owner: Int32Array.from(owner), identities: split.gallery.map((g) => g.identity), skippedImages, unenrolled };
}
