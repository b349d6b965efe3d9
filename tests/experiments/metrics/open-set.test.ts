import { test } from 'vitest';
import assert from 'node:assert/strict';
import { fnirAtFpir, openSetCurve, openSetRatesAt, sortOpenSet, thresholdForFpir, type OpenSetScores } from '../../../experiments/metrics/open-set.js';
import { bootstrapOpenSet, type OpenSetProbes } from '../../../experiments/metrics/open-set-bootstrap.js';
import { clopperPearson } from '../../../experiments/metrics/confidence.js';
import { mulberry32 } from '../../../experiments/metrics/random.js';
import { generator, throwsFrw } from './helpers.js';

const gallery = { identities: 10, vectors: 30 };
// Mated: three hits scoring {0.9, 0.7, 0.5} and one miss (mate not at rank 1): N_mated = 4.
// Non-mated top-1 scores {0.8, 0.6, 0.5, 0.3, 0.2}: N_nonMated = 5.
const A: OpenSetScores = {
  matedHit: Float64Array.of(0.9, 0.7, 0.5),
  matedMiss: 1,
  nonMatedTop1: Float64Array.of(0.8, 0.6, 0.5, 0.3, 0.2),
  gallery,
};

test('open-set rates by hand: a non-mated top-1 equal to t is a false positive, a mated hit at t a detection', () => {
  // t = 0.6: FP = #{0.8, 0.6} = 2 → FPIR 2/5 = 0.4 (0.6 >= 0.6 counts). FN = 1 miss + #{0.5 < 0.6} = 2 → FNIR 2/4.
  assert.deepEqual(openSetRatesAt(A, 0.6), { threshold: 0.6, fpir: 0.4, fnir: 0.5, dir: 0.5, falsePositives: 2, falseNegatives: 2, mated: 4, nonMated: 5, gallery });
  // t = 0.5: FP = #{0.8, 0.6, 0.5} = 3 → 0.6; the hit 0.5 is returned (0.5 >= 0.5): FN = 1 miss only → 0.25.
  const r = openSetRatesAt(A, 0.5);
  assert.deepEqual([r.falsePositives, r.fpir, r.falseNegatives, r.fnir, r.dir], [3, 0.6, 1, 0.25, 0.75]);
  // +Infinity returns nothing: FPIR 0, FNIR 4/4. -Infinity returns every top-1: FPIR 1, but FNIR = 1/4, the miss.
  assert.deepEqual([openSetRatesAt(A, Infinity).fpir, openSetRatesAt(A, Infinity).fnir], [0, 1]);
  assert.deepEqual([openSetRatesAt(A, -Infinity).fpir, openSetRatesAt(A, -Infinity).fnir], [1, 0.25]);
});

test('a mated probe whose mate is not at rank 1 is a false negative at every threshold, whatever its score', () => {
  // One mated probe, mate at rank 2 (its top-1 is someone else at 0.99): it is in matedMiss, not matedHit.
  const s: OpenSetScores = { matedHit: new Float64Array(0), matedMiss: 1, nonMatedTop1: Float64Array.of(0.1), gallery };
  for (const t of [Infinity, 0.99, 0.5, -1, -Infinity]) assert.equal(openSetRatesAt(s, t).fnir, 1, `t=${t}`);
  // The same probe in the bootstrap input: hit = 0 with a high score is a miss, its score ignored.
  const probes: OpenSetProbes = {
    mated: { identity: Int32Array.of(7), hit: Uint8Array.of(0), score: Float64Array.of(0.99) },
    nonMated: { identity: Int32Array.of(1), top1: Float64Array.of(0.1) },
    gallery,
  };
  const seen: number[][] = [];
  const b = bootstrapOpenSet(probes, (x) => (seen.push([x.matedHit.length, x.matedMiss]), openSetRatesAt(x, -Infinity).fnir), { replicates: 5, seed: 3 });
  assert.deepEqual(seen[0], [0, 1]);
  assert.deepEqual([b.estimate, b.lower, b.upper], [1, 1, 1]);
});

test('FPIR counts only non-mated probes and FNIR only mated ones', () => {
  const withMated: OpenSetScores = { ...A, matedHit: Float64Array.of(...A.matedHit, 0.95, 0.55, 0.1), matedMiss: A.matedMiss + 2 };
  const withNonMated: OpenSetScores = { ...A, nonMatedTop1: Float64Array.of(...A.nonMatedTop1, 0.95, 0.55) };
  for (const t of [Infinity, 0.95, 0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.3, 0.1, -Infinity]) {
    const base = openSetRatesAt(A, t);
    // Adding mated probes (hits above, between and below the non-mated scores, and misses) never moves FPIR.
    assert.deepEqual([openSetRatesAt(withMated, t).fpir, openSetRatesAt(withMated, t).falsePositives], [base.fpir, base.falsePositives], `t=${t}`);
    // Adding non-mated probes never moves FNIR.
    assert.deepEqual([openSetRatesAt(withNonMated, t).fnir, openSetRatesAt(withNonMated, t).falseNegatives], [base.fnir, base.falseNegatives], `t=${t}`);
  }
  // And each addition does move its own rate: at t = 0.6 the mated set has N = 4 + 3 hits + 2 misses = 9 and
  // FN = 3 misses + #{0.5, 0.55, 0.1 < 0.6} = 6; the non-mated set has N = 7 and FP = #{0.8, 0.6, 0.95} = 3.
  assert.deepEqual([openSetRatesAt(withMated, 0.6).falseNegatives, openSetRatesAt(withMated, 0.6).mated], [6, 9]);
  assert.deepEqual([openSetRatesAt(withNonMated, 0.6).falsePositives, openSetRatesAt(withNonMated, 0.6).nonMated], [3, 7]);
});

test('FNIR@FPIR by hand: the lowest candidate threshold, mated hit scores included', () => {
  const [p02, p04, p06, p1] = fnirAtFpir(A, [0.2, 0.4, 0.6, 1]);
  // f = 0.2 allows 0.2·5 = 1 false positive: t must exceed the 2nd-highest non-mated score, 0.6. Candidates above
  // 0.6: 0.7 (a mated hit), 0.8, 0.9, +Inf; the lowest is 0.7: FPIR(0.7) = #{0.8}/5 = 0.2, FN = 1 + #{0.5} = 2 → 0.5.
  // (Non-mated scores alone as candidates would give t = 0.8 and FNIR 3/4.)
  assert.equal(p02.measurable, true);
  assert.deepEqual(
    [p02.threshold, p02.achievedFpir, p02.falsePositives, p02.fnir, p02.dir, p02.falseNegatives, p02.smallestMeasurableFpir, p02.mated, p02.nonMated],
    [0.7, 0.2, 1, 0.5, 0.5, 2, 0.2, 4, 5],
  );
  assert.deepEqual(p02.gallery, gallery);
  assert.deepEqual(p02.fnirInterval, clopperPearson(2, 4));
  assert.deepEqual(p02.fpirInterval, clopperPearson(1, 5));
  // f = 0.4: 2 false positives, t above 0.5 → 0.6 (the non-mated 0.6 is tied at t and counts): FPIR 0.4, FNIR 2/4.
  assert.deepEqual([p04.threshold, p04.achievedFpir, p04.fnir], [0.6, 0.4, 0.5]);
  // f = 0.6: 3 false positives, t above 0.3 → 0.5 (a hit and a non-mated score tied there move together):
  // FPIR #{0.8, 0.6, 0.5}/5 = 0.6, FNIR = the miss only, 1/4.
  assert.deepEqual([p06.threshold, p06.achievedFpir, p06.fnir], [0.5, 0.6, 0.25]);
  // f = 1: -Infinity, FPIR 1; FNIR stays 1/4 (the miss).
  assert.deepEqual([p1.threshold, p1.achievedFpir, p1.fnir], [-Infinity, 1, 0.25]);
  assert.deepEqual(thresholdForFpir(A, 0.2), p02);
  // The level option reaches the intervals.
  assert.deepEqual(thresholdForFpir(A, 0.2, { level: 0.9 }).fnirInterval, clopperPearson(2, 4, 0.9));
});

test('FNIR@FPIR: a target below 1/N_nonMated is not measurable (nulls, not sentinels)', () => {
  const [p, zero] = fnirAtFpir(A, [0.1, 0]);
  // 0.1 · 5 = 0.5 < 1: not even one false positive can be allowed; the smallest measurable FPIR is 1/5.
  assert.deepEqual(p, {
    targetFpir: 0.1, smallestMeasurableFpir: 0.2, mated: 4, nonMated: 5, gallery, measurable: false,
    threshold: null, fnir: null, dir: null, achievedFpir: null, falsePositives: null, falseNegatives: null, fnirInterval: null, fpirInterval: null,
  });
  assert.equal(zero.measurable, false);
  // Counted as reported (k/N <= f): 3/5 meets a 0.6 target even though 0.6·5 is not exactly 3 in doubles.
  assert.equal(thresholdForFpir(A, 0.6).measurable, true);
});

test('the open-set curve by hand, and every point equal to openSetRatesAt there', () => {
  const c = openSetCurve(A);
  // Candidates: +Inf, distinct scores of both sets descending, -Inf. Hits returned at each: 0,1,1,2,2,3,3,3,3.
  assert.deepEqual([...c.threshold], [Infinity, 0.9, 0.8, 0.7, 0.6, 0.5, 0.3, 0.2, -Infinity]);
  assert.deepEqual([...c.fpir], [0, 0, 0.2, 0.2, 0.4, 0.6, 0.8, 1, 1]);
  assert.deepEqual([...c.fnir], [1, 0.75, 0.75, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25]);
  assert.deepEqual([c.probitFpir[0], c.probitFnir[0], c.probitFpir[8]], [-Infinity, Infinity, Infinity]);
  assert.deepEqual([c.mated, c.nonMated, c.gallery], [4, 5, gallery]);
  c.threshold.forEach((t, k) => {
    const r = openSetRatesAt(A, t);
    assert.deepEqual([c.fpir[k], c.fnir[k], c.dir[k]], [r.fpir, r.fnir, r.dir], `t=${t}`);
  });
});

test('FNIR@FPIR equals the brute-force rule over the curve on random, tie-heavy searches', () => {
  const g = generator(31);
  for (const round of [false, true]) {
    const r = (x: number) => (round ? Math.round(x * 20) / 20 : x);
    const s = sortOpenSet({
      matedHit: Float64Array.from({ length: 400 }, () => r(g.normal(0.6, 0.15))),
      matedMiss: 37,
      nonMatedTop1: Float64Array.from({ length: 900 }, () => r(g.normal(0.35, 0.1))),
      gallery,
    });
    const c = openSetCurve(s);
    for (const f of [1e-3, 2e-3, 0.01, 0.05, 0.1, 0.5, 1]) {
      const p = thresholdForFpir(s, f);
      if (f * 900 < 1) {
        assert.equal(p.measurable, false);
        continue;
      }
      // Thresholds descend and FPIR rises along the curve: the lowest t with FPIR <= f is the last such point.
      let k = 0;
      while (k + 1 < c.fpir.length && c.fpir[k + 1] <= f) k++;
      assert.deepEqual([p.threshold, p.achievedFpir, p.fnir], [c.threshold[k], c.fpir[k], c.fnir[k]], `round=${round} f=${f}`);
    }
  }
});

test('sortOpenSet copies and sorts once; inputs are left alone', () => {
  const input: OpenSetScores = { matedHit: Float64Array.of(0.5, -0, 0.9), matedMiss: 0, nonMatedTop1: Float64Array.of(0.3, 0.1), gallery };
  const s = sortOpenSet(input);
  assert.deepEqual([...s.matedHit], [0, 0.5, 0.9]);
  assert.ok(Object.is(s.matedHit[0], 0), '-0 stored as +0');
  assert.deepEqual([...input.matedHit], [0.5, -0, 0.9]);
  assert.equal(sortOpenSet(s), s);
  assert.ok(Object.isFrozen(s));
});

test('empty and malformed open-set inputs throw typed errors', () => {
  throwsFrw(() => openSetRatesAt({ ...A, nonMatedTop1: new Float64Array(0) }, 0.5), 'EMPTY_INPUT', /no non-mated probes.*FPIR/);
  throwsFrw(() => openSetRatesAt({ ...A, matedHit: new Float64Array(0), matedMiss: 0 }, 0.5), 'EMPTY_INPUT', /no mated probes.*FNIR/);
  throwsFrw(() => fnirAtFpir({ ...A, nonMatedTop1: new Float64Array(0) }, [0.1]), 'EMPTY_INPUT');
  throwsFrw(() => openSetCurve({ ...A, matedHit: new Float64Array(0), matedMiss: 0 }), 'EMPTY_INPUT');
  throwsFrw(() => openSetRatesAt({ ...A, nonMatedTop1: Float64Array.of(NaN) }, 0.5), 'BAD_INPUT', /non-mated top-1 score #0 is NaN/);
  throwsFrw(() => openSetRatesAt({ ...A, matedMiss: -1 }, 0.5), 'BAD_INPUT', /matedMiss/);
  throwsFrw(() => openSetRatesAt({ ...A, matedMiss: 1.5 }, 0.5), 'BAD_INPUT', /matedMiss/);
  throwsFrw(() => openSetRatesAt({ ...A, gallery: { identities: 0, vectors: 0 } }, 0.5), 'BAD_INPUT', /gallery/);
  throwsFrw(() => openSetRatesAt({ ...A, gallery: { identities: 5, vectors: 4 } }, 0.5), 'BAD_INPUT', /gallery/);
  throwsFrw(() => openSetRatesAt(A, NaN), 'BAD_INPUT', /threshold/);
  throwsFrw(() => fnirAtFpir(A, [1.5]), 'BAD_INPUT', /target FPIR/);
  throwsFrw(() => fnirAtFpir(A, [0.5], { level: 2 }), 'BAD_INPUT', /level/);
});

/** Probes of `ids` mated identities (3 each, 90% hits) and `persons` unknowns (2 each), seeded scores. */
function population(ids: number, persons: number, seed = 11): OpenSetProbes {
  const g = generator(seed);
  const mi: number[] = [];
  const hit: number[] = [];
  const score: number[] = [];
  for (let a = 0; a < ids; a++) for (let k = 0; k < 3; k++) (mi.push(100 + a), hit.push(g.uniform() < 0.9 ? 1 : 0), score.push(g.normal(0.6, 0.1)));
  const ni: number[] = [];
  const top1: number[] = [];
  for (let p = 0; p < persons; p++) for (let k = 0; k < 2; k++) (ni.push(p), top1.push(g.normal(0.35, 0.1)));
  return {
    mated: { identity: Int32Array.from(mi), hit: Uint8Array.from(hit), score: Float64Array.from(score) },
    nonMated: { identity: Int32Array.from(ni), top1: Float64Array.from(top1) },
    gallery,
  };
}

test('bootstrapOpenSet is reproducible from its seed and brackets the estimate of a smooth statistic', () => {
  const probes = population(40, 60);
  const stat = (s: OpenSetScores) => openSetRatesAt(s, 0.5).fnir;
  const a = bootstrapOpenSet(probes, stat, { replicates: 300, seed: 1 });
  const b = bootstrapOpenSet(probes, stat, { replicates: 300, seed: 1 });
  assert.deepEqual(a, b);
  // FNIR takes few distinct values, so two seeds may well give the same interval; a continuous statistic
  // (mean mated-hit score minus mean non-mated top-1) shows the seed matters.
  const mean = (x: Float64Array) => x.reduce((u, v) => u + v, 0) / x.length;
  const gap = (s: OpenSetScores) => mean(s.matedHit) - mean(s.nonMatedTop1);
  const g1 = bootstrapOpenSet(probes, gap, { replicates: 300, seed: 1 });
  const g2 = bootstrapOpenSet(probes, gap, { replicates: 300, seed: 2 });
  assert.notDeepEqual([g1.lower, g1.upper], [g2.lower, g2.upper]);
  assert.ok(g1.lower < g1.estimate && g1.estimate < g1.upper, `${g1.lower} < ${g1.estimate} < ${g1.upper}`);
  // The estimate is the statistic on the original probes, assembled by hand.
  const m = probes.mated;
  const original: OpenSetScores = {
    matedHit: Float64Array.from(m.score.filter((_, i) => m.hit[i] === 1)),
    matedMiss: m.hit.filter((h) => h === 0).length,
    nonMatedTop1: probes.nonMated.top1,
    gallery,
  };
  assert.equal(a.estimate, stat(original));
  assert.ok(a.lower <= a.estimate && a.estimate <= a.upper && a.lower < a.upper, `${a.lower} <= ${a.estimate} <= ${a.upper}`);
  assert.deepEqual(
    [a.level, a.replicates, a.succeeded, a.failed, a.identities, a.matedIdentities, a.nonMatedPersons, a.gallery],
    [0.95, 300, 300, 0, 100, 40, 60, gallery],
  );
  assert.match(a.method, /bootstrap over probe identities, gallery fixed \(B=300, seed=1\)/);
});

test('bootstrapOpenSet replicates by hand: probes kept m(identity) times, mated then non-mated draws, sorted', () => {
  // Mated identities 0..3 (dense indices in first-seen order): identity a has a + 1 hits; identity 2 also has
  // 2 misses. Non-mated persons 0..2: person p has p + 1 probes. The statistic encodes the three counts:
  // hits + 100·nonMated + 10000·misses = Σ_mated draws (a + 1) + 100·Σ_person draws (p + 1) + 10000·2·m(2).
  const mi: number[] = [];
  const hit: number[] = [];
  const score: number[] = [];
  for (let a = 0; a < 4; a++) for (let k = 0; k <= a; k++) (mi.push(a), hit.push(1), score.push(0.9 - 0.1 * a - 0.01 * k));
  mi.push(2, 2), hit.push(0, 0), score.push(NaN, 0.99); // misses: their scores are ignored, even NaN
  const ni: number[] = [];
  const top1: number[] = [];
  for (let p = 0; p < 3; p++) for (let k = 0; k <= p; k++) (ni.push(p), top1.push(0.5 - 0.1 * p + 0.01 * k));
  const probes: OpenSetProbes = {
    mated: { identity: Int32Array.from(mi), hit: Uint8Array.from(hit), score: Float64Array.from(score) },
    nonMated: { identity: Int32Array.from(ni), top1: Float64Array.from(top1) },
    gallery,
  };
  let sorted = true;
  const B = 101;
  const r = bootstrapOpenSet(
    probes,
    (s) => {
      for (const a of [s.matedHit, s.nonMatedTop1]) for (let i = 1; i < a.length; i++) if (a[i - 1] > a[i]) sorted = false;
      return s.matedHit.length + 100 * s.nonMatedTop1.length + 10000 * s.matedMiss;
    },
    { replicates: B, seed: 42, level: 0.9 },
  );
  assert.ok(sorted, 'every rebuilt replicate comes out sorted ascending');
  // Original: 10 hits, 6 non-mated, 2 misses.
  assert.equal(r.estimate, 10 + 600 + 20000);
  const rng = mulberry32(42);
  const values: number[] = [];
  for (let b = 0; b < B; b++) {
    let v = 0;
    for (let d = 0; d < 4; d++) {
      const a = rng.nextInt(4);
      v += a + 1 + (a === 2 ? 20000 : 0);
    }
    for (let d = 0; d < 3; d++) v += 100 * (rng.nextInt(3) + 1);
    values.push(v);
  }
  values.sort((x, y) => x - y);
  // Type 7 with n = 101: q = 0.05 → index 5, q = 0.95 → index 95.
  assert.deepEqual([r.lower, r.upper], [values[5], values[95]]);
});

test('bootstrapOpenSet counts failed replicates and refuses malformed probes', () => {
  // Identity 0 has the only miss; a resample without it (probability 1/4 with K_m = 2) has matedMiss = 0.
  const probes: OpenSetProbes = {
    mated: { identity: Int32Array.of(0, 1), hit: Uint8Array.of(0, 1), score: Float64Array.of(0, 0.8) },
    nonMated: { identity: Int32Array.of(5), top1: Float64Array.of(0.2) },
    gallery,
  };
  const r = bootstrapOpenSet(probes, (s) => (s.matedMiss === 0 ? NaN : s.matedMiss), { replicates: 200, seed: 9 });
  assert.ok(r.failed > 0 && r.succeeded > 0);
  assert.deepEqual(r.failures, [{ message: 'statistic returned NaN', count: r.failed }]);
  let calls = 0;
  const failAfterFirst = () => {
    if (calls++ > 0) throw new Error('boom');
    return 0;
  };
  throwsFrw(() => bootstrapOpenSet(probes, failAfterFirst, { replicates: 10, seed: 1 }), 'NOT_MEASURABLE', /all 10 bootstrap replicates failed: boom/);
  const stat = () => 0;
  const m = probes.mated;
  throwsFrw(() => bootstrapOpenSet({ ...probes, mated: { ...m, hit: Uint8Array.of(1) } }, stat, { seed: 1 }), 'BAD_INPUT', /one length/);
  throwsFrw(() => bootstrapOpenSet({ ...probes, mated: { ...m, hit: Uint8Array.of(2, 1) } }, stat, { seed: 1 }), 'BAD_INPUT', /hit must be 0 or 1/);
  throwsFrw(() => bootstrapOpenSet({ ...probes, mated: { ...m, score: Float64Array.of(0, NaN) } }, stat, { seed: 1 }), 'BAD_INPUT', /score is NaN/);
  const noMated = { identity: new Int32Array(0), hit: new Uint8Array(0), score: new Float64Array(0) };
  throwsFrw(() => bootstrapOpenSet({ ...probes, mated: noMated }, stat, { seed: 1 }), 'EMPTY_INPUT', /no mated probes/);
  throwsFrw(() => bootstrapOpenSet({ ...probes, nonMated: { identity: new Int32Array(0), top1: new Float64Array(0) } }, stat, { seed: 1 }), 'EMPTY_INPUT', /no non-mated/);
  throwsFrw(() => bootstrapOpenSet({ ...probes, gallery: { identities: 2, vectors: 1 } }, stat, { seed: 1 }), 'BAD_INPUT', /gallery/);
  throwsFrw(() => bootstrapOpenSet(probes, stat, { seed: -1 }), 'BAD_INPUT', /seed/);
  throwsFrw(() => bootstrapOpenSet(probes, stat, { seed: 1, replicates: 0 }), 'BAD_INPUT', /replicates/);
});
