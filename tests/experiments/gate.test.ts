import { test } from 'vitest';
import assert from 'node:assert/strict';
import { checkBudget, overallVerdict } from '../../experiments/gate.js';

test('a budget passes on its one-sided upper bound, fails above it, and is undecided when no count could back it', () => {
  // 0 of 3,000 at 95%: upper bound 1 - 0.05^(1/3000) = 9.98e-4 (the rule of three); 1 of 3,000: scipy beta.ppf(0.95, 2, 2999) = 1.580e-3.
  const pass = checkBudget('FMR', { errors: 0, trials: 3000 }, 1e-3, 0.95);
  const fail = checkBudget('FMR', { errors: 1, trials: 3000 }, 1e-3, 0.95);
  const undecided = checkBudget('FNMR', { errors: 0, trials: 100 }, 1e-3, 0.95);
  assert.deepEqual([pass.verdict, fail.verdict, undecided.verdict], ['pass', 'fail', 'cannot-back']);
  assert.match(fail.message, /FMR 1\/3000 = 3\.333e-4, one-sided 95% upper bound 1\.580e-3 > budget 0\.001: exceeded/);
  assert.match(undecided.message, /100 comparisons cannot back a budget of 0\.001 at 95%; it takes at least 2995 with no error/);
  // 50 of 1,000 against 1e-3: too few to back the budget, yet the errors prove it exceeded (lower bound 3.9e-2).
  assert.equal(checkBudget('FMR', { errors: 50, trials: 1000 }, 1e-3, 0.95).verdict, 'fail');
  assert.equal(overallVerdict([pass, undecided]), 'cannot-back');
  assert.equal(overallVerdict([undecided, fail]), 'fail', 'an exceeded budget decides the gate');
  assert.equal(overallVerdict([pass]), 'pass');
});
