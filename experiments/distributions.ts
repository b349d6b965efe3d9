import { FrwError } from '../core/errors.js';
import { scoreToL2Distance, similarityToCosineDistance } from './metrics/index.js';

/** How scores are shown: similarity, or one of its exact distance conversions (metrics.md). */
export const SCORE_VIEWS = ['similarity', 'cosine-distance', 'l2-distance'] as const;
export type ScoreView = (typeof SCORE_VIEWS)[number];

/** A fixed-width histogram: the distribution charts' data. */
export interface Histogram {
  /** Bin edges, length = counts.length + 1, ascending. */
  edges: number[];
  counts: number[];
}

/** A score in the user's chosen view (similarity as is, or one of the exact distance conversions of metrics.md). */
export function toView(s: number, view: ScoreView): number {
  if (view === 'similarity') return s;
  if (view === 'cosine-distance') return similarityToCosineDistance(s);
  return scoreToL2Distance(s);
}

/** The range a view spans for unit vectors: similarity [−1, 1], cosine distance [0, 2], L2 distance [0, 2]. */
export const VIEW_RANGE: Record<ScoreView, [number, number]> = { similarity: [-1, 1], 'cosine-distance': [0, 2], 'l2-distance': [0, 2] };

/**
 * Fixed-width histogram of `scores` in `view` over [lo, hi] (defaults to the data's range, padded): the
 * distribution charts' data. Values on the top edge fall in the last bin.
 */
export function histogram(scores: ArrayLike<number>, view: ScoreView, bins = 60, range?: [number, number]): Histogram {
  if (scores.length === 0) throw new FrwError('EMPTY_INPUT', 'no scores to histogram');
  let [lo, hi] = range ?? [Infinity, -Infinity];
  if (!range) {
    // Two passes rather than a converted copy: streamed all-pairs hands in 87 million scores.
    for (let i = 0; i < scores.length; i++) {
      const x = toView(scores[i], view);
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (hi <= lo) hi = lo + 1e-6;
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const x = toView(scores[i], view);
    if (x < lo || x > hi) continue;
    counts[Math.min(bins - 1, Math.floor((x - lo) / width))]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts };
}
