import { test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadPairsDataset } from '../../datasets/pairs.js';
import { measureDecision } from '../../experiments/decision.js';
import { checkRate } from '../../experiments/gate.js';
import { buildComparisons, identityIndex } from '../../experiments/protocols.js';
import type { ScoredComparisons } from '../../experiments/scoring.js';
import { makePairOnlySet } from '../helpers/pair-set.js';
import { tempDir } from '../datasets/fixtures.js';

test('a decision measured on a pair-only set bootstraps over images, and the gate\'s message says so', async () => {
  const made = makePairOnlySet(path.join(tempDir(), 'flat'), { same: 6, different: 8 });
  const m = await loadPairsDataset(made.dir);
  const set = buildComparisons(m, 'pairs', { seed: 1 });
  // Genuine comparisons score 0.6–0.85, impostors 0.05–0.4, one impostor (the first) at 0.7: a false match at t = 0.5.
  const score = Float32Array.from(set.same, (s, k) => (s ? 0.6 + 0.05 * (k % 6) : k === 6 ? 0.7 : 0.05 * (k % 8)));
  const idx = (want: number) => Int32Array.from([...set.same.keys()].filter((k) => set.same[k] === want));
  const scored: ScoredComparisons = { score, genuine: score.filter((_, k) => set.same[k] === 1), impostor: score.filter((_, k) => set.same[k] === 0), genuineIndex: idx(1), impostorIndex: idx(0), excluded: { genuine: 0, impostor: 0 } };
  const d = measureDecision(m, set, scored, identityIndex(m), 0.5, { level: 0.95, bootstrap: 80, seed: 4, attributes: [], worst: 3 });
  assert.deepEqual([d.fmr.errors, d.fmr.trials, d.fnmr.errors, d.fnmr.trials], [1, 8, 0, 6]);
  assert.deepEqual(d.bootstrap, { replicates: 80, seed: 4, identities: m.images.length, unit: 'image' });
  assert.match(d.fmr.bootstrap!.method, /^bootstrap over images: this set names no identities \(B=80, seed=4\)$/);
  assert.match(d.fmr.upperBootstrap!.method, /^bootstrap over images: .*one-sided upper bound/);
  assert.match(checkRate(d.fmr, 0.5, 0.95).message, /\(bootstrap over images \d\.\d{3}e[-+]\d+\)/);
});
