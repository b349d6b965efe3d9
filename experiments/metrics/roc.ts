/** ROC step curve, exact AUC and DET curve (docs/metrics.md, "Verification (1:1)"). */
import { countDistinct, forEachCandidate, scoresFrom } from './sorted.js';
import { probit } from './probit.js';
import type { DetCurve, RocCurve, Scores, SortedScores } from './types.js';

/**
 * ROC: the step curve of (FMR(t), TAR(t)) at every candidate threshold t (distinct scores plus ±Infinity),
 * ordered from t = +Infinity (FMR 0, TAR 0) to t = -Infinity (FMR 1, TAR 1).
 * Ties: all scores equal to t are accepted together (s >= t), so tied genuine and impostor scores move the
 * curve diagonally in one step. sklearn's roc_curve(drop_intermediate=False) gives the same points minus our
 * final -Infinity point. O(n) on SortedScores.
 */
export function rocCurve(sorted: SortedScores): RocCurve;
export function rocCurve(genuine: Scores, impostor: Scores): RocCurve;
export function rocCurve(...args: unknown[]): RocCurve {
  const { sorted } = scoresFrom(args);
  const ng = sorted.genuine.length;
  const ni = sorted.impostor.length;
  const n = countDistinct(sorted.genuine, sorted.impostor) + 2;
  const threshold = new Float64Array(n);
  const fmr = new Float64Array(n);
  const fnmr = new Float64Array(n);
  const tar = new Float64Array(n);
  let k = 0;
  forEachCandidate(sorted, (t, acceptedGenuine, acceptedImpostor) => {
    threshold[k] = t;
    fmr[k] = acceptedImpostor / ni;
    // Rates from counts, never 1 - other rate, so each is the correctly rounded ratio (bit-equal to sklearn).
    tar[k] = acceptedGenuine / ng;
    fnmr[k] = (ng - acceptedGenuine) / ng;
    k++;
  });
  return { threshold, fmr, fnmr, tar, genuineCount: ng, impostorCount: ni };
}

/**
 * AUC = P(genuine > impostor) + 1/2 P(genuine = impostor), the exact Mann-Whitney statistic U/(N_g N_i).
 * Ties: a genuine score equal to an impostor score counts one half. Computed by one merge of the sorted
 * arrays; the sum 2U is an integer held exactly while 2·N_g·N_i < 2^53 (e.g. 1e5 x 1e10), so the only rounding
 * is the final division.
 */
export function auc(sorted: SortedScores): number;
export function auc(genuine: Scores, impostor: Scores): number;
export function auc(...args: unknown[]): number {
  const { sorted } = scoresFrom(args);
  const g = sorted.genuine;
  const im = sorted.impostor;
  let twiceU = 0;
  let j = 0; // impostors strictly below the current genuine value
  let i = 0;
  while (i < g.length) {
    const v = g[i];
    let c = 0;
    while (i < g.length && g[i] === v) {
      i++;
      c++;
    }
    while (j < im.length && im[j] < v) j++;
    let eq = 0;
    while (j + eq < im.length && im[j + eq] === v) eq++;
    twiceU += c * (2 * j + eq);
  }
  return twiceU / (2 * g.length * im.length);
}

/**
 * DET: (probit(FMR(t)), probit(FNMR(t))) at every candidate threshold, index-aligned with rocCurve.
 * Ties: as rocCurve (s >= t accepts). Rates of 0 and 1 map to -Infinity and +Infinity and are kept, not
 * dropped or clipped, so the arrays stay aligned with the thresholds; a plot clips them to its axis.
 */
export function detCurve(sorted: SortedScores): DetCurve;
export function detCurve(genuine: Scores, impostor: Scores): DetCurve;
export function detCurve(...args: unknown[]): DetCurve {
  const roc = rocCurve(scoresFrom(args).sorted);
  const probitFmr = new Float64Array(roc.fmr.length);
  const probitFnmr = new Float64Array(roc.fnmr.length);
  // A rate repeats along every horizontal or vertical run of the step curve; reuse its probit there.
  let lastFmr = NaN;
  let lastFnmr = NaN;
  for (let k = 0; k < roc.fmr.length; k++) {
    const a = roc.fmr[k];
    const b = roc.fnmr[k];
    probitFmr[k] = a === lastFmr ? probitFmr[k - 1] : probit(a);
    probitFnmr[k] = b === lastFnmr ? probitFnmr[k - 1] : probit(b);
    lastFmr = a;
    lastFnmr = b;
  }
  return { threshold: roc.threshold, fmr: roc.fmr, fnmr: roc.fnmr, probitFmr, probitFnmr };
}
