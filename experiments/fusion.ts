import { FrwError } from '../core/errors.js';
import type { ModelMetrics } from './evaluate.js';
import type { ScoredComparisons } from './scoring.js';

/**
 * Score-level fusion of several models on the same comparisons: each model's scores are z-normalised by its own
 * impostor mean and standard deviation (so a unit means the same thing for every model), then averaged with
 * weights — given, or each model's accuracy, as the aivivn winner weighted its models by validation accuracy.
 * Fused scores are in impostor standard deviations, not cosine similarities: they have no distance view.
 */
export interface FusionResult {
  id: string;
  weights: Record<string, number>;
  normalisation: Record<string, { impostorMean: number; impostorStd: number }>;
  weighting: 'given' | 'accuracy';
  scored: ScoredComparisons;
}

export function fuse(inputs: Array<{ model: string; scored: ScoredComparisons; metrics: ModelMetrics }>, same: Uint8Array, givenWeights?: number[]): FusionResult {
  if (inputs.length < 2) throw new FrwError('BAD_INPUT', 'fusion needs at least two models');
  if (givenWeights && (givenWeights.length !== inputs.length || givenWeights.some((w) => !(w >= 0)) || givenWeights.every((w) => w === 0))) {
    throw new FrwError('BAD_INPUT', `fusion weights must be ${inputs.length} non-negative numbers, not all zero; got ${givenWeights.join(',')}`);
  }
  const weights = givenWeights ?? inputs.map((i) => accuracyOf(i.metrics));
  const norm = inputs.map((i) => {
    const imp = i.scored.impostor;
    let mean = 0;
    for (const v of imp) mean += v;
    mean /= imp.length;
    let v2 = 0;
    for (const v of imp) v2 += (v - mean) ** 2;
    const std = Math.sqrt(v2 / imp.length);
    if (!(std > 0)) throw new FrwError('NOT_MEASURABLE', `model ${i.model}: impostor scores have no spread; cannot z-normalise`);
    return { mean, std };
  });
  const n = same.length;
  const score = new Float32Array(n);
  const wSum = weights.reduce((a, b) => a + b, 0);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let m = 0; m < inputs.length; m++) s += (weights[m] * (inputs[m].scored.score[k] - norm[m].mean)) / norm[m].std;
    score[k] = s / wSum; // NaN when any model failed to acquire a face: the comparison stays excluded
  }
  const kept = (want: number) => {
    const idx: number[] = [];
    for (let k = 0; k < n; k++) if (!Number.isNaN(score[k]) && same[k] === want) idx.push(k);
    return Int32Array.from(idx);
  };
  const genuineIndex = kept(1);
  const impostorIndex = kept(0);
  let exG = 0;
  let exI = 0;
  for (let k = 0; k < n; k++) if (Number.isNaN(score[k])) (same[k] ? exG++ : exI++);
  return {
    id: `fusion(${inputs.map((i) => i.model).join('+')})`,
    weights: Object.fromEntries(inputs.map((i, m) => [i.model, weights[m] / wSum])),
    normalisation: Object.fromEntries(inputs.map((i, m) => [i.model, { impostorMean: norm[m].mean, impostorStd: norm[m].std }])),
    weighting: givenWeights ? 'given' : 'accuracy',
    scored: {
      score,
      genuine: Float32Array.from(genuineIndex, (k) => score[k]),
      impostor: Float32Array.from(impostorIndex, (k) => score[k]),
      genuineIndex,
      impostorIndex,
      excluded: { genuine: exG, impostor: exI },
    },
  };
}

/** A model's accuracy for weighting: its 10-fold mean when the protocol has folds, else its best accuracy. */
function accuracyOf(m: ModelMetrics): number {
  if (m.tenFold) return m.tenFold.mean;
  const best = m.thresholds.find((t) => t.rule.kind === 'best-accuracy');
  if (!best) throw new FrwError('BAD_INPUT', `model ${m.model} has no best-accuracy threshold to weight fusion by; give --fusion-weights`);
  return 1 - (best.falseMatches + best.falseNonMatches) / (best.genuineCount + best.impostorCount);
}
