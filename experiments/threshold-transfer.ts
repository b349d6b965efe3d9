import { FrwError } from '../core/errors.js';
import { chooseThreshold, clopperPearson, sortScores, type Interval, type ThresholdRule } from './metrics/index.js';
import type { FoldPairs } from './metrics/index.js';

/** One fold held out: the threshold the rule picks on the other folds, and the error rates it gets on this one. */
export interface FoldTransfer {
  fold: number;
  /** Similarity threshold chosen on the other folds (accept iff s >= t). */
  threshold: number;
  /** FMR and FNMR on the folds it was tuned on. */
  tuned: { fmr: number; fnmr: number; impostor: number; genuine: number };
  /** FMR and FNMR on the held-out fold, with Clopper-Pearson intervals at `level`. */
  heldOut: { fmr: Interval; fnmr: Interval; impostor: number; genuine: number };
}

/**
 * How a tuned threshold transfers to data it was not tuned on: for each fold, choose the threshold by `rule` on
 * the other folds and measure FMR/FNMR on the held-out fold. Ties follow chooseThreshold and errorRatesAt (a score
 * equal to t is accepted). Throws NOT_MEASURABLE when the other folds cannot back an FMR target, BAD_INPUT for
 * fewer than two folds or mismatched arrays.
 */
export function thresholdTransfer(pairs: FoldPairs, rule: ThresholdRule, level = 0.95): FoldTransfer[] {
  const n = pairs.score.length;
  if (pairs.same.length !== n || pairs.fold.length !== n) throw new FrwError('BAD_INPUT', 'pairs need score, same and fold arrays of one length');
  const folds = [...new Set(Array.from(pairs.fold))].sort((a, b) => a - b);
  if (folds.length < 2) throw new FrwError('BAD_INPUT', `threshold transfer needs at least two folds, got ${folds.length}`);
  return folds.map((f) => {
    const pick = (inFold: boolean, same: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) if ((pairs.fold[i] === f) === inFold && pairs.same[i] === same) out.push(pairs.score[i]);
      return out;
    };
    const tuned = chooseThreshold(sortScores(pick(false, 1), pick(false, 0)), rule, level);
    const t = tuned.threshold.similarity;
    const g = pick(true, 1);
    const im = pick(true, 0);
    const fm = im.filter((s) => s >= t).length;
    const fnm = g.filter((s) => s < t).length;
    return {
      fold: f,
      threshold: t,
      tuned: { fmr: tuned.fmr.estimate, fnmr: tuned.fnmr.estimate, impostor: tuned.impostorCount, genuine: tuned.genuineCount },
      heldOut: { fmr: clopperPearson(fm, im.length, level), fnmr: clopperPearson(fnm, g.length, level), impostor: im.length, genuine: g.length },
    };
  });
}
