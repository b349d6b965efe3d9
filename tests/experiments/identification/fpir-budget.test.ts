import { test } from 'vitest';
import assert from 'node:assert/strict';
import { fpirBudget } from '../../../experiments/identification/fpir-budget.js';
import type { OpenSetProbes } from '../../../experiments/metrics/index.js';

// 100 strangers with top-1 scores 0.00, 0.01, …, 0.99; 20 mated hits at 0.5 … 0.975 and 2 misses.
const strangers = Float64Array.from({ length: 100 }, (_, i) => i / 100);
const hits = Float64Array.from({ length: 20 }, (_, i) => 0.5 + i * 0.025);
const scores = { matedHit: hits, matedMiss: 2, nonMatedTop1: strangers, gallery: { identities: 22, vectors: 22 } };

test('FPIR budget, Clopper-Pearson alone: the most strangers whose one-sided bound stays within the target (SciPy beta quantiles)', () => {
  // scipy.stats.beta.ppf(0.95, 2, 99) = 0.04656 <= 0.05 < beta.ppf(0.95, 3, 98) = 0.06162: one stranger may be accepted.
  const b = fpirBudget(scores, null, 0.05, { replicates: 0, seed: 1, level: 0.95 });
  assert.ok(b.backable);
  assert.equal(b.falsePositives, 1);
  assert.equal(b.threshold, 0.99, 'just above the second-highest stranger: only the one at 0.99 gets in');
  assert.ok(Math.abs(b.fpirUpper.upper - 0.0465598) < 1e-6, String(b.fpirUpper.upper));
  assert.equal(b.decidedBy, 'clopper-pearson');
  // FNIR counts the misses too: 2 misses + every hit below 0.99 (all 20) of 22 mated probes.
  assert.equal(b.fnir.estimate, 22 / 22);
  // Too few strangers: 1 - 0.05^(1/100) = 0.0295 > 0.01, so not even none accepted backs 1e-2 (it takes 299).
  const tight = fpirBudget(scores, null, 0.01, { replicates: 0, seed: 1, level: 0.95 });
  assert.deepEqual(tight, { targetFpir: 0.01, backable: false, nonMatedToBack: 299, nonMated: 100 });
});

test('with probe identities the bootstrap bound can be the stricter: strangers who recur lower the allowance', () => {
  // The five highest-scoring strangers are one person; the rest are one person each.
  const person = Int32Array.from({ length: 100 }, (_, i) => (i >= 95 ? 95 : i));
  const probes: OpenSetProbes = {
    mated: { identity: Int32Array.from({ length: 22 }, (_, i) => i), hit: Uint8Array.from({ length: 22 }, (_, i) => (i < 20 ? 1 : 0)), score: Float64Array.from({ length: 22 }, (_, i) => (i < 20 ? hits[i] : Number.NaN)) },
    nonMated: { identity: person, top1: strangers },
    gallery: { identities: 22, vectors: 22 },
  };
  const cpOnly = fpirBudget(scores, null, 0.1, { replicates: 0, seed: 1, level: 0.95 });
  const both = fpirBudget(scores, probes, 0.1, { replicates: 500, seed: 3, level: 0.95 });
  assert.ok(cpOnly.backable && both.backable);
  assert.equal(both.decidedBy, 'bootstrap');
  assert.ok(both.falsePositives < cpOnly.falsePositives, `${both.falsePositives} < ${cpOnly.falsePositives}`);
  assert.ok(both.fpirUpperBootstrap!.upper <= 0.1 && both.fpirUpper.upper <= 0.1, 'both bounds within the budget');
  assert.match(both.description, /bootstrap's bound was the stricter/);
});
