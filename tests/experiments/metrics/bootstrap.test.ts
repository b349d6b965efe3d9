import { test } from 'vitest';
import assert from 'node:assert/strict';
import { bootstrapOverIdentities, quantile, rebuildPairs, type IdentityPairs } from '../../../experiments/metrics/bootstrap.js';
import { eer } from '../../../experiments/metrics/eer.js';
import { mulberry32 } from '../../../experiments/metrics/random.js';
import { generator, throwsFrw } from './helpers.js';

/** Pairs over `ids` identities: `perId` genuine pairs each and every cross pair (a < b) once, seeded scores. */
function population(ids: number, perId: number, seed = 7): IdentityPairs {
  const g = generator(seed);
  const score: number[] = [];
  const same: number[] = [];
  const idA: number[] = [];
  const idB: number[] = [];
  const push = (s: number, a: number, b: number) => (score.push(s), same.push(a === b ? 1 : 0), idA.push(a), idB.push(b));
  for (let a = 0; a < ids; a++) {
    for (let k = 0; k < perId; k++) push(g.normal(0.6, 0.15), a, a);
    for (let b = a + 1; b < ids; b++) push(g.normal(0.1, 0.15), a, b);
  }
  return { score: Float64Array.from(score), same: Uint8Array.from(same), idA: Int32Array.from(idA), idB: Int32Array.from(idB) };
}

test('rebuilt pairs by hand: genuine pairs × m(a), impostor pairs × m(a)·m(b)', () => {
  // Identities 10, 20, 30. Genuine: 10 (0.9), 20 (0.8), 30 (0.7). Impostor: (10,20) 0.1, (10,30) 0.2, (20,30) 0.3.
  const pairs: IdentityPairs = {
    score: [0.9, 0.8, 0.7, 0.1, 0.2, 0.3],
    same: [1, 1, 1, 0, 0, 0],
    idA: [10, 20, 30, 10, 10, 20],
    idB: [10, 20, 30, 20, 30, 30],
  };
  // Resample drew 10 twice, 30 once, 20 never: m = {10: 2, 20: 0, 30: 1}.
  //   genuine: 0.9 × 2, 0.8 × 0, 0.7 × 1;  impostor: (10,20) × 2·0 = 0, (10,30) × 2·1 = 2, (20,30) × 0·1 = 0.
  const r = rebuildPairs(pairs, new Map([[10, 2], [30, 1]]));
  assert.deepEqual([...r.genuine], [0.9, 0.9, 0.7]);
  assert.deepEqual([...r.impostor], [0.2, 0.2]);
  // m = 1 everywhere reproduces the original pairs.
  const id = rebuildPairs(pairs, new Map([[10, 1], [20, 1], [30, 1]]));
  assert.deepEqual([...id.genuine, ...id.impostor], [0.9, 0.8, 0.7, 0.1, 0.2, 0.3]);
});

test('bootstrap is reproducible from its seed, differs across seeds, and brackets the estimate', () => {
  const pairs = population(30, 3);
  const stat = (g: Float64Array, i: Float64Array) => eer(g, i).estimate;
  const a = bootstrapOverIdentities(pairs, stat, { replicates: 200, seed: 1 });
  const b = bootstrapOverIdentities(pairs, stat, { replicates: 200, seed: 1 });
  const c = bootstrapOverIdentities(pairs, stat, { replicates: 200, seed: 2 });
  assert.deepEqual(a, b);
  assert.notDeepEqual([a.lower, a.upper], [c.lower, c.upper]);
  const { g, i } = splitScores(pairs);
  assert.equal(a.estimate, eer(g, i).estimate, 'the estimate is the statistic on the original pairs');
  assert.ok(a.lower <= a.estimate && a.estimate <= a.upper, `${a.lower} <= ${a.estimate} <= ${a.upper}`);
  assert.ok(a.upper > a.lower);
  assert.deepEqual([a.level, a.method, a.replicates, a.succeeded, a.failed, a.identities], [0.95, 'bootstrap over identities (B=200, seed=1)', 200, 200, 0, 30]);
});

test('the percentile interval is the type-7 quantile of the replicate values', () => {
  // Identity a (0..4) has a + 1 genuine pairs, and the statistic is the number of genuine pairs, so a replicate's
  // value is Σ m(a)·(a + 1) = the sum of (drawn id + 1) over its K draws: replayable with the same PRNG.
  const K = 5;
  const score: number[] = [];
  const same: number[] = [];
  const ids: number[] = [];
  for (let a = 0; a < K; a++) for (let k = 0; k <= a; k++) (score.push(0.5), same.push(1), ids.push(a));
  score.push(0.1), same.push(0), ids.push(0); // one impostor pair (0, 1) so the pair set is well formed
  const idB = [...ids.slice(0, -1), 1];
  const pairs: IdentityPairs = { score, same, idA: ids, idB };
  const B = 101;
  const r = bootstrapOverIdentities(pairs, (g) => g.length, { replicates: B, seed: 99, level: 0.9 });
  // Replay: the same draws (K per replicate, identities are indices 0..K-1 in sorted order).
  const rng = mulberry32(99);
  const values: number[] = [];
  for (let b = 0; b < B; b++) {
    let v = 0;
    for (let d = 0; d < K; d++) v += rng.nextInt(K) + 1;
    values.push(v);
  }
  values.sort((x, y) => x - y);
  // Type 7 with n = 101: h = 100·q; q = 0.05 → h = 5 (index 5), q = 0.95 → h = 95.
  assert.equal(r.lower, values[5]);
  assert.equal(r.upper, values[95]);
  assert.equal(r.estimate, 1 + 2 + 3 + 4 + 5);
});

test('replicates whose statistic throws are counted and reported, not dropped silently', () => {
  // Two identities with genuine pairs, one without: resamples that miss both 0 and 1 have no genuine pairs.
  const pairs: IdentityPairs = {
    score: [0.9, 0.8, 0.1, 0.2, 0.3],
    same: [1, 1, 0, 0, 0],
    idA: [0, 1, 0, 0, 1],
    idB: [0, 1, 1, 2, 2],
  };
  const r = bootstrapOverIdentities(pairs, (g, i) => eer(g, i).estimate, { replicates: 300, seed: 5 });
  assert.ok(r.failed > 0, 'some resamples lack genuine or impostor pairs');
  assert.equal(r.succeeded + r.failed, 300);
  assert.equal(r.failures.reduce((s, f) => s + f.count, 0), r.failed);
  assert.ok(r.failures.every((f) => /no (genuine|impostor|comparison) scores/.test(f.message)), JSON.stringify(r.failures));
  // NaN is a failure too.
  const nan = bootstrapOverIdentities(pairs, (g) => (g.length > 2 ? NaN : 1), { replicates: 50, seed: 5 });
  assert.ok(nan.failures.some((f) => f.message === 'statistic returned NaN'));
  // Every replicate failing is an error, not an interval (the first call, on the original pairs, succeeds).
  let calls = 0;
  const failAfterFirst = () => {
    if (calls++ > 0) throw new Error('boom');
    return 0;
  };
  throwsFrw(() => bootstrapOverIdentities(pairs, failAfterFirst, { replicates: 10, seed: 1 }), 'NOT_MEASURABLE', /all 10 bootstrap replicates failed: boom/);
});

test('bootstrap refuses malformed pairs and options', () => {
  const ok: IdentityPairs = { score: [0.9, 0.1], same: [1, 0], idA: [0, 0], idB: [0, 1] };
  const stat = () => 0;
  throwsFrw(() => bootstrapOverIdentities({ ...ok, same: [0, 0] }, stat, { seed: 1 }), 'BAD_INPUT', /identities 0 and 0 are equal/);
  throwsFrw(() => bootstrapOverIdentities({ ...ok, same: [1, 1] }, stat, { seed: 1 }), 'BAD_INPUT', /differ/);
  throwsFrw(() => bootstrapOverIdentities({ ...ok, idB: [0] }, stat, { seed: 1 }), 'BAD_INPUT', /one length/);
  throwsFrw(() => bootstrapOverIdentities({ score: [], same: [], idA: [], idB: [] }, stat, { seed: 1 }), 'EMPTY_INPUT');
  throwsFrw(() => bootstrapOverIdentities(ok, stat, { seed: -1 }), 'BAD_INPUT', /seed/);
  throwsFrw(() => bootstrapOverIdentities(ok, stat, { seed: 1, replicates: 0 }), 'BAD_INPUT', /replicates/);
  throwsFrw(() => bootstrapOverIdentities(ok, stat, { seed: 1, level: 95 }), 'BAD_INPUT', /level/);
});

function splitScores(p: IdentityPairs): { g: number[]; i: number[] } {
  const g: number[] = [];
  const i: number[] = [];
  for (let k = 0; k < p.score.length; k++) (p.same[k] ? g : i).push(p.score[k]);
  return { g, i };
}

test('over images (a set naming no identities): every pair, genuine too, is kept m(a)·m(b) times, and the method says so', () => {
  // Images 0..3; genuine (0,1) 0.9 and (2,3) 0.8; impostor (0,2) 0.1, (1,3) 0.2. Units are images, not people.
  const pairs: IdentityPairs = { score: [0.9, 0.8, 0.1, 0.2], same: [1, 1, 0, 0], idA: [0, 2, 0, 1], idB: [1, 3, 2, 3], unit: 'image' };
  // Drawn: image 0 twice, 1 once, 2 once, 3 never: (0,1) × 2, (2,3) × 0, (0,2) × 2, (1,3) × 0.
  const r = rebuildPairs(pairs, new Map([[0, 2], [1, 1], [2, 1]]));
  assert.deepEqual([...r.genuine, ...r.impostor], [0.9, 0.9, 0.1, 0.1]);
  // With identities as the unit these pairs are malformed (a genuine pair across two units): never faked.
  throwsFrw(() => rebuildPairs({ ...pairs, unit: 'identity' }, new Map()), 'BAD_INPUT', /same=1 but identities 0 and 1 differ/);
  const b = bootstrapOverIdentities(pairs, (g) => g.length, { replicates: 40, seed: 3 });
  assert.deepEqual([b.unit, b.identities, b.method], ['image', 4, 'bootstrap over images: this set names no identities (B=40, seed=3)']);
  assert.equal(bootstrapOverIdentities({ ...pairs, same: [0, 0, 0, 0] }, (_g, i) => i.length, { replicates: 5, seed: 3 }).unit, 'image');
  // The replicate values follow the rule: Σ over genuine pairs of m(a)·m(b), replayed with the same draws.
  const rng = mulberry32(3);
  const want: number[] = [];
  for (let k = 0; k < 40; k++) {
    const m = [0, 0, 0, 0];
    for (let d = 0; d < 4; d++) m[rng.nextInt(4)]++;
    want.push(m[0] * m[1] + m[2] * m[3]);
  }
  const sorted = Float64Array.from(want).sort();
  assert.deepEqual([b.lower, b.upper], [quantile(sorted, 0.025), quantile(sorted, 0.975)]);
  assert.ok(b.upper > b.lower, 'the draws vary');
  // A pair of an image with itself is no comparison.
  throwsFrw(() => bootstrapOverIdentities({ ...pairs, idB: [0, 3, 2, 3] }, (g) => g.length, { seed: 1 }), 'BAD_INPUT', /both sides are image 0/);
  throwsFrw(() => bootstrapOverIdentities({ ...pairs, unit: 'person' as never }, (g) => g.length, { seed: 1 }), 'BAD_INPUT', /unit must be one of identity, image/);
});
