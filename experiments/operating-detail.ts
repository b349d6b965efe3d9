/**
 * What the threshold explorer shows beside Clopper-Pearson's intervals at one operating point: the bootstrap over
 * identities of FMR, FNMR and TAR there, and of the threshold itself when a rule chose it (metrics.md:
 * "a bootstrap over identities … for rates, thresholds and EER"), and the group differentials at that threshold.
 * Algorithm level, as the explorer's rates are: comparisons that lost a face are left out.
 */
import type { ImageAttribute } from '../datasets/attributes.js';
import { groupDifferentials, type AttributeDifferentials } from './groups.js';
import { bootstrapOverIdentities, chooseThreshold, shareAt, sortScores, type BootstrapInterval, type ThresholdRule } from './metrics/index.js';
import type { ResampleUnit } from './metrics/bootstrap.js';

export interface OperatingDetailInput {
  /** Per comparison: score (NaN: lost a face), same person, and the images' indices into `identity`. */
  score: ArrayLike<number>;
  same: ArrayLike<number>;
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  /** Identity index per image (for a set that names no identities, a distinct index per image: `unit` 'image'). */
  identity: ArrayLike<number>;
  /** What the bootstrap resamples (protocols.ts resampleUnit); default identities. */
  unit?: ResampleUnit;
  attributes: ImageAttribute[];
  /** The rule that chose the threshold (`fixed` for one set by hand: it has no interval of its own). */
  rule: ThresholdRule;
  threshold: number;
  /** 0: no bootstrap. */
  replicates: number;
  seed: number;
  level: number;
}

export interface OperatingDetail {
  bootstrap: { fmr: BootstrapInterval; fnmr: BootstrapInterval; tar: BootstrapInterval; threshold: BootstrapInterval | null } | null;
  groups: AttributeDifferentials[];
}

export function operatingDetail(x: OperatingDetailInput): OperatingDetail {
  const kept: number[] = [];
  for (let k = 0; k < x.score.length; k++) if (!Number.isNaN(x.score[k])) kept.push(k);
  const pairs = {
    score: Float64Array.from(kept, (k) => x.score[k]),
    same: Uint8Array.from(kept, (k) => x.same[k]),
    idA: Int32Array.from(kept, (k) => x.identity[x.a[k]]),
    idB: Int32Array.from(kept, (k) => x.identity[x.b[k]]),
    unit: x.unit,
  };
  const t = x.threshold;
  const boot = (stat: (g: Float64Array, i: Float64Array) => number) => bootstrapOverIdentities(pairs, stat, { replicates: x.replicates, seed: x.seed, level: x.level });
  // Every statistic uses the same seed: the four intervals come from the same resampled identities.
  const bootstrap =
    x.replicates > 0
      ? {
          fmr: boot((_g, i) => shareAt(i, t, 'accepted')),
          fnmr: boot((g) => shareAt(g, t, 'rejected')),
          tar: boot((g) => shareAt(g, t, 'accepted')),
          threshold: x.rule.kind === 'fixed' ? null : boot((g, i) => chooseThreshold(sortScores(g, i), x.rule, x.level).threshold.similarity),
        }
      : null;
  const decided = { a: Int32Array.from(kept, (k) => x.a[k]), b: Int32Array.from(kept, (k) => x.b[k]), same: pairs.same, accepted: Uint8Array.from(pairs.score, (s) => (s >= t ? 1 : 0)) };
  return { bootstrap, groups: x.attributes.map((attr) => groupDifferentials(decided, attr, x.level)) };
}
