import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { RateMeasurement } from '../../experiments/decision.js';
import { checkDifferential, checkRate, overallVerdict } from '../../experiments/gate.js';
import type { RateByGroup } from '../../experiments/groups.js';
import { clopperPearson, clopperPearsonUpper } from '../../experiments/metrics/index.js';

/** A measured rate from counts; `bootstrapUpper` stands in for the identity bootstrap's one-sided bound. */
function measured(rate: 'FMR' | 'FNMR', errors: number, trials: number, bootstrapUpper?: number): RateMeasurement {
  const cp = clopperPearsonUpper(errors, trials, 0.95);
  return {
    rate,
    errors,
    trials,
    clopperPearson: clopperPearson(errors, trials, 0.95),
    bootstrap: null,
    upperClopperPearson: cp,
    upperBootstrap: bootstrapUpper === undefined ? null : { ...cp, upper: bootstrapUpper, method: 'bootstrap over identities' },
    lowestBackable: clopperPearsonUpper(0, trials, 0.95).upper,
  };
}

test('a rate budget passes on its one-sided upper bound, fails above it, and is undecided when no count could back it', () => {
  // 0 of 3,000 at 95%: upper bound 1 - 0.05^(1/3000) = 9.98e-4 (the rule of three); 1 of 3,000: scipy beta.ppf(0.95, 2, 2999) = 1.580e-3.
  const pass = checkRate(measured('FMR', 0, 3000), 1e-3, 0.95);
  const fail = checkRate(measured('FMR', 1, 3000), 1e-3, 0.95);
  const undecided = checkRate(measured('FNMR', 0, 100), 1e-3, 0.95);
  assert.deepEqual([pass.verdict, fail.verdict, undecided.verdict], ['pass', 'fail', 'cannot-back']);
  assert.match(fail.message, /FMR 1\/3000 = 3\.333e-4, one-sided 95% upper bound 1\.580e-3 > budget 0\.001: exceeded/);
  assert.match(undecided.message, /100 comparisons cannot back a budget of 0\.001 at 95%; it takes at least 2995 with no error/);
  // 50 of 1,000 against 1e-3: too few to back the budget, yet the errors prove it exceeded (lower bound 3.9e-2).
  assert.equal(checkRate(measured('FMR', 50, 1000), 1e-3, 0.95).verdict, 'fail');
  assert.equal(overallVerdict([pass, undecided]), 'cannot-back');
  assert.equal(overallVerdict([undecided, fail]), 'fail', 'an exceeded budget decides the gate');
  assert.equal(overallVerdict([pass]), 'pass');
});

test('the more conservative bound decides: a bootstrap bound above the budget fails what Clopper-Pearson alone would pass', () => {
  // 2 of 10,000: Clopper-Pearson's one-sided 95% bound is scipy beta.ppf(0.95, 3, 9998) = 6.2944e-4, within 1e-3.
  const cpOnly = checkRate(measured('FMR', 2, 10_000), 1e-3, 0.95);
  assert.equal(cpOnly.verdict, 'pass');
  assert.ok(Math.abs(cpOnly.upper.upper - 6.294441e-4) < 1e-9, String(cpOnly.upper.upper));
  const shared = checkRate(measured('FMR', 2, 10_000, 1.2e-3), 1e-3, 0.95);
  assert.equal(shared.verdict, 'fail');
  assert.equal(shared.upper.upper, 1.2e-3, 'the deciding bound is the bootstrap one');
  assert.match(shared.message, /upper bound 6\.294e-4 \(bootstrap over identities 1\.200e-3\) > budget 0\.001: exceeded/);
  // A bootstrap bound below Clopper-Pearson's never loosens the decision.
  assert.equal(checkRate(measured('FMR', 2, 10_000, 1e-4), 1e-3, 0.95).upper.upper, cpOnly.upper.upper);
});

test('a differential budget: pass under its upper bound, fail over its lower bound, undecided between or when not measurable', () => {
  const by = (d: RateByGroup['differential']): RateByGroup => ({ rate: 'FMR', pooled: { errors: 10, trials: 1000 }, trialsToBack: 300, groups: [], crossGroup: { errors: 0, trials: 0 }, notGiven: { errors: 0, trials: 0 }, differential: d, why: d ? null : 'one group has the 300 comparisons it takes to back the pooled rate; a differential needs two' });
  const d = (estimate: number, lower: number, upper: number) => ({ estimate, lower, upper, level: 0.95, method: 'test', highest: 'a', lowest: 'b' });
  assert.equal(checkDifferential('skin tone', by(d(1.4, 1, 1.9)), 2).verdict, 'pass');
  const over = checkDifferential('skin tone', by(d(4, 2.5, 7)), 2);
  assert.equal(over.verdict, 'fail');
  assert.match(over.message, /FMR differential by skin tone = 4\.00 \(a over b\), 95% bounds \[2\.50, 7\.00\]: even the lower bound is > budget 2: exceeded/);
  assert.equal(checkDifferential('skin tone', by(d(1.5, 1, Infinity)), 2).verdict, 'cannot-back');
  const none = checkDifferential('skin tone', by(null), 2);
  assert.equal(none.verdict, 'cannot-back');
  assert.match(none.message, /cannot be measured: one group has the 300 comparisons/);
});
