import type { DecisionMeasurement, RateMeasurement } from './decision.js';
import { TRIALS_OF, type Differential, type RateByGroup, type RateName } from './groups.js';
import { betaQuantile } from './metrics/beta.js';
import { trialsToBack, type Interval } from './metrics/index.js';
import type { ProtocolName } from './protocols.js';

/**
 * Release-gate verdicts (docs/metrics.md: a release decision uses backed targets only). A rate budget passes when
 * its one-sided upper bound is within it: the more conservative of Clopper-Pearson's and the identity bootstrap's.
 * A differential budget passes when the differential's upper bound is within it. Orchestrated by usecases/gate.ts.
 */
export type Verdict = 'pass' | 'fail' | 'cannot-back';

interface CheckBase {
  /** What is budgeted, in words: "FMR", "FMR differential by grayscale". */
  name: string;
  budget: number;
  verdict: Verdict;
  /** One line a CI log can show: the measured value, its bound, the budget and, when undecided, why. */
  message: string;
}

export interface RateCheck extends CheckBase {
  kind: 'rate';
  rate: RateName;
  errors: number;
  trials: number;
  /** The one-sided upper bound that decided: the larger of Clopper-Pearson's and the bootstrap's. */
  upper: Interval;
  upperClopperPearson: Interval;
  upperBootstrap: Interval | null;
  /** Trials that would back the budget with no error at all. */
  trialsNeeded: number;
}

export interface DifferentialCheck extends CheckBase {
  kind: 'differential';
  rate: RateName;
  attribute: string;
  differential: Differential | null;
}

export type GateCheck = RateCheck | DifferentialCheck;

export interface GateResult {
  verdict: Verdict;
  checks: GateCheck[];
  config: { contentHash: string; model: string; modelSha256: string; detector: string; detectorSha256: string | null; pipelineKey: string; threshold: number; rule: string; ruleKind: string };
  /** The protocol, or 'identification' for an open-set gate (a seeded enrolment split of the QA set). */
  dataset: { name: string; manifestHash: string; protocol: ProtocolName | 'identification'; images: number; identities: number };
  measured: DecisionMeasurement;
  /** What the config promised when it was exported (from its tuning run). */
  promised: { fmr: Interval; fnmr: Interval; fmrUpper?: Interval } | null;
  /** When and with what the gate ran. */
  ran: { at: string; tool: string };
}

/** The process exit code of a verdict: 0 pass, 1 a budget exceeded, 2 the data cannot back a budget. */
export const GATE_EXIT: Record<Verdict, number> = { pass: 0, fail: 1, 'cannot-back': 2 };

/** A budget exceeded decides the gate (fail); otherwise a budget the data cannot back leaves it undecided. */
export function overallVerdict(checks: readonly GateCheck[]): Verdict {
  return checks.some((c) => c.verdict === 'fail') ? 'fail' : checks.some((c) => c.verdict === 'cannot-back') ? 'cannot-back' : 'pass';
}

/**
 * One rate budget: pass when both one-sided upper bounds are within it; cannot-back when the trials are too few
 * to back it even with no error (unless the errors alone prove it exceeded: the one-sided lower bound is above
 * it); otherwise fail.
 */
export function checkRate(m: RateMeasurement, budget: number, level: number): RateCheck {
  const cp = m.upperClopperPearson;
  const boot = m.upperBootstrap;
  const upper = boot && boot.upper > cp.upper ? boot : cp;
  const needed = trialsToBack(budget, level);
  const pct = Math.round(100 * level);
  const bounds = `one-sided ${pct}% upper bound ${cp.upper.toExponential(3)}${boot ? ` (bootstrap over ${m.bootstrap?.unit === 'image' ? 'images' : 'identities'} ${boot.upper.toExponential(3)})` : ''}`;
  const observed = `${m.rate} ${m.errors}/${m.trials} = ${(m.errors / m.trials).toExponential(3)}, ${bounds}`;
  const provenOver = m.errors > 0 && betaQuantile(1 - level, m.errors, m.trials - m.errors + 1) > budget;
  const verdict: Verdict = upper.upper <= budget ? 'pass' : m.trials < needed && !provenOver ? 'cannot-back' : 'fail';
  const message =
    verdict === 'pass'
      ? `${observed} <= budget ${budget}: pass`
      : verdict === 'fail'
        ? `${observed} > budget ${budget}: exceeded`
        : `${observed}: ${m.trials} ${m.rate === 'FMR' || m.rate === 'FNMR' ? 'comparisons' : TRIALS_OF[m.rate]} cannot back a budget of ${budget} at ${pct}%; it takes at least ${needed} with no error`;
  return { kind: 'rate', name: m.rate, rate: m.rate, budget, errors: m.errors, trials: m.trials, upper, upperClopperPearson: cp, upperBootstrap: boot, trialsNeeded: needed, verdict, message };
}

/**
 * One differential budget (max_g / min_g of a rate over an attribute's groups, at least 1): pass when its upper
 * bound is within it, fail when its lower bound is above it, otherwise cannot-back (including when fewer than two
 * groups are large enough to back a rate).
 */
export function checkDifferential(attribute: string, by: RateByGroup, budget: number): DifferentialCheck {
  const name = `${by.rate} differential by ${attribute}`;
  const d = by.differential;
  if (!d) return { kind: 'differential', name, rate: by.rate, attribute, budget, differential: null, verdict: 'cannot-back', message: `${name}: cannot be measured: ${by.why}` };
  const x = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '∞');
  const observed = `${name} = ${x(d.estimate)} (${d.highest} over ${d.lowest}), ${Math.round(100 * d.level)}% bounds [${x(d.lower)}, ${x(d.upper)}]`;
  const verdict: Verdict = d.upper <= budget ? 'pass' : d.lower > budget ? 'fail' : 'cannot-back';
  const message =
    verdict === 'pass'
      ? `${observed} <= budget ${budget}: pass`
      : verdict === 'fail'
        ? `${observed}: even the lower bound is > budget ${budget}: exceeded`
        : `${observed}: the groups are too small to say whether it is within ${budget}`;
  return { kind: 'differential', name, rate: by.rate, attribute, budget, differential: d, verdict, message };
}
