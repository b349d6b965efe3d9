import { FrwError } from '../core/errors.js';

/** Scored pairs with the images they compare (a run's scores.csv, or its binary pair files). */
export interface LabelledPairs {
  score: Float64Array;
  /** 1 = same person (genuine), 0 = different people (impostor). */
  same: Uint8Array;
  a: string[];
  b: string[];
}

export interface ErrorPair {
  a: string;
  b: string;
  score: number;
}

/** Pair indices ordered for error lookup: impostors by falling score, genuine pairs by rising score. */
export interface ErrorOrder {
  impostorDesc: Int32Array;
  genuineAsc: Int32Array;
}

/** Sort once per run and model; every threshold query after that is O(k). Pairs with a NaN score (FTA) are left out. */
export function errorOrder(pairs: LabelledPairs): ErrorOrder {
  const imp: number[] = [];
  const gen: number[] = [];
  for (let k = 0; k < pairs.score.length; k++) {
    if (Number.isNaN(pairs.score[k])) continue;
    (pairs.same[k] ? gen : imp).push(k);
  }
  // Ties broken by pair index so the lists are the same on every call.
  imp.sort((x, y) => pairs.score[y] - pairs.score[x] || x - y);
  gen.sort((x, y) => pairs.score[x] - pairs.score[y] || x - y);
  return { impostorDesc: Int32Array.from(imp), genuineAsc: Int32Array.from(gen) };
}

/**
 * The worst errors at threshold t (accept iff s >= t): false matches are impostor pairs with s >= t, highest first;
 * false non-matches are genuine pairs with s < t, lowest first. At most `k` of each.
 */
export function worstErrors(pairs: LabelledPairs, order: ErrorOrder, threshold: number, k: number): { falseMatches: ErrorPair[]; falseNonMatches: ErrorPair[] } {
  if (Number.isNaN(threshold)) throw new FrwError('BAD_INPUT', 'threshold is not a number');
  const take = (idx: Int32Array, isError: (s: number) => boolean) => {
    const out: ErrorPair[] = [];
    for (let i = 0; i < idx.length && out.length < k; i++) {
      const p = idx[i];
      if (!isError(pairs.score[p])) break; // ordered: the first non-error ends the list
      out.push({ a: pairs.a[p], b: pairs.b[p], score: pairs.score[p] });
    }
    return out;
  };
  return { falseMatches: take(order.impostorDesc, (s) => s >= threshold), falseNonMatches: take(order.genuineAsc, (s) => s < threshold) };
}
