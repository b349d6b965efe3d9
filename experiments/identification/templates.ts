import { FrwError } from '../../core/errors.js';
import { l2normalize } from '../../models/embedder.js';
import type { EmbeddingTable } from '../embeddings.js';
import type { IdentificationSplit } from './split.js';

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
  const modes = list.split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of modes) if (!(MATCH_MODES as readonly string[]).includes(m)) throw new FrwError('BAD_INPUT', `unknown matching mode "${m}"; use ${MATCH_MODES.join(', ')}`);
  if (modes.length === 0) throw new FrwError('BAD_INPUT', 'name at least one matching mode');
  return modes as MatchMode[];
}

export function buildGallery(split: IdentificationSplit, table: EmbeddingTable, mode: MatchMode): Gallery {
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
    const vec = (i: number) => table.vectors.subarray(i * dim, (i + 1) * dim);
    if (mode === 'raw') {
      for (const i of usable) {
        rows.push(vec(i));
        owner.push(gi);
      }
      return;
    }
    const t = new Float32Array(dim);
    if (mode === 'median') {
      const col = new Float64Array(usable.length);
      for (let k = 0; k < dim; k++) {
        usable.forEach((i, r) => (col[r] = table.vectors[i * dim + k]));
        col.sort();
        const h = col.length >> 1;
        t[k] = col.length % 2 ? col[h] : (col[h - 1] + col[h]) / 2;
      }
    } else {
      for (const i of usable) {
        const q = table.quality[i];
        const w = mode === 'quality' && q ? q.detScore * (Number.isFinite(q.interEyeDistance) ? Math.min(1, q.interEyeDistance / 60) : 1) : 1;
        const v = vec(i);
        for (let k = 0; k < dim; k++) t[k] += w * v[k];
      }
    }
    rows.push(l2normalize(t));
    owner.push(gi);
  });
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((r, k) => vectors.set(r, k * dim));
  return { mode, dim, vectors, owner: Int32Array.from(owner), identities: split.gallery.map((g) => g.identity), skippedImages, unenrolled };
}
