import { auc, bootstrapOverIdentities, errorRatesAt, chooseThreshold, clopperPearson, detCurve, eer, rocCurve, sortScores, tarAtFmr, tenFoldAccuracy } from './metrics/index.js';
import type { BootstrapInterval, FoldedAccuracy, Interval, RocCurve, DetCurve, SortedScores, ThresholdChoice, ThresholdRule } from './metrics/index.js';
import type { ComparisonSet } from './protocols.js';
import type { ScoredComparisons } from './scoring.js';

export const DEFAULT_FMR_TARGETS = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

export interface TarAtFmrReport {
  targetFmr: number;
  measurable: boolean;
  /** null when not measurable (targetFmr < 1/N_impostor). */
  tar: number | null;
  threshold: number | null;
  achievedFmr: number | null;
  smallestMeasurableFmr: number;
  /** Clopper-Pearson interval of TAR at that threshold (null when not measurable). */
  interval: Interval | null;
}

/** Everything `metrics.json` holds for one model on one comparison set. */
export interface ModelMetrics {
  model: string;
  counts: { genuine: number; impostor: number; excludedFta: { genuine: number; impostor: number } };
  auc: number;
  eer: { estimate: number; lower: number; upper: number; threshold: number; method: string; bootstrap: BootstrapInterval | null };
  tenFold: FoldedAccuracy | null;
  tarAtFmr: TarAtFmrReport[];
  thresholds: ThresholdChoice[];
  /** System-level rates at the EER threshold: failures to acquire count as false non-matches / correct rejects. */
  systemAtEer: { far: number; frr: number; threshold: number };
}

export interface EvaluationOptions {
  fmrTargets: number[];
  rules: ThresholdRule[];
  seed: number;
  /** Bootstrap replicates over identities (0 disables the bootstrap). */
  bootstrap: number;
  level: number;
}

export interface ModelCurves {
  roc: RocCurve;
  det: DetCurve;
  sorted: SortedScores;
}

/**
 * All verification metrics of one model: sorted once, then AUC, EER (FVC2000 interval, bootstrap over
 * identities), TAR@FMR targets (with "not measurable"), 10-fold accuracy when the set has folds, threshold
 * rules, and system-level rates. `identities` maps manifest image index → identity index (for the bootstrap).
 */
export function evaluateModel(model: string, set: ComparisonSet, scored: ScoredComparisons, identities: Int32Array, opts: EvaluationOptions): { metrics: ModelMetrics; curves: ModelCurves } {
  const sorted = sortScores(scored.genuine, scored.impostor);
  const e = eer(sorted);
  const tars = tarAtFmr(sorted, opts.fmrTargets).map((p): TarAtFmrReport => {
    if (!p.measurable) return { targetFmr: p.targetFmr, measurable: false, tar: null, threshold: null, achievedFmr: null, smallestMeasurableFmr: p.smallestMeasurableFmr, interval: null };
    const accepted = Math.round(p.tar * sorted.genuine.length);
    return { ...p, interval: clopperPearson(accepted, sorted.genuine.length, opts.level) };
  });
  const thresholds: ThresholdChoice[] = [];
  for (const rule of opts.rules) {
    try {
      thresholds.push(chooseThreshold(sorted, rule, opts.level));
    } catch (err) {
      if ((err as { code?: string }).code !== 'NOT_MEASURABLE') throw err; // a target the data cannot back is reported by tarAtFmr
    }
  }
  const kept = new Int32Array([...scored.genuineIndex, ...scored.impostorIndex]);
  let eerBootstrap: BootstrapInterval | null = null;
  if (opts.bootstrap > 0) {
    const pairs = {
      score: Float64Array.from(kept, (k) => scored.score[k]),
      same: Uint8Array.from(kept, (k) => set.same[k]),
      idA: Int32Array.from(kept, (k) => identities[set.a[k]]),
      idB: Int32Array.from(kept, (k) => identities[set.b[k]]),
    };
    eerBootstrap = bootstrapOverIdentities(pairs, (g, i) => eer(g, i).estimate, { replicates: opts.bootstrap, seed: opts.seed, level: opts.level });
  }
  let tenFold: FoldedAccuracy | null = null;
  if (set.fold) {
    const fold = set.fold;
    tenFold = tenFoldAccuracy({ score: Float64Array.from(kept, (k) => scored.score[k]), same: Uint8Array.from(kept, (k) => set.same[k]), fold: Int8Array.from(kept, (k) => fold[k]) });
  }
  const atEer = errorRatesAt(sorted, e.threshold);
  const gTotal = atEer.genuineCount + scored.excluded.genuine;
  const iTotal = atEer.impostorCount + scored.excluded.impostor;
  return {
    metrics: {
      model,
      counts: { genuine: sorted.genuine.length, impostor: sorted.impostor.length, excludedFta: scored.excluded },
      auc: auc(sorted),
      eer: { estimate: e.estimate, lower: e.lower, upper: e.upper, threshold: e.threshold, method: e.method, bootstrap: eerBootstrap },
      tenFold,
      tarAtFmr: tars,
      thresholds,
      systemAtEer: { far: atEer.falseMatches / iTotal, frr: (atEer.falseNonMatches + scored.excluded.genuine) / gTotal, threshold: e.threshold },
    },
    curves: { roc: rocCurve(sorted), det: detCurve(sorted), sorted },
  };
}
