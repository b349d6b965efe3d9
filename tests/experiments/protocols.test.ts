import { test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadPairsDataset } from '../../datasets/pairs.js';
import { openDataset } from '../../datasets/resolve.js';
import { buildComparisons, checkProtocol, defaultProtocol, identityIndex, resampleUnit } from '../../experiments/protocols.js';
import { testConfig } from '../helpers/shared.js';
import { makePairOnlySet } from '../helpers/pair-set.js';
import { tempDir } from '../datasets/fixtures.js';
import type { FrwError } from '../../core/errors.js';

const cfg = testConfig();

test('lfw-10fold: the 6,000 pairs of pairs.txt, 300 same + 300 different in each of 10 folds', async () => {
  const m = await openDataset('lfw', cfg, {});
  const set = buildComparisons(m, 'lfw-10fold', { seed: 1 });
  assert.equal(set.same.length, 6000);
  for (let f = 0; f < 10; f++) {
    let same = 0;
    let all = 0;
    set.fold!.forEach((x, k) => {
      if (x === f) {
        all++;
        same += set.same[k];
      }
    });
    assert.deepEqual([all, same], [600, 300], `fold ${f}`);
  }
  // pairs.txt line 2: "Abel_Pacheco 1 4" (shared/datasets/lfw/pairs.txt)
  assert.equal(m.images[set.a[0]].path, 'lfw-deepfunneled/Abel_Pacheco/Abel_Pacheco_0001.jpg');
  assert.equal(m.images[set.b[0]].path, 'lfw-deepfunneled/Abel_Pacheco/Abel_Pacheco_0004.jpg');
});

test('pairs and all-pairs on lfw-mini; the 10-fold protocol refuses pairs without folds', async () => {
  const m = await openDataset('lfw-mini', cfg, {});
  assert.equal(buildComparisons(m, 'pairs', { seed: 1 }).same.length, 120);
  assert.throws(() => buildComparisons(m, 'lfw-10fold', { seed: 1 }), (e: FrwError) => e.code === 'BAD_INPUT' && /folds/.test(e.message));
  const all = buildComparisons(m, 'all-pairs', { seed: 1 });
  assert.equal(all.same.length, (191 * 190) / 2);
  const ids = identityIndex(m);
  let genuine = 0;
  for (let k = 0; k < all.same.length; k++) {
    assert.equal(all.same[k], ids[all.a[k]] === ids[all.b[k]] ? 1 : 0);
    assert.ok(all.a[k] < all.b[k]);
    genuine += all.same[k];
  }
  // Σ k(k−1)/2 over lfw-mini's identity sizes (80×1, 23×2, 9×3, 4×4, 2×5 and 2 of 6–10 images): 124.
  assert.equal(genuine, 124);
});

test('a sampled all-pairs draws distinct impostor pairs, reproducibly by seed', async () => {
  const m = await openDataset('lfw-mini', cfg, {});
  const a = buildComparisons(m, 'all-pairs', { seed: 7, impostorSample: 500 });
  const b = buildComparisons(m, 'all-pairs', { seed: 7, impostorSample: 500 });
  const c = buildComparisons(m, 'all-pairs', { seed: 8, impostorSample: 500 });
  assert.deepEqual(a.impostorSampling, { sampled: 500, population: 18021, seed: 7 });
  assert.equal(a.same.length, 124 + 500);
  assert.deepEqual([...a.a], [...b.a]);
  assert.notDeepEqual([...a.a], [...c.a]);
  const ids = identityIndex(m);
  const keys = new Set<number>();
  for (let k = 124; k < a.same.length; k++) {
    assert.equal(a.same[k], 0);
    assert.notEqual(ids[a.a[k]], ids[a.b[k]]);
    keys.add(a.a[k] * 1000 + a.b[k]);
  }
  assert.equal(keys.size, 500, 'no pair drawn twice');
});

test('a pair-only set: pairs by default, its sheet\'s comparisons, images as the bootstrap unit, all-pairs refused with the reason', async () => {
  const made = makePairOnlySet(path.join(tempDir(), 'flat'), { same: 3, different: 4 });
  const m = await loadPairsDataset(made.dir);
  assert.deepEqual([defaultProtocol(m), resampleUnit(m), resampleUnit(await openDataset('lfw-mini', cfg, {}))], ['pairs', 'image', 'identity']);
  const set = buildComparisons(m, 'pairs', { seed: 1 });
  assert.deepEqual([set.same.length, set.same.reduce((s, x) => s + x, 0)], [7, 3]);
  const ids = identityIndex(m);
  assert.equal(new Set(ids).size, m.images.length, 'one unit per image');
  for (const run of [() => checkProtocol(m, 'all-pairs'), () => buildComparisons(m, 'all-pairs', { seed: 1, impostorSample: 5 })]) {
    assert.throws(run, (e: FrwError) => e.code === 'BAD_INPUT' && /names no identities, and impostor pairs cannot be formed without identities.*use --protocol pairs/.test(e.message));
  }
});
