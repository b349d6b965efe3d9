import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { BudgetChoice } from '../../experiments/budget.js';
import { evaluateModel } from '../../experiments/evaluate.js';
import { chooseThreshold, sortScores } from '../../experiments/metrics/index.js';
import { buildComparisons, identityIndex } from '../../experiments/protocols.js';
import { scoreComparisons } from '../../experiments/scoring.js';
import { lfwEmbeddings } from '../../bench/lfw-embeddings.js';

test('on LFW all pairs the budget rule takes the stricter of Clopper-Pearson and the identity bootstrap, both within it', async () => {
  // LFW's own embeddings (fr-feature; computed first when this machine has none): a 200,000 impostor-pair sample,
  // in which the same people recur, so the identity bootstrap's bound is the wider. Measured here: Clopper-Pearson
  // alone allows 176 false matches (t = 0.3442), both bounds 145 (t = 0.3526, bootstrap upper bound 9.985e-4).
  const { manifest, table } = await lfwEmbeddings('fr-feature');
  const set = buildComparisons(manifest, 'all-pairs', { seed: 1, impostorSample: 200_000 });
  const scored = scoreComparisons(set, table);
  const target = 1e-3;
  const opts = { fmrTargets: [], rules: [{ kind: 'fmr-bound', target } as const], seed: 1, bootstrap: 100, level: 0.95, view: 'similarity' as const };
  const both = evaluateModel('fr-feature', set, scored, identityIndex(manifest), opts).metrics.thresholds[0] as BudgetChoice;
  const cp = chooseThreshold(sortScores(scored.genuine, scored.impostor), { kind: 'fmr-bound', target });
  assert.ok(both.fmrUpper.upper <= target && both.fmrUpperBootstrap.upper <= target, `both bounds within ${target}`);
  assert.equal(both.decidedBy, 'bootstrap', 'people recur in LFW pairs: the bootstrap bound is the stricter');
  assert.ok(both.threshold.similarity > cp.threshold.similarity && both.falseMatches < cp.falseMatches, 'stricter than Clopper-Pearson alone');
  assert.equal(both.fmrUpperBootstrap.sided, 'upper');
  assert.match(both.description, /Clopper-Pearson's and the bootstrap over identities', are both <= 0.001/);
});
