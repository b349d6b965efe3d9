/**
 * Result types of the verification metrics (vocabulary of ISO/IEC 19795-1; definitions in docs/metrics.md).
 * Every result is a named interface: no tuples, no sentinel numbers. A quantity the data cannot back is either
 * `null` in a field typed `number | null` (and documented as such) or a thrown FrwError.
 */

/** Comparison scores as handed in: similarities, higher means more alike (any numeric array-like). */
export type Scores = ArrayLike<number>;

/**
 * Genuine and impostor scores sorted ascending, copied into Float64Array once by `sortScores`. Every metric
 * accepts it in place of `(genuine, impostor)` so a caller computing several metrics sorts once. Treat the
 * arrays as read-only: the metrics trust their order.
 */
export interface SortedScores {
  readonly genuine: Float64Array;
  readonly impostor: Float64Array;
}

/** The arguments every metric takes first: a SortedScores, or `genuine, impostor` as two arrays. */
export type ScoresOrGenuine = SortedScores | Scores;

/** A confidence interval. `method` names how it was computed, e.g. 'Clopper-Pearson exact'. */
export interface Interval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  /** Confidence level, e.g. 0.95. */
  readonly level: number;
  readonly method: string;
  /** A two-sided interval, or a one-sided upper bound (`lower` is then 0: "the rate is at most `upper`"). */
  readonly sided: 'two-sided' | 'upper';
}

/** Error rates at one threshold under the decision rule "accept iff s >= threshold". */
export interface ErrorRates {
  readonly threshold: number;
  /** #{impostor s >= t} / N_impostor */
  readonly fmr: number;
  /** #{genuine s < t} / N_genuine */
  readonly fnmr: number;
  /** 1 - FNMR */
  readonly tar: number;
  readonly falseMatches: number;
  readonly falseNonMatches: number;
  readonly genuineCount: number;
  readonly impostorCount: number;
}

/**
 * The ROC step curve, one point per candidate threshold, from +Infinity (FMR 0, TAR 0) down to -Infinity
 * (FMR 1, TAR 1). Point i of every array belongs to `threshold[i]`.
 */
export interface RocCurve {
  readonly threshold: Float64Array;
  readonly fmr: Float64Array;
  readonly fnmr: Float64Array;
  readonly tar: Float64Array;
  readonly genuineCount: number;
  readonly impostorCount: number;
}

/**
 * The DET curve: probit(FMR) on x, probit(FNMR) on y, index-aligned with the ROC curve (same thresholds, same
 * order). A rate of 0 maps to -Infinity and a rate of 1 to +Infinity, as the exact probit (and scipy's
 * norm.ppf) does: those points exist but lie off any finite axis, so a plot clips them to its edge. JSON turns
 * ±Infinity into null; serialise with that in mind.
 */
export interface DetCurve {
  readonly threshold: Float64Array;
  readonly fmr: Float64Array;
  readonly fnmr: Float64Array;
  readonly probitFmr: Float64Array;
  readonly probitFnmr: Float64Array;
}

/** FMR and FNMR at one candidate threshold next to the crossing. */
export interface EerPoint {
  readonly threshold: number;
  readonly fmr: number;
  readonly fnmr: number;
}

/**
 * The equal error rate as the FVC2000 interval (see eer.ts). Not a confidence interval: it has no level.
 */
export interface EerResult {
  /** Midpoint of [lower, upper]. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  /** The threshold the reported interval was read at: t1 or t2, whichever FVC2000 picks. */
  readonly threshold: number;
  /** Highest candidate threshold with FNMR <= FMR. */
  readonly t1: EerPoint;
  /** Lowest candidate threshold with FNMR >= FMR (equals t1 when the rates are exactly equal there). */
  readonly t2: EerPoint;
  readonly method: 'FVC2000 interval';
}

/** TAR at a target FMR the data can back: at least one impostor may be a false match. */
export interface TarAtFmrMeasured {
  readonly targetFmr: number;
  readonly measurable: true;
  /** Lowest candidate threshold with FMR(t) <= targetFmr. */
  readonly threshold: number;
  readonly tar: number;
  /** FMR at `threshold`, <= targetFmr. */
  readonly achievedFmr: number;
  readonly falseMatches: number;
  /** 1 / N_impostor */
  readonly smallestMeasurableFmr: number;
}

/** A target FMR below 1/N_impostor: no threshold can be backed, so threshold, tar and achievedFmr are null. */
export interface TarAtFmrNotMeasurable {
  readonly targetFmr: number;
  readonly measurable: false;
  readonly threshold: null;
  readonly tar: null;
  readonly achievedFmr: null;
  readonly falseMatches: null;
  /** 1 / N_impostor: the smallest FMR these impostor scores can back. */
  readonly smallestMeasurableFmr: number;
}

export type TarAtFmrPoint = TarAtFmrMeasured | TarAtFmrNotMeasurable;
