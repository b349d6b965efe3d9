import { test } from 'vitest';
import assert from 'node:assert/strict';
import { bootstrapOverIdentities, rebuildPairs } from '../../../experiments/metrics/bootstrap.js';
import { eer } from '../../../experiments/metrics/eer.js';
import { pairedBootstrapOverIdentities, pairedEer, pairedTarAtFmr, pairedVerification, type PairedIdentityPairs } from '../../../experiments/metrics/paired-bootstrap.js';
import { mulberry32 } from '../../../experiments/metrics/random.js';
import { generator, python, requireReference, throwsFrw } from './helpers.js';

/**
 * Two models on the same pairs over `ids` identities (`perId` genuine pairs each, every cross pair once). Model B is
 * model A plus independent noise `noise` and a genuine-score shift `gap` (negative: B separates worse).
 */
type Fixture = PairedIdentityPairs & { scoreA: Float64Array; scoreB: Float64Array; idA: Int32Array; idB: Int32Array };

function twoModels(ids: number, perId: number, noise: number, gap: number, seed = 11): Fixture {
  const g = generator(seed);
  const [scoreA, scoreB, same, idA, idB]: number[][] = [[], [], [], [], []];
  const push = (s: number, a: number, b: number) => {
    scoreA.push(s);
    scoreB.push(s + g.normal(0, noise) + (a === b ? gap : 0));
    same.push(a === b ? 1 : 0);
    idA.push(a);
    idB.push(b);
  };
  for (let a = 0; a < ids; a++) {
    // An identity-level effect shared by both models: what makes comparisons of one person correlated.
    const hard = g.normal(0, 0.08);
    for (let k = 0; k < perId; k++) push(g.normal(0.55 + hard, 0.12), a, a);
    for (let b = a + 1; b < ids; b++) push(g.normal(0.1, 0.12), a, b);
  }
  return { scoreA: Float64Array.from(scoreA), scoreB: Float64Array.from(scoreB), same: Uint8Array.from(same), idA: Int32Array.from(idA), idB: Int32Array.from(idB) };
}

const eerOf = (g: Float64Array, i: Float64Array) => eer(g, i).estimate;

test('every replicate resamples the same identities for both models: each side is the single-model bootstrap of that seed', () => {
  const p = twoModels(30, 2, 0.05, 0);
  // An integer statistic, exact whatever the order the scores arrive in.
  const sum = (g: Float64Array) => g.filter((x) => x >= 0.5).length;
  // B's scores all 0: the difference is A's statistic alone, replicate by replicate.
  const zeros = new Float64Array(p.scoreA.length);
  const paired = pairedBootstrapOverIdentities({ ...p, scoreB: zeros }, (g) => sum(g), { replicates: 200, seed: 5 });
  const single = bootstrapOverIdentities({ score: p.scoreA, same: p.same, idA: p.idA, idB: p.idB }, (g) => sum(g), { replicates: 200, seed: 5 });
  assert.deepEqual([paired.lower, paired.upper, paired.estimate], [single.lower, single.upper, single.estimate]);
  // Identical models differ by exactly 0 in every replicate: nothing to back.
  const same = pairedEer({ ...p, scoreB: p.scoreA }, { replicates: 100, seed: 1 });
  assert.deepEqual([same.difference.lower, same.difference.upper, same.better], [0, 0, null]);
  // Seeded: the same seed gives the same interval, another seed another one.
  const again = pairedEer(p, { replicates: 100, seed: 1 });
  assert.deepEqual(pairedEer(p, { replicates: 100, seed: 1 }).difference, again.difference);
  assert.notDeepEqual(pairedEer(p, { replicates: 100, seed: 2 }).difference.lower, again.difference.lower);
});

test('the interval is the numpy percentile of differences rebuilt by hand from the same draws (mulberry32, the multiplicity rule)', () => {
  requireReference(['numpy']);
  const p = twoModels(25, 2, 0.1, -0.03, 3);
  const B = 300;
  const r = pairedBootstrapOverIdentities(p, eerOf, { replicates: B, seed: 42, level: 0.9 });
  // The draws: K identities with replacement, from the sorted distinct ids, by the seeded generator.
  const ids = [...new Set([...p.idA, ...p.idB])].sort((x, y) => x - y);
  const rng = mulberry32(42);
  const diffs = new Float64Array(B);
  for (let k = 0; k < B; k++) {
    const m = new Map<number, number>();
    for (let d = 0; d < ids.length; d++) {
      const id = ids[rng.nextInt(ids.length)];
      m.set(id, (m.get(id) ?? 0) + 1);
    }
    const a = rebuildPairs({ score: p.scoreA, same: p.same, idA: p.idA, idB: p.idB }, m);
    const b = rebuildPairs({ score: p.scoreB, same: p.same, idA: p.idA, idB: p.idB }, m);
    diffs[k] = eerOf(a.genuine, a.impostor) - eerOf(b.genuine, b.impostor);
  }
  const ref = python(`out['q'] = np.percentile(inp['d'], [5, 95])`, { d: diffs });
  assert.equal(r.succeeded, B);
  assert.ok(Math.abs(r.lower - ref.q[0]) < 1e-15 && Math.abs(r.upper - ref.q[1]) < 1e-15, `${r.lower},${r.upper} vs numpy ${ref.q}`);
  assert.equal(r.sided, 'two-sided');
  assert.match(r.method, /paired bootstrap over identities \(B=300, seed=42/);
});

test('a model that separates clearly better is backed by ΔTAR@FMR and ΔEER; a small noisy difference is not', () => {
  const opts = { replicates: 400, seed: 7 };
  const clear = twoModels(60, 2, 0.04, -0.12);
  const tar = pairedTarAtFmr(clear, 0.01, opts);
  assert.equal(tar.statistic, 'TAR@FMR=0.01');
  assert.ok(tar.difference.lower > 0, `ΔTAR interval ${tar.difference.lower}..${tar.difference.upper} excludes 0`);
  assert.equal(tar.better, 'a');
  const e = pairedEer(clear, opts);
  assert.ok(e.difference.upper < 0 && e.a < e.b, 'A has the lower EER');
  assert.equal(e.better, 'a', 'lower EER is better');
  // B = A plus noise of the same size as the gap it does not have: the interval straddles 0.
  const noisy = twoModels(60, 2, 0.03, 0, 8);
  for (const d of [pairedTarAtFmr(noisy, 0.01, opts), pairedEer(noisy, opts)]) {
    assert.ok(d.difference.lower < 0 && d.difference.upper > 0, `${d.statistic}: ${d.difference.lower}..${d.difference.upper}`);
    assert.equal(d.better, null, `${d.statistic}: no difference backed by this data`);
  }
  // Swapping the models swaps the verdict and the sign.
  const swapped = pairedEer({ ...clear, scoreA: clear.scoreB, scoreB: clear.scoreA }, opts);
  assert.equal(swapped.better, 'b');
  assert.equal(swapped.difference.estimate, -e.difference.estimate);
});

test('pairing removes what the models share: the paired interval is narrower than the unpaired one would be', () => {
  const p = twoModels(60, 6, 0.02, -0.02, 21);
  const opts = { replicates: 300, seed: 3 };
  const pairedWidth = ((d) => d.upper - d.lower)(pairedEer(p, opts).difference);
  const one = (score: Float64Array, seed: number) => bootstrapOverIdentities({ score, same: p.same, idA: p.idA, idB: p.idB }, eerOf, { ...opts, seed });
  const [a, b] = [one(p.scoreA, 3), one(p.scoreB, 4)];
  // Independent resamples: the widths add in quadrature (about).
  const unpairedWidth = Math.hypot(a.upper - a.lower, b.upper - b.lower);
  assert.ok(pairedWidth < 0.5 * unpairedWidth, `paired ${pairedWidth} vs unpaired ${unpairedWidth}`);
});

test('a target the impostors cannot measure is refused; replicates that cannot measure it are counted as failed', () => {
  const p = twoModels(8, 1, 0.05, 0); // 28 impostor pairs
  throwsFrw(() => pairedTarAtFmr(p, 0.01, { replicates: 10, seed: 1 }), 'NOT_MEASURABLE', /not measurable with 28 impostor/);
  // 1/28 < 0.04: measurable on the pairs, not in resamples that keep fewer than 25 impostor pairs.
  const d = pairedTarAtFmr(p, 0.04, { replicates: 200, seed: 1 });
  assert.ok(d.difference.failed > 0 && d.difference.succeeded > 0);
  assert.match(d.difference.failures[0].message, /not measurable/);
  throwsFrw(() => pairedEer({ ...p, scoreB: p.scoreB.slice(1) }, { seed: 1 }), 'BAD_INPUT', /same comparisons/);
});

test('one pass for several statistics gives each the interval it gets alone (the same replicates)', () => {
  const p = twoModels(30, 2, 0.05, -0.03, 5);
  const opts = { replicates: 150, seed: 9 };
  const all = pairedVerification(p, [0.1, 0.01], opts);
  assert.deepEqual(all.map((d) => d.statistic), ['TAR@FMR=0.1', 'TAR@FMR=0.01', 'EER']);
  assert.deepEqual(all[1], pairedTarAtFmr(p, 0.01, opts));
  assert.deepEqual(all[2], pairedEer(p, opts));
});

test('the paired bootstrap over images draws the same images for both models and names its unit', () => {
  // Four images, two genuine and two impostor pairs, no identities: B = A − 0.1 everywhere, so ΔEER is 0 in every replicate.
  const pairs: PairedIdentityPairs = { scoreA: [0.9, 0.8, 0.1, 0.2], scoreB: [0.8, 0.7, 0.0, 0.1], same: [1, 1, 0, 0], idA: [0, 2, 0, 1], idB: [1, 3, 2, 3], unit: 'image' };
  const d = pairedBootstrapOverIdentities(pairs, (g, i) => eer(g, i).estimate, { replicates: 50, seed: 2 });
  assert.match(d.method, /^paired bootstrap over images: this set names no identities \(B=50, seed=2; the same resampled images for both models\)$/);
  assert.equal(d.unit, 'image');
  assert.ok(d.succeeded > 0 && d.lower === 0 && d.upper === 0, JSON.stringify(d));
});
