/** Verification metrics (docs/metrics.md): one import path for callers. */
export type * from './types.js';
export { sortScores, isSortedScores, candidateThresholds, countAtLeast, countBelow } from './sorted.js';
export { errorRatesAt } from './rates.js';
export { rocCurve, auc, detCurve } from './roc.js';
export { probit } from './probit.js';
export { eer } from './eer.js';
export { tarAtFmr } from './tar-at-fmr.js';
export { clopperPearson } from './confidence.js';
export { bootstrapOverIdentities, rebuildPairs } from './bootstrap.js';
export type { BootstrapInterval, BootstrapOptions, BootstrapFailure, IdentityPairs, PairStatistic } from './bootstrap.js';
export { tenFoldAccuracy } from './ten-fold.js';
export type { FoldPairs, FoldAccuracy, FoldedAccuracy } from './ten-fold.js';
export { chooseThreshold, viewsOf } from './thresholds.js';
export type { ThresholdRule, ThresholdViews, ThresholdChoice } from './thresholds.js';
export { similarityToCosineDistance, cosineDistanceToSimilarity, similarityToL2Distance, l2DistanceToSimilarity } from './distance.js';
export { mulberry32 } from './random.js';
export type { Rng } from './random.js';
