import { auc, backing, bootstrapOverIdentities, chooseThreshold, clopperPearson, trialsToBack, countBelow, eer, errorRatesAt, isSortedScores, sortScores, tarAtFmr, tenFoldAccuracy } from './metrics/index.js';
import type { BootstrapInterval, FoldedAccuracy, FoldPairs, IdentityPairs, Interval, SortedScores, ThresholdChoice, ThresholdRule } from './metrics/index.js';
import { chartCurve, type CurvePoints } from './curves.js';
import { budgetWithBootstrap, pairsFmrUpper } from './budget.js';
import { histogram, VIEW_RANGE, type ScoreView } from './distributions.js';
import { FrwError } from '../core/errors.js';
import type { Breakdown } from './breakdowns.js';
import type { FusionResult } from './fusion.js';
import type { Histogram } from './distributions.js';
import type { ResampleUnit } from './metrics/bootstrap.js';
import type { ComparisonSet } from './protocols.js';
import type { ScoredComparisons } from './scoring.js';

export const DEFAULT_FMR_TARGETS = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

/** The threshold rules every evaluation reports unless asked for more. */
export const DEFAULT_RULES: ThresholdRule[] = [{ kind: 'fmr', target: 1e-3 }, { kind: 'fmr-bound', target: 1e-3 }, { kind: 'eer' }, { kind: 'best-accuracy' }, { kind: 'youden' }];

export interface TarAtFmrReport {
  targetFmr: number;
  measurable: boolean;
  /** null when not measurable (targetFmr < 1/N_impostor). */
  tar: number | null;
  threshold: number | null;
  achievedFmr: number | null;
  smallestMeasurableFmr: number;
  /**
   * Whether the target is backed at the run's level: the one-sided upper bound of the achieved FMR is <= target
   * (docs/metrics.md: measurable is not backed). A release decision uses backed targets only.
   */
  backed: boolean;
  /** The one-sided Clopper-Pearson upper bound of the achieved FMR (null when not measurable). */
  fmrUpperBound: number | null;
  /** Impostor comparisons that would back the target with no false match (trialsToBack): the least a set needs. */
  impostorsToBack: number;
  /** Clopper-Pearson interval of TAR at that threshold (null when not measurable). */
  interval: Interval | null;
  /**
   * Bootstrap over identities of TAR@FMR with the threshold re-derived in every replicate: the uncertainty of
   * the whole "pick t for this FMR, then measure TAR" procedure (null when not measurable or not bootstrapped).
   */
  bootstrap: BootstrapInterval | null;
  /** Bootstrap over identities of the threshold itself (how far the deployment threshold could move). */
  thresholdBootstrap: BootstrapInterval | null;
}

/** Everything `metrics.json` holds for one model on one comparison set. */
export interface ModelMetrics {
  model: string;
  counts: { genuine: number; impostor: number; excludedFta: { genuine: number; impostor: number } };
  auc: number;
  eer: { estimate: number; lower: number; upper: number; threshold: number; method: string; bootstrap: BootstrapInterval | null; bootstrapSkipped: string | null };
  tenFold: FoldedAccuracy | null;
  tarAtFmr: TarAtFmrReport[];
  thresholds: ThresholdChoice[];
  /** System-level rates at the EER threshold: failures to acquire count as false non-matches / correct rejects. */
  systemAtEer: { far: number; frr: number; threshold: number };
  /** Errors by quality group and identity at the EER threshold (null for streamed all-pairs). */
  breakdown: Breakdown | null;
  /** For a fused score: how it was made. */
  fusion: Omit<FusionResult, 'scored' | 'id'> | null;
}

export interface EvaluationOptions {
  fmrTargets: number[];
  rules: ThresholdRule[];
  seed: number;
  /** Bootstrap replicates over identities (0 disables the bootstrap). */
  bootstrap: number;
  level: number;
  /** How distributions are binned: as similarity, or as the user's distance (metrics.md conversions). */
  view: ScoreView;
}

export interface ModelCurves {
  /** Chart points of the ROC/DET step curve (exact points, thinned in log space). */
  chart: CurvePoints;
  /** Genuine and impostor similarity histograms over [−1, 1]. */
  histograms: { genuine: Histogram; impostor: Histogram };
}

/** What beyond the scores themselves a protocol can offer the metrics. */
export interface EvaluationExtras {
  /** Scored pairs with identities, for the bootstrap over identities (null: not available, see reason). */
  bootstrapPairs: IdentityPairs | null;
  /** Why there is no bootstrap, when bootstrapPairs is null. */
  bootstrapSkipped?: string;
  /** Scored pairs with folds (LFW 10-fold). */
  folds: FoldPairs | null;
  /**
   * FMR's one-sided bootstrap bound at a threshold when the pairs are not listed (streamed all pairs: from the
   * impostor tail); the budget rule uses it. Listed pairs derive theirs from bootstrapPairs.
   */
  fmrUpperAt?: (t: number) => Interval;
}

/**
 * Metrics of a comparison-set protocol (pairs, lfw-10fold, sampled all-pairs): pairs are known one by one.
 * `identities` is each image's index of the bootstrap's unit: identities, or images (`unit` 'image', resampleUnit in
 * protocols.ts) for a set that names no identities.
 */
export function evaluateModel(model: string, set: ComparisonSet, scored: ScoredComparisons, identities: Int32Array, opts: EvaluationOptions, unit: ResampleUnit = 'identity'): { metrics: ModelMetrics; curves: ModelCurves } {
  const kept = new Int32Array([...scored.genuineIndex, ...scored.impostorIndex]);
  const score = Float64Array.from(kept, (k) => scored.score[k]);
  const same = Uint8Array.from(kept, (k) => set.same[k]);
  const fold = set.fold;
  return evaluateScores(model, { genuine: scored.genuine, impostor: scored.impostor }, scored.excluded, {
    bootstrapPairs: { score, same, idA: Int32Array.from(kept, (k) => identities[set.a[k]]), idB: Int32Array.from(kept, (k) => identities[set.b[k]]), unit },
    folds: fold ? { score, same, fold: Int8Array.from(kept, (k) => fold[k]) } : null,
  }, opts);
}

/**
 * All verification metrics of one model from its scores: sorted once, then AUC, EER (FVC2000 interval, with a
 * bootstrap over identities when pairs are given), TAR@FMR targets (with "not measurable"), k-fold accuracy when
 * folds are given, threshold rules, and system-level rates that count failures to acquire.
 */
export function evaluateScores(
  model: string,
  scores: SortedScores | { genuine: ArrayLike<number>; impostor: ArrayLike<number> },
  excluded: { genuine: number; impostor: number },
  extras: EvaluationExtras,
  opts: EvaluationOptions,
): { metrics: ModelMetrics; curves: ModelCurves } {
  // Sorted already (streamed all-pairs: sortStreamed), or sorted here once.
  const sorted = isSortedScores(scores) ? scores : sortScores(scores.genuine, scores.impostor);
  const e = eer(sorted);
  const boot = (stat: (g: Float64Array, i: Float64Array) => number) =>
    opts.bootstrap > 0 && extras.bootstrapPairs ? bootstrapOverIdentities(extras.bootstrapPairs, stat, { replicates: opts.bootstrap, seed: opts.seed, level: opts.level }) : null;
  const tars = tarAtFmr(sorted, opts.fmrTargets).map((p): TarAtFmrReport => {
    const impostorsToBack = trialsToBack(p.targetFmr, opts.level);
    if (!p.measurable) return { targetFmr: p.targetFmr, measurable: false, tar: null, threshold: null, achievedFmr: null, smallestMeasurableFmr: p.smallestMeasurableFmr, backed: false, fmrUpperBound: null, impostorsToBack, interval: null, bootstrap: null, thresholdBootstrap: null };
    const backs = backing(p.falseMatches, sorted.impostor.length, p.targetFmr, opts.level);
    const accepted = sorted.genuine.length - countBelow(sorted.genuine, p.threshold);
    // A replicate with too few impostors for this FMR throws NOT_MEASURABLE: it is counted as failed, not hidden.
    const resampled = (g: Float64Array, i: Float64Array) => {
      const r = tarAtFmr(g, i, [p.targetFmr])[0];
      if (!r.measurable) throw new FrwError('NOT_MEASURABLE', `FMR ${p.targetFmr} not measurable in this resample`);
      return r;
    };
    return {
      ...p,
      backed: backs.backed,
      fmrUpperBound: backs.upper.upper,
      impostorsToBack,
      interval: clopperPearson(accepted, sorted.genuine.length, opts.level),
      bootstrap: boot((g, i) => resampled(g, i).tar),
      thresholdBootstrap: boot((g, i) => resampled(g, i).threshold),
    };
  });
  const thresholds: ThresholdChoice[] = [];
  for (const rule of opts.rules) {
    try {
      // The budget rule takes the stricter of its two bounds when identities are known to resample (metrics.md).
      const upperAt = opts.bootstrap > 0 ? (extras.fmrUpperAt ?? (extras.bootstrapPairs ? pairsFmrUpper(extras.bootstrapPairs, { replicates: opts.bootstrap, seed: opts.seed, level: opts.level }) : null)) : null;
      thresholds.push(rule.kind === 'fmr-bound' && upperAt ? budgetWithBootstrap(sorted, upperAt, rule.target, opts.level, extras.bootstrapPairs?.unit) : chooseThreshold(sorted, rule, opts.level));
    } catch (err) {
      if ((err as { code?: string }).code !== 'NOT_MEASURABLE') throw err; // a target the data cannot back is reported by tarAtFmr
    }
  }
  const eerBootstrap = boot((g, i) => eer(g, i).estimate);
  const atEer = errorRatesAt(sorted, e.threshold);
  const gTotal = atEer.genuineCount + excluded.genuine;
  const iTotal = atEer.impostorCount + excluded.impostor;
  return {
    metrics: {
      model,
      counts: { genuine: sorted.genuine.length, impostor: sorted.impostor.length, excludedFta: excluded },
      auc: auc(sorted),
      eer: { estimate: e.estimate, lower: e.lower, upper: e.upper, threshold: e.threshold, method: e.method, bootstrap: eerBootstrap, bootstrapSkipped: eerBootstrap ? null : (extras.bootstrapSkipped ?? (opts.bootstrap > 0 ? 'no pairs with identities' : 'disabled (--bootstrap 0)')) },
      tenFold: extras.folds ? tenFoldAccuracy(extras.folds) : null,
      tarAtFmr: tars,
      thresholds,
      systemAtEer: { far: atEer.falseMatches / iTotal, frr: (atEer.falseNonMatches + excluded.genuine) / gTotal, threshold: e.threshold },
      breakdown: null,
      fusion: null,
    },
    curves: { chart: chartCurve(sorted), histograms: { genuine: histogram(sorted.genuine, opts.view, 100, VIEW_RANGE[opts.view]), impostor: histogram(sorted.impostor, opts.view, 100, VIEW_RANGE[opts.view]) } },
  };
}
