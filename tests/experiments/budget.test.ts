import { test } from 'vitest';
import assert from 'node:assert/strict';
import { budgetWithBootstrap, pairsFmrUpper, type BudgetChoice } from '../../experiments/budget.js';
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

test('over images (a pair-only set): the budget rule takes the stricter bound when one image recurs among the false matches', () => {
  // 60 images, every pair once; 30 genuine pairs (2i, 2i+1). Image 0 is a look-alike: its 15 highest impostor scores
  // are the tail. In the spread set the same 15 high scores fall on 15 pairs that share no image.
  const build = (hub: boolean) => {
    const score: number[] = [];
    const same: number[] = [];
    const idA: number[] = [];
    const idB: number[] = [];
    let s = 1;
    const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
    const high = (i: number, j: number) => (hub ? i === 0 && j <= 15 : j === i + 30 && i >= 1 && i <= 15);
    for (let i = 0; i < 60; i++) for (let j = i + 1; j < 60; j++) (score.push(high(i, j) ? 0.6 + 0.01 * ((i + j) % 16) : 0.1 * rnd()), same.push(0), idA.push(i), idB.push(j));
    for (let i = 0; i < 60; i += 2) (score.push(0.5 + 0.3 * rnd()), same.push(1), idA.push(i), idB.push(i + 1));
    const pairs = { score, same, idA, idB, unit: 'image' as const };
    const sorted = sortScores(score.filter((_, k) => same[k] === 1), score.filter((_, k) => same[k] === 0));
    return budgetWithBootstrap(sorted, pairsFmrUpper(pairs, { replicates: 200, seed: 1, level: 0.95 }), 0.01, 0.95, 'image');
  };
  const hub = build(true);
  const cp = 10; // Clopper-Pearson's own allowance for FMR <= 0.01 at 95% on 1,770 impostor comparisons
  assert.deepEqual([hub.decidedBy, hub.falseMatches < cp, hub.fmrUpperBootstrap.upper <= 0.01], ['bootstrap', true, true]);
  assert.match(hub.fmrUpperBootstrap.method, /^bootstrap over images: this set names no identities \(B=200, seed=1\), one-sided upper bound/);
  assert.match(hub.description, /Clopper-Pearson's and the bootstrap over images' \(this set names no identities\), are both <= 0.01/);
  // Resampled images make even disjoint pairs vary more than independent trials, but one recurring image the most.
  const spread = build(false);
  assert.ok(hub.falseMatches < spread.falseMatches && spread.falseMatches <= cp, `${hub.falseMatches} < ${spread.falseMatches} <= ${cp}`);
});
