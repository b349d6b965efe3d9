/**
 * Threshold rules: pick an operating threshold from genuine and impostor scores, then report it in every view
 * (similarity, cosine distance, L2 distance) with its error rates and their Clopper-Pearson intervals.
 * Every rule returns a candidate threshold (an observed score or ±Infinity), so the reported counts are the
 * counts at exactly the reported number.
 */
import { FrwError } from '../../core/errors.js';
import { checkLevel, checkNonNegative } from './checks.js';
import { clopperPearsonUpper, maxErrorsWithin, trialsToBack } from './backing.js';
import { clopperPearson } from './confidence.js';
import { similarityToCosineDistance, similarityToL2Distance } from './distance.js';
import { eer } from './eer.js';
import { ratesOf } from './rates.js';
import { bestCandidate, scoresFrom } from './sorted.js';
import { lowestThresholdWithin, tarAtOneFmr } from './tar-at-fmr.js';
import type { Interval, Scores, SortedScores } from './types.js';

export type ThresholdRule =
  /** TAR@FMR: the lowest candidate threshold with FMR <= target. */
  | { readonly kind: 'fmr'; readonly target: number }
  /** The budget rule: the lowest candidate threshold whose one-sided upper bound of FMR (Clopper-Pearson) is <= target. */
  | { readonly kind: 'fmr-bound'; readonly target: number }
  /** The threshold of the FVC2000 EER interval. */
  | { readonly kind: 'eer' }
  /** Maximal accuracy (TA + TR) / (N_g + N_i) on these pairs. */
  | { readonly kind: 'best-accuracy' }
  /** Maximal Youden's J = TAR - FMR. */
  | { readonly kind: 'youden' }
  /** Minimal expected cost C_fm·(1-P)·FMR + C_fnm·P·FNMR, P = prior probability of a genuine attempt. */
  | { readonly kind: 'min-cost'; readonly costFalseMatch: number; readonly costFalseNonMatch: number; readonly priorGenuine: number }
  /** A threshold the user set by hand (the workbench's dragged threshold): reported as it is. */
  | { readonly kind: 'fixed'; readonly threshold: number };

function checkTarget(f: unknown): number {
  if (typeof f !== 'number' || !(f > 0 && f < 1)) throw new FrwError('BAD_INPUT', `an FMR budget must be in (0, 1), got ${String(f)}`);
  return f;
}

/** One threshold in its three views. */
export interface ThresholdViews {
  /** Accept iff similarity >= this. */
  readonly similarity: number;
  /** Accept iff cosine distance <= this (1 - similarity). */
  readonly cosineDistance: number;
  /** Accept iff L2 distance <= this (sqrt(2 - 2s)); null when the similarity lies outside [-1, 1] (no unit-vector cosine has it). */
  readonly l2Distance: number | null;
}

export interface ThresholdChoice {
  readonly rule: ThresholdRule;
  /** The rule in words, including its tie rule. */
  readonly description: string;
  readonly threshold: ThresholdViews;
  /** FMR at the threshold with its Clopper-Pearson interval. */
  readonly fmr: Interval;
  /** FMR's one-sided Clopper-Pearson upper bound at the same level: what a release budget is checked against. */
  readonly fmrUpper: Interval;
  /** FNMR at the threshold with its Clopper-Pearson interval. */
  readonly fnmr: Interval;
  readonly falseMatches: number;
  readonly falseNonMatches: number;
  readonly genuineCount: number;
  readonly impostorCount: number;
}

/**
 * Applies a threshold rule (see ThresholdRule) and reports the threshold in similarity and distance views with
 * FMR and FNMR intervals (Clopper-Pearson at `level`, default 0.95).
 * Ties: 'best-accuracy', 'youden' and 'min-cost' take the highest (strictest) candidate among equally good
 * ones; 'fmr' and 'eer' follow tarAtFmr and eer. Decisions are "accept iff s >= t" throughout.
 * 'fmr-bound' (the budget rule) takes the lowest candidate at which the one-sided upper bound of FMR at `level`
 * stays within the target, so the deployed FMR is at most the target at that confidence, not only on average.
 * Throws NOT_MEASURABLE for an 'fmr' target below 1/N_impostor or an 'fmr-bound' the data cannot back (details:
 * trialsNeeded), BAD_INPUT for a malformed rule.
 */
export function chooseThreshold(sorted: SortedScores, rule: ThresholdRule, level?: number): ThresholdChoice;
export function chooseThreshold(genuine: Scores, impostor: Scores, rule: ThresholdRule, level?: number): ThresholdChoice;
export function chooseThreshold(...args: unknown[]): ThresholdChoice {
  const { sorted, next } = scoresFrom(args);
  const rule = args[next] as ThresholdRule;
  const level = checkLevel(args[next + 1] ?? 0.95);
  const { threshold, description } = pick(sorted, rule, level);
  const r = ratesOf(sorted, threshold);
  return {
    rule,
    description,
    threshold: viewsOf(threshold),
    fmr: clopperPearson(r.falseMatches, r.impostorCount, level),
    fmrUpper: clopperPearsonUpper(r.falseMatches, r.impostorCount, level),
    fnmr: clopperPearson(r.falseNonMatches, r.genuineCount, level),
    falseMatches: r.falseMatches,
    falseNonMatches: r.falseNonMatches,
    genuineCount: r.genuineCount,
    impostorCount: r.impostorCount,
  };
}

/** A similarity threshold in all three views (l2Distance null outside [-1, 1]). */
export function viewsOf(similarity: number): ThresholdViews {
  const cosineRange = similarity >= -1 && similarity <= 1;
  return {
    similarity,
    cosineDistance: similarityToCosineDistance(similarity),
    l2Distance: cosineRange || !Number.isFinite(similarity) ? similarityToL2Distance(similarity) : null,
  };
}

function pick(s: SortedScores, rule: ThresholdRule, level: number): { threshold: number; description: string } {
  const ng = s.genuine.length;
  const ni = s.impostor.length;
  const ties = 'ties: the highest threshold';
  switch (rule?.kind) {
    case 'fmr': {
      const p = tarAtOneFmr(s, rule.target);
      if (!p.measurable) {
        throw new FrwError('NOT_MEASURABLE', `FMR target ${rule.target} is below 1/N_impostor = ${p.smallestMeasurableFmr} (${ni} impostor scores): not measurable with this data`, {
          smallestMeasurableFmr: p.smallestMeasurableFmr,
        });
      }
      return { threshold: p.threshold, description: `FMR ≤ ${rule.target}: the lowest threshold at which no more than that share of impostor comparisons is accepted (${p.falseMatches.toLocaleString('en')} of ${ni.toLocaleString('en')} here); accept iff similarity ≥ t` };
    }
    case 'fmr-bound': {
      const k = maxErrorsWithin(checkTarget(rule.target), ni, level);
      if (k < 0) {
        const needed = trialsToBack(rule.target, level);
        throw new FrwError('NOT_MEASURABLE', `${ni} impostor comparisons cannot back FMR <= ${rule.target} at ${Math.round(100 * level)}%: even with no false match the one-sided upper bound is ${clopperPearsonUpper(0, ni, level).upper.toExponential(3)}; it takes at least ${needed} impostor comparisons`, { trialsNeeded: needed });
      }
      return { threshold: lowestThresholdWithin(s, k), description: `FMR budget ${rule.target}: the lowest threshold whose one-sided ${Math.round(100 * level)}% Clopper-Pearson upper bound of FMR is <= ${rule.target}, so at most ${k.toLocaleString('en')} false matches of ${ni.toLocaleString('en')}; accept iff similarity ≥ t` };
    }
    case 'eer': {
      const e = eer(s);
      return { threshold: e.threshold, description: `equal error rate (FVC2000): the threshold where FMR and FNMR cross, ${e.estimate === 0 ? 'with no error on either side' : `both near ${(100 * e.estimate).toPrecision(3)}%`}` };
    }
    case 'best-accuracy':
      // (TA + TR) / N with TR = N_i - accepted impostors; integers, so ties are exact.
      return { threshold: bestCandidate(s, (ag, ai) => ag + ni - ai).threshold, description: `best accuracy: the threshold that decides the most of these comparisons right, (TA + TR) / N (${ties})` };
    case 'youden':
      // J = ag/ng - ai/ni compared as ag·ni - ai·ng: exact integers, so ties are exact.
      return { threshold: bestCandidate(s, (ag, ai) => ag * ni - ai * ng).threshold, description: `Youden's J: the threshold with the largest TAR − FMR (${ties})` };
    case 'min-cost': {
      const cfm = checkNonNegative(rule.costFalseMatch, 'costFalseMatch');
      const cfnm = checkNonNegative(rule.costFalseNonMatch, 'costFalseNonMatch');
      const p = checkNonNegative(rule.priorGenuine, 'priorGenuine');
      if (p > 1) throw new FrwError('BAD_INPUT', `priorGenuine must be in [0, 1], got ${p}`);
      const wfm = (cfm * (1 - p)) / ni;
      const wfnm = (cfnm * p) / ng;
      const best = bestCandidate(s, (ag, ai) => -(wfm * ai + wfnm * (ng - ag)));
      return {
        threshold: best.threshold,
        description: `lowest expected cost ${cfm}·(1-${p})·FMR + ${cfnm}·${p}·FNMR (${ties})`,
      };
    }
    case 'fixed':
      if (typeof rule.threshold !== 'number' || Number.isNaN(rule.threshold)) throw new FrwError('BAD_INPUT', `a fixed threshold must be a number, got ${JSON.stringify(rule.threshold)}`);
      return { threshold: rule.threshold, description: `fixed threshold ${rule.threshold} set by hand (accept iff s >= t)` };
    default:
      throw new FrwError('BAD_INPUT', `unknown threshold rule ${JSON.stringify(rule)}; expected kind fmr, fmr-bound, eer, best-accuracy, youden, min-cost or fixed`);
  }
}
