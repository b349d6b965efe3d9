import type { EmbeddingTable } from '../pipeline/embedding-table.js';
import { rowDot } from '../pipeline/embedding-table.js';
import type { ComparisonSet } from './protocols.js';

/**
 * Scores of one model on a comparison set. Comparisons touching an image without a face are excluded from the
 * algorithm-level scores and counted (metrics.md: failures to acquire are never dropped silently).
 */
export interface ScoredComparisons {
  /** Cosine similarity per comparison, NaN where excluded. Same order as the ComparisonSet. */
  score: Float32Array;
  genuine: Float32Array;
  impostor: Float32Array;
  /** Comparison index of each genuine / impostor score, for breakdowns and worst-case lists. */
  genuineIndex: Int32Array;
  impostorIndex: Int32Array;
  excluded: { genuine: number; impostor: number };
}

export function scoreComparisons(set: ComparisonSet, table: EmbeddingTable): ScoredComparisons {
  const n = set.a.length;
  const score = new Float32Array(n);
  let g = 0;
  let m = 0;
  let exG = 0;
  let exI = 0;
  for (let k = 0; k < n; k++) {
    const i = set.a[k];
    const j = set.b[k];
    if (!table.ok[i] || !table.ok[j]) {
      score[k] = NaN;
      if (set.same[k]) exG++;
      else exI++;
      continue;
    }
    score[k] = rowDot(table, i, j);
    if (set.same[k]) g++;
    else m++;
  }
  const genuine = new Float32Array(g);
  const impostor = new Float32Array(m);
  const genuineIndex = new Int32Array(g);
  const impostorIndex = new Int32Array(m);
  g = 0;
  m = 0;
  for (let k = 0; k < n; k++) {
    if (Number.isNaN(score[k])) continue;
    if (set.same[k]) {
      genuineIndex[g] = k;
      genuine[g++] = score[k];
    } else {
      impostorIndex[m] = k;
      impostor[m++] = score[k];
    }
  }
  return { score, genuine, impostor, genuineIndex, impostorIndex, excluded: { genuine: exG, impostor: exI } };
}
