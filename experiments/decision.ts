/**
 * One deployed decision measured on one comparison set, as the engine decides it (accept iff s >= t; a
 * comparison that lost a face is a "no match": a false non-match for genuine pairs, a correct reject for
 * impostors): counts, both intervals of each rate, what the sample sizes can back, the worst errors and the
 * group differentials. What `frw gate` checks and the decision report shows.
 */
import { FrwError } from '../core/errors.js';
import type { ImageAttribute } from '../datasets/attributes.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { groupDifferentials, type AttributeDifferentials, type RateName } from './groups.js';
import { bootstrapOverIdentities, clopperPearson, clopperPearsonUpper, oneSidedUpper, shareAt, type BootstrapInterval, type Interval } from './metrics/index.js';
import { resampleUnit, type ComparisonSet } from './protocols.js';
import type { ResampleUnit } from './metrics/bootstrap.js';
import type { ScoredComparisons } from './scoring.js';
import { errorOrder, worstErrors, type ErrorPair } from './worst-pairs.js';

export interface RateMeasurement {
  rate: RateName;
  errors: number;
  trials: number;
  /** Two-sided Clopper-Pearson (independent comparisons). */
  clopperPearson: Interval;
  /** Two-sided percentile bootstrap over identities (comparisons that share people); null when turned off. */
  bootstrap: BootstrapInterval | null;
  /** One-sided upper bounds at the level: what a budget is checked against. */
  upperClopperPearson: Interval;
  upperBootstrap: Interval | null;
  /** The lowest rate these trials could back with no error at all (1 - (1-γ)^(1/N), about 3/N at 95%). */
  lowestBackable: number;
}

export interface DecisionMeasurement {
  /** Verification: fmr/fnmr hold FMR and FNMR over comparisons. Identification: FPIR over strangers, FNIR over mated probes. */
  kind: 'verification' | 'identification';
  /** Identification only: the gallery enrolled from the QA set, and the probes. */
  gallery?: { identities: number; vectors: number; enrol: number; mode: string };
  threshold: number;
  level: number;
  fmr: RateMeasurement;
  fnmr: RateMeasurement;
  /** Comparisons decided "no match" because an image gave no face, by kind. */
  failuresToAcquire: { genuine: number; impostor: number };
  /** `identities` counts the units resampled: identities, or images when `unit` says so (a set naming no identities). */
  bootstrap: { replicates: number; seed: number; identities: number; unit?: ResampleUnit } | null;
  /** The highest-scoring false matches and lowest-scoring false non-matches (paths relative to the dataset root). */
  worst: { falseMatches: ErrorPair[]; falseNonMatches: ErrorPair[] };
  groups: AttributeDifferentials[];
}

export interface DecisionOptions {
  level: number;
  /** Bootstrap replicates over identities (0: Clopper-Pearson only). */
  bootstrap: number;
  seed: number;
  attributes: ImageAttribute[];
  worst: number;
}

export function measureDecision(manifest: DatasetManifest, set: ComparisonSet, scored: ScoredComparisons, identities: Int32Array, threshold: number, opts: DecisionOptions): DecisionMeasurement {
  const n = set.same.length;
  // System level: a NaN score (failure to acquire) is never accepted.
  const accepted = new Uint8Array(n);
  let fm = 0;
  let fnm = 0;
  let genuine = 0;
  for (let k = 0; k < n; k++) {
    accepted[k] = scored.score[k] >= threshold ? 1 : 0;
    if (set.same[k]) {
      genuine++;
      if (!accepted[k]) fnm++;
    } else if (accepted[k]) fm++;
  }
  if (genuine === 0 || genuine === n) throw new FrwError('BAD_INPUT', `the ${set.protocol} comparisons of ${manifest.name} hold no ${genuine === 0 ? 'genuine' : 'impostor'} pair: ${genuine === 0 ? 'FNMR' : 'FMR'} cannot be measured on them`);
  const pairs = {
    // -Infinity keeps a lost face a rejection in every replicate.
    score: Float64Array.from(scored.score, (s) => (Number.isNaN(s) ? -Infinity : s)),
    same: set.same,
    idA: Int32Array.from(set.a, (i) => identities[i]),
    idB: Int32Array.from(set.b, (i) => identities[i]),
    unit: resampleUnit(manifest),
  };
  const boot = (stat: (g: Float64Array, i: Float64Array) => number, level: number) =>
    opts.bootstrap > 0 ? bootstrapOverIdentities(pairs, stat, { replicates: opts.bootstrap, seed: opts.seed, level }) : null;
  const fmrOf = (_g: Float64Array, imp: Float64Array) => shareAt(imp, threshold, 'accepted');
  const fnmrOf = (g: Float64Array) => shareAt(g, threshold, 'rejected');
  const rate = (name: RateName, errors: number, trials: number, stat: (g: Float64Array, i: Float64Array) => number) => measureRate(name, errors, trials, opts.bootstrap > 0 ? (level) => boot(stat, level)! : null, opts.level);
  const labelled = { score: Float64Array.from(scored.score), same: Uint8Array.from(set.same), a: Array.from(set.a, (i) => manifest.images[i].path), b: Array.from(set.b, (i) => manifest.images[i].path) };
  const distinct = new Set(pairs.idA);
  for (const id of pairs.idB) distinct.add(id);
  return {
    kind: 'verification',
    threshold,
    level: opts.level,
    fmr: rate('FMR', fm, n - genuine, fmrOf),
    fnmr: rate('FNMR', fnm, genuine, fnmrOf),
    failuresToAcquire: scored.excluded,
    bootstrap: opts.bootstrap > 0 ? { replicates: opts.bootstrap, seed: opts.seed, identities: distinct.size, unit: pairs.unit } : null,
    worst: worstErrors(labelled, errorOrder(labelled), threshold, opts.worst),
    groups: opts.attributes.map((attr) => groupDifferentials({ a: set.a, b: set.b, same: set.same, accepted }, attr, opts.level)),
  };
}

/**
 * One rate's measurement from its counts: both Clopper-Pearson forms, and — given `bootstrap(level)`, which runs the
 * caller's seeded bootstrap at a two-sided level — the two-sided interval at `level` and the one-sided bound (the
 * upper end at 2·level − 1).
 */
export function measureRate(name: RateName, errors: number, trials: number, bootstrap: ((twoSidedLevel: number) => BootstrapInterval) | null, level: number): RateMeasurement {
  return {
    rate: name,
    errors,
    trials,
    clopperPearson: clopperPearson(errors, trials, level),
    bootstrap: bootstrap && bootstrap(level),
    upperClopperPearson: clopperPearsonUpper(errors, trials, level),
    upperBootstrap: bootstrap && oneSidedUpper(bootstrap(2 * level - 1), level),
    lowestBackable: clopperPearsonUpper(0, trials, level).upper,
  };
}
