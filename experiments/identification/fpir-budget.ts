/**
 * The budget rule for open-set identification (docs/metrics.md's budget rule, FPIR in place of FMR): the lowest
 * threshold whose one-sided upper bounds of FPIR — Clopper-Pearson's over non-mated probes and the bootstrap over
 * probe identities' — are both within the target. "Unknown iff top-1 score < t", as the engine decides.
 */
import { FrwError } from '../../core/errors.js';
import { allowanceWithin } from '../budget.js';
import { bootstrapOpenSet, clopperPearson, clopperPearsonUpper, maxErrorsWithin, oneSidedUpper, openSetRatesAt, sortOpenSet, sortScores, trialsToBack, type Interval, type OpenSetProbes, type OpenSetScores } from '../metrics/index.js';
import { lowestThresholdWithin } from '../metrics/tar-at-fmr.js';

export type FpirBudget =
  | {
      targetFpir: number;
      backable: true;
      threshold: number;
      fnir: Interval;
      fpir: Interval;
      falsePositives: number;
      /** One-sided upper bounds at the level; the threshold keeps both within the target. */
      fpirUpper: Interval;
      fpirUpperBootstrap: Interval | null;
      decidedBy: 'clopper-pearson' | 'bootstrap';
      description: string;
    }
  | {
      targetFpir: number;
      backable: false;
      /** Non-mated probes it would take to back the target with no false positive. */
      nonMatedToBack: number;
      nonMated: number;
    };

export function fpirBudget(scores: OpenSetScores, probes: OpenSetProbes | null, target: number, opts: { replicates: number; seed: number; level: number }): FpirBudget {
  if (!(target > 0 && target < 1)) throw new FrwError('BAD_INPUT', `an FPIR budget must be in (0, 1), got ${target}`);
  const s = sortOpenSet(scores);
  const n = s.nonMatedTop1.length;
  const cpAllowance = maxErrorsWithin(target, n, opts.level);
  if (cpAllowance < 0) return { targetFpir: target, backable: false, nonMatedToBack: trialsToBack(target, opts.level), nonMated: n };
  // Hits and strangers' top-1 scores as "genuine" and "impostor": the threshold allowing k false positives.
  const asPairs = sortScores(s.matedHit, s.nonMatedTop1);
  const thresholdAt = (k: number) => lowestThresholdWithin(asPairs, k);
  const useBootstrap = probes !== null && opts.replicates > 0;
  const bootUpper = (t: number): Interval => {
    // A one-sided bound at γ is the upper end of a two-sided interval at 2γ - 1.
    return oneSidedUpper(bootstrapOpenSet(probes!, (x) => openSetRatesAt(x, t).fpir, { replicates: opts.replicates, seed: opts.seed, level: 2 * opts.level - 1 }), opts.level);
  };
  const chosen = useBootstrap ? allowanceWithin(cpAllowance, (k) => bootUpper(thresholdAt(k)), target) : { k: cpAllowance, bound: null, stricter: false };
  const t = thresholdAt(chosen.k);
  const r = openSetRatesAt(s, t);
  const pct = Math.round(100 * opts.level);
  return {
    targetFpir: target,
    backable: true,
    threshold: t,
    fnir: clopperPearson(r.falseNegatives, r.mated, opts.level),
    fpir: clopperPearson(r.falsePositives, r.nonMated, opts.level),
    falsePositives: r.falsePositives,
    fpirUpper: clopperPearsonUpper(r.falsePositives, r.nonMated, opts.level),
    fpirUpperBootstrap: chosen.bound,
    decidedBy: chosen.stricter ? 'bootstrap' : 'clopper-pearson',
    description: `FPIR budget ${target}: the lowest threshold whose one-sided ${pct}% upper bound${useBootstrap ? 's' : ''} of FPIR${useBootstrap ? ", Clopper-Pearson's and the bootstrap over probe identities'," : ' (Clopper-Pearson)'} ${useBootstrap ? 'are both' : 'is'} <= ${target}, so at most ${chosen.k.toLocaleString('en')} of ${n.toLocaleString('en')} strangers accepted${chosen.stricter ? " (the bootstrap's bound was the stricter)" : ''}; unknown iff top-1 score < t`,
  };
}
