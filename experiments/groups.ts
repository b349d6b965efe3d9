/**
 * Differences between groups at one global threshold (docs/metrics.md, "Differences between groups"): per group
 * FMR_g and FNMR_g with intervals and counts, and the differential max_g / min_g, as NIST's demographic reports
 * and ISO/IEC 19795-10 give it. Pure over decisions: the caller says which comparisons were accepted.
 */
import { FrwError } from '../core/errors.js';
import type { ImageAttribute } from '../datasets/attributes.js';
import { clopperPearson, trialsToBack, type Interval } from './metrics/index.js';

export type { ImageAttribute };

/** Which error rate: verification's (ISO/IEC 19795-1) or open-set identification's (FPIR over strangers, FNIR over mated probes). */
export type RateName = 'FMR' | 'FNMR' | 'FPIR' | 'FNIR';
/** The rate names of one kind of decision: verification (FMR, FNMR) or identification (FPIR, FNIR). */
export const RATE_NAMES = { verification: { impostor: 'FMR', genuine: 'FNMR' }, identification: { impostor: 'FPIR', genuine: 'FNIR' } } as const;
/** What a rate's trials are: comparisons (verification), strangers or mated probes (identification). */
export const TRIALS_OF: Record<RateName, string> = { FMR: 'impostor comparisons', FNMR: 'genuine comparisons', FPIR: 'strangers', FNIR: 'mated probes' };

/** Comparisons as decided at the deployed threshold: images a, b, same person or not, accepted or not. */
export interface DecidedComparisons {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  same: ArrayLike<number>;
  /** 1 where the system said "match" (score >= t; a failure to acquire is never accepted). */
  accepted: ArrayLike<number>;
}

export interface GroupRate {
  group: string;
  errors: number;
  trials: number;
  /** Two-sided Clopper-Pearson at the level asked; null with no trials. */
  rate: Interval | null;
  /**
   * Whether the group is large enough to back a rate as low as the pooled one: trials >= ln(1/(1-γ)) / pooled
   * (trialsToBack). A smaller group is shown, marked, and left out of the differential.
   */
  backed: boolean;
}

export interface Differential {
  /** max_g rate_g / min_g rate_g over the backed groups (Infinity when a backed group has no error and another has). */
  estimate: number;
  /** Bounds from each group's Clopper-Pearson interval, Bonferroni-adjusted so that together they hold at `level`. */
  lower: number;
  upper: number;
  level: number;
  method: string;
  highest: string;
  lowest: string;
}

export interface RateByGroup {
  rate: RateName;
  pooled: { errors: number; trials: number };
  /** Trials a group needs to back the pooled rate (null when the pooled rate is 0: nothing to back). */
  trialsToBack: number | null;
  groups: GroupRate[];
  /** Comparisons between two groups (impostors; genuine pairs too for a per-image attribute), reported apart. */
  crossGroup: { errors: number; trials: number };
  /** Comparisons with an image whose value is not known. */
  notGiven: { errors: number; trials: number };
  /**
   * Null when fewer than two groups are backed, or there is no pooled error (or only errors); `why` says which. With
   * errors only between groups, the backed groups' rates are all 0: estimate 1, upper bound unbounded.
   */
  differential: Differential | null;
  why: string | null;
}

export interface AttributeDifferentials {
  attribute: string;
  source: ImageAttribute['source'];
  per: ImageAttribute['per'];
  fmr: RateByGroup;
  fnmr: RateByGroup;
}

/**
 * A comparison belongs to group g when both its images have the value g (for a per-identity attribute a genuine
 * pair always does: both images are of one person); otherwise it is cross-group, or not-given when a value is
 * unknown. Counted at the decision the caller made, so system-level when failures to acquire are rejections.
 */
export function groupDifferentials(d: DecidedComparisons, attr: ImageAttribute, level = 0.95, names: { impostor: RateName; genuine: RateName } = RATE_NAMES.verification): AttributeDifferentials {
  const n = d.same.length;
  if (d.a.length !== n || d.b.length !== n || d.accepted.length !== n) throw new FrwError('BAD_INPUT', 'decided comparisons: a, b, same and accepted must have one entry per comparison');
  // Per kind (0 impostor, 1 genuine): errors and trials per group, cross-group, not given.
  const tally = [new Map<string, [number, number]>(), new Map<string, [number, number]>()];
  const cross = [[0, 0], [0, 0]];
  const missing = [[0, 0], [0, 0]];
  for (let k = 0; k < n; k++) {
    const kind = d.same[k] ? 1 : 0;
    // An error is a false match for impostors, a false non-match for genuine pairs.
    const error = kind === 1 ? (d.accepted[k] ? 0 : 1) : d.accepted[k] ? 1 : 0;
    const va = attr.values[d.a[k]];
    const vb = attr.values[d.b[k]];
    const slot = va === null || vb === null ? missing[kind] : va !== vb ? cross[kind] : null;
    if (slot) {
      slot[0] += error;
      slot[1]++;
      continue;
    }
    const t = tally[kind].get(va!) ?? [0, 0];
    t[0] += error;
    t[1]++;
    tally[kind].set(va!, t);
  }
  const byKind = (kind: 0 | 1): RateByGroup => {
    const rate = kind === 1 ? names.genuine : names.impostor;
    const entries = [...tally[kind].entries()].sort(([x], [y]) => x.localeCompare(y, 'en', { numeric: true }));
    const pooled = { errors: 0, trials: 0 };
    for (const [, [e, t]] of entries) [pooled.errors, pooled.trials] = [pooled.errors + e, pooled.trials + t];
    for (const s of [cross[kind], missing[kind]]) [pooled.errors, pooled.trials] = [pooled.errors + s[0], pooled.trials + s[1]];
    const p = pooled.trials ? pooled.errors / pooled.trials : 0;
    const need = p > 0 && p < 1 ? trialsToBack(p, level) : null;
    const groups = entries.map(([group, [errors, trials]]): GroupRate => ({ group, errors, trials, rate: trials ? clopperPearson(errors, trials, level) : null, backed: need !== null && trials >= need }));
    const { differential, why } = differentialOf(groups, level, need, TRIALS_OF[rate]);
    return { rate, pooled, trialsToBack: need, groups, crossGroup: { errors: cross[kind][0], trials: cross[kind][1] }, notGiven: { errors: missing[kind][0], trials: missing[kind][1] }, differential, why };
  };
  return { attribute: attr.name, source: attr.source, per: attr.per, fmr: byKind(0), fnmr: byKind(1) };
}

/**
 * max/min over the backed groups. Its bounds: with G groups, each group's two-sided Clopper-Pearson interval at
 * 1 - (1-γ)/G (Bonferroni: all 2G one-sided ends hold together at γ); then max_g U_g / min_g L_g bounds the
 * differential above, and max_g L_g / min_g U_g (at least 1) below. Simultaneous and two-sided, so more
 * conservative than the one-sided bound of a single rate budget.
 */
function differentialOf(groups: GroupRate[], level: number, need: number | null, trials: string): { differential: Differential | null; why: string | null } {
  if (need === null) return { differential: null, why: 'no errors of this kind at the threshold (or only errors): there is no rate to compare' };
  const backed = groups.filter((g) => g.backed);
  if (backed.length < 2) return { differential: null, why: `${backed.length} group${backed.length === 1 ? ' has' : 's have'} the ${need.toLocaleString('en')} ${trials} it takes to back the pooled rate; a differential needs two` };
  const adjusted = 1 - (1 - level) / backed.length;
  const cis = backed.map((g) => ({ g, ci: clopperPearson(g.errors, g.trials, adjusted) }));
  const rate = (x: (typeof cis)[number]) => x.ci.estimate;
  const hi = cis.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  const lo = cis.reduce((a, b) => (rate(b) < rate(a) ? b : a));
  const ratio = (x: number, y: number) => (y === 0 ? (x === 0 ? 1 : Infinity) : x / y);
  const maxU = Math.max(...cis.map((c) => c.ci.upper));
  const minL = Math.min(...cis.map((c) => c.ci.lower));
  const maxL = Math.max(...cis.map((c) => c.ci.lower));
  const minU = Math.min(...cis.map((c) => c.ci.upper));
  return {
    differential: {
      estimate: ratio(rate(hi), rate(lo)),
      lower: Math.max(1, ratio(maxL, minU)),
      upper: ratio(maxU, minL),
      level,
      method: `Clopper-Pearson per group, Bonferroni-adjusted over ${backed.length} groups`,
      highest: hi.g.group,
      lowest: lo.g.group,
    },
    why: null,
  };
}
