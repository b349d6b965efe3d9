/**
 * Sorting once and counting by binary search. Every metric here reduces to two counts at a threshold t:
 * #{impostor s >= t} and #{genuine s < t}; with both score sets sorted ascending each is one binary search, and a
 * sweep over all candidate thresholds is one merge of the two arrays (O(n) after the O(n log n) sort).
 */
import { FrwError } from '../../core/errors.js';
import { sortFloat64 } from './radix-sort.js';
import type { Scores, ScoresOrGenuine, SortedScores } from './types.js';

/** SortedScores objects built by sortScores or sortedScoresOf; anything else is unsorted input (or a hand-made imitation). */
const built = new WeakSet<object>();

/** Whether `x` is a SortedScores built by `sortScores` or `sortedScoresOf` (so its arrays are known sorted and finite). */
export function isSortedScores(x: unknown): x is SortedScores {
  return typeof x === 'object' && x !== null && built.has(x);
}

/**
 * Copies scores into a Float64Array sorted ascending. Float32 values widen exactly; -0 becomes +0. Non-finite
 * scores are refused: NaN has no order, and a score of ±Infinity would coincide with the ±Infinity candidate thresholds.
 */
export function toSortedFloat64(scores: Scores, what: string): Float64Array {
  if (scores == null || typeof scores.length !== 'number') {
    throw new FrwError('BAD_INPUT', `${what} scores must be an array of numbers`);
  }
  // Typed arrays convert natively; one loop then checks, normalises -0 and sees whether the input came sorted.
  const out = scores instanceof Float32Array || scores instanceof Float64Array ? new Float64Array(scores) : Float64Array.from(scores);
  let ascending = true;
  let prev = -Infinity;
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (!Number.isFinite(v)) throw new FrwError('BAD_INPUT', `${what} score #${i} is ${v}; comparison scores must be finite numbers`, { index: i });
    // -0 equals 0 under every comparison here; store +0 so no threshold is ever reported as -0.
    if (v === 0) out[i] = 0;
    if (v < prev) ascending = false;
    prev = v;
  }
  // The one sorting step of every metric: a radix sort for long arrays, the native numeric sort otherwise;
  // skipped when the caller sorted already (streamed all-pairs scores).
  return ascending ? out : sortFloat64(out);
}

/**
 * Takes two ascending Float64Arrays as the sorted scores, without copying them: for hundreds of millions of streamed
 * scores the copy sortScores makes would be the run's memory peak. One pass each checks what sortScores guarantees
 * (finite, ascending) and stores -0 as +0 in place. Throws BAD_INPUT when an array is not ascending or holds a
 * non-finite value, EMPTY_INPUT as sortScores. The arrays belong to the result from then on.
 */
export function sortedScoresOf(genuine: Float64Array, impostor: Float64Array): SortedScores {
  for (const [a, what] of [[genuine, 'genuine'], [impostor, 'impostor']] as const) {
    let prev = -Infinity;
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isFinite(v)) throw new FrwError('BAD_INPUT', `${what} score #${i} is ${v}; comparison scores must be finite numbers`, { index: i });
      if (v < prev) throw new FrwError('BAD_INPUT', `${what} scores are not ascending at #${i} (${prev} then ${v})`, { index: i });
      if (v === 0) a[i] = 0;
      prev = v;
    }
  }
  return frozenSorted(genuine, impostor);
}

/**
 * Sorts genuine and impostor scores ascending, once, for all the metrics. Ties are kept (they matter: tied
 * scores always move together across a threshold). Throws EMPTY_INPUT if either set is empty (FMR needs
 * impostors, FNMR needs genuine scores) and BAD_INPUT for a non-finite score.
 */
export function sortScores(genuine: Scores, impostor: Scores): SortedScores {
  return frozenSorted(toSortedFloat64(genuine, 'genuine'), toSortedFloat64(impostor, 'impostor'));
}

/** The one constructor of SortedScores: refuses empty sets, freezes, and remembers the object as sorted. */
function frozenSorted(g: Float64Array, i: Float64Array): SortedScores {
  if (g.length === 0 && i.length === 0) throw new FrwError('EMPTY_INPUT', 'no comparison scores: both genuine and impostor sets are empty');
  if (g.length === 0) throw new FrwError('EMPTY_INPUT', `no genuine scores (only ${i.length} impostor): FNMR and TAR are undefined`);
  if (i.length === 0) throw new FrwError('EMPTY_INPUT', `no impostor scores (only ${g.length} genuine): FMR is undefined`);
  const s: SortedScores = Object.freeze({ genuine: g, impostor: i });
  built.add(s);
  return s;
}

/**
 * The scores of a metric call: `(sorted, ...rest)` or `(genuine, impostor, ...rest)`. Returns the sorted scores
 * and the index in `args` where the metric's own arguments start.
 */
export function scoresFrom(args: readonly unknown[]): { sorted: SortedScores; next: number } {
  const first = args[0] as ScoresOrGenuine;
  if (isSortedScores(first)) return { sorted: first, next: 1 };
  return { sorted: sortScores(first as Scores, args[1] as Scores), next: 2 };
}

/** First index i with a[i] >= t in ascending `a` (a.length if none); t may be ±Infinity. */
export function lowerBound(a: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i with a[i] > t in ascending `a` (a.length if none). */
export function upperBound(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** #{s >= t}: the accepted scores under "accept iff s >= t" (impostors: the false matches). */
export function countAtLeast(sortedAsc: Float64Array, t: number): number {
  return sortedAsc.length - lowerBound(sortedAsc, t);
}

/** #{s < t}: the rejected scores (genuine: the false non-matches). */
export function countBelow(sortedAsc: Float64Array, t: number): number {
  return lowerBound(sortedAsc, t);
}

/** Number of distinct values in the union of two ascending arrays (merge, no allocation). */
export function countDistinct(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    n++;
  }
  return n;
}

/**
 * Calls `visit(t, acceptedGenuine, acceptedImpostor)` for every candidate threshold, from +Infinity (nothing
 * accepted) down through each distinct observed score to -Infinity (everything accepted). Tied scores, within
 * or across the two sets, are accepted together at the same threshold.
 */
export function forEachCandidate(s: SortedScores, visit: (threshold: number, acceptedGenuine: number, acceptedImpostor: number) => void): void {
  const g = s.genuine;
  const im = s.impostor;
  let i = g.length - 1;
  let j = im.length - 1;
  visit(Infinity, 0, 0);
  while (i >= 0 || j >= 0) {
    const v = j < 0 || (i >= 0 && g[i] >= im[j]) ? g[i] : im[j];
    while (i >= 0 && g[i] === v) i--;
    while (j >= 0 && im[j] === v) j--;
    visit(v, g.length - 1 - i, im.length - 1 - j);
  }
  visit(-Infinity, g.length, im.length);
}

/** The candidate thresholds (distinct observed scores plus ±Infinity), descending from +Infinity. */
export function candidateThresholds(...args: [SortedScores] | [Scores, Scores]): Float64Array {
  const { sorted } = scoresFrom(args);
  const out = new Float64Array(countDistinct(sorted.genuine, sorted.impostor) + 2);
  let k = 0;
  forEachCandidate(sorted, (t) => {
    out[k++] = t;
  });
  return out;
}

/** The candidate threshold maximising an objective, with the counts there. */
export interface BestCandidate {
  readonly threshold: number;
  readonly value: number;
  readonly acceptedGenuine: number;
  readonly acceptedImpostor: number;
}

/**
 * The candidate threshold maximising `objective(acceptedGenuine, acceptedImpostor)`. Ties: the highest
 * (strictest) threshold wins: the sweep runs from +Infinity down and only a strictly better value replaces the
 * best, the choice numpy's argmax makes over InsightFace's ascending distance grid.
 */
export function bestCandidate(s: SortedScores, objective: (acceptedGenuine: number, acceptedImpostor: number) => number): BestCandidate {
  // Plain locals, not an object per improvement: a monotone objective improves at every one of 10^7 points.
  let threshold = NaN;
  let value = -Infinity;
  let acceptedGenuine = 0;
  let acceptedImpostor = 0;
  let first = true;
  forEachCandidate(s, (t, ag, ai) => {
    const v = objective(ag, ai);
    if (first || v > value) {
      first = false;
      threshold = t;
      value = v;
      acceptedGenuine = ag;
      acceptedImpostor = ai;
    }
  });
  return { threshold, value, acceptedGenuine, acceptedImpostor };
}
