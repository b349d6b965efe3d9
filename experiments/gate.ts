import type { ProtocolName } from './protocols.js';
import { betaQuantile } from './metrics/beta.js';
import { backing, type Interval } from './metrics/index.js';

/**
 * Release-gate verdicts over counts (docs/metrics.md: a release decision uses backed targets only): a budget passes
 * when the one-sided upper confidence bound of its rate is within it. Orchestrated by usecases/gate.ts.
 */
export type Verdict = 'pass' | 'fail' | 'cannot-back';

export interface BudgetCheck {
  rate: 'FMR' | 'FNMR';
  budget: number;
  errors: number;
  trials: number;
  /** The one-sided upper bound (Clopper-Pearson) the budget is checked against. */
  upper: Interval;
  /** Trials that would back the budget with no error at all. */
  trialsNeeded: number;
  verdict: Verdict;
  /** One line a CI log can show: rate, bound, budget and, when it cannot be backed, the count needed. */
  message: string;
}

export interface GateResult {
  verdict: Verdict;
  checks: BudgetCheck[];
  config: { contentHash: string; model: string; modelSha256: string; detector: string; pipelineKey: string; threshold: number; rule: string };
  dataset: { name: string; manifestHash: string; protocol: ProtocolName };
  /** System-level rates at the config's threshold, two-sided Clopper-Pearson at the gate's level. */
  measured: { fmr: Interval; fnmr: Interval; genuine: number; impostor: number; excludedFta: { genuine: number; impostor: number } };
  /** What the config promised when it was exported (from its tuning run). */
  promised: { fmr: Interval; fnmr: Interval } | null;
}

/** The process exit code of a verdict: 0 pass, 1 a budget exceeded, 2 the data cannot back a budget. */
export const GATE_EXIT: Record<Verdict, number> = { pass: 0, fail: 1, 'cannot-back': 2 };

/** A budget exceeded decides the gate (fail); otherwise a budget the data cannot back leaves it undecided. */
export function overallVerdict(checks: readonly BudgetCheck[]): Verdict {
  return checks.some((c) => c.verdict === 'fail') ? 'fail' : checks.some((c) => c.verdict === 'cannot-back') ? 'cannot-back' : 'pass';
}

/** One budget against errors in trials: pass when the one-sided upper bound is within it, else fail, or cannot-back when even no error could not back it. */
export function checkBudget(rate: 'FMR' | 'FNMR', n: { errors: number; trials: number }, budget: number, level: number): BudgetCheck {
  const b = backing(n.errors, n.trials, budget, level);
  const pct = Math.round(100 * level);
  const observed = `${rate} ${n.errors}/${n.trials} = ${(n.errors / n.trials).toExponential(3)}, one-sided ${pct}% upper bound ${b.upper.upper.toExponential(3)}`;
  // Too few trials to back the budget, yet the errors alone prove it exceeded (the one-sided lower bound is above
  // it): a failure, not an undecided gate.
  const provenOver = n.errors > 0 && betaQuantile(1 - level, n.errors, n.trials - n.errors + 1) > budget;
  const verdict: Verdict = b.backed ? 'pass' : n.trials < b.trialsNeeded && !provenOver ? 'cannot-back' : 'fail';
  const message =
    verdict === 'pass'
      ? `${observed} <= budget ${budget}: pass`
      : verdict === 'fail'
        ? `${observed} > budget ${budget}: exceeded`
        : `${observed}: ${n.trials} comparisons cannot back a budget of ${budget} at ${pct}%; it takes at least ${b.trialsNeeded} with no error`;
  return { rate, budget, errors: n.errors, trials: n.trials, upper: b.upper, trialsNeeded: b.trialsNeeded, verdict, message };
}
