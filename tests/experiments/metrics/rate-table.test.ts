import { test } from 'vitest';
import assert from 'node:assert/strict';
import { entryAt, nearestEntry, rateTable, ratesAtEntry, tableThreshold, RATE_TABLE_MAX_THRESHOLDS } from '../../../experiments/metrics/rate-table.js';
import { chooseThreshold } from '../../../experiments/metrics/thresholds.js';
import { errorRatesAt } from '../../../experiments/metrics/rates.js';
import { clopperPearson } from '../../../experiments/metrics/confidence.js';
import { sortScores } from '../../../experiments/metrics/sorted.js';
import { scoreSets, throwsFrw } from './helpers.js';

const COSINE = { lo: -1, hi: 1 };

// Ties on the grid: 0.3 and 0.5 are grid thresholds at resolution 10 (3/10 and 5/10 are the same doubles), held by a
// genuine and an impostor score each. Accept iff s >= t: at t = 0.3 the impostor 0.3 is a false match and the
// genuine 0.3 is not a false non-match.
const tied = sortScores([0.3, 0.5, 0.5, 0.9], [0.1, 0.3, 0.3, 0.5, 0.62]);

test('counts at every grid threshold are errorRatesAt there, ties accepted with the threshold', () => {
  const table = rateTable(tied, 10, COSINE);
  assert.deepEqual([table.first, table.genuineBelow.length], [1, 10], 'from 0.1 (every score accepted) to 1.0 (none)');
  for (let i = 0; i < table.genuineBelow.length; i++) {
    const r = errorRatesAt(tied, tableThreshold(table, i));
    assert.deepEqual([table.impostorAtLeast[i], table.genuineBelow[i]], [r.falseMatches, r.falseNonMatches], `t = ${tableThreshold(table, i)}`);
  }
  const at03 = entryAt(table, 0.3)!;
  assert.deepEqual([table.impostorAtLeast[at03], table.genuineBelow[at03]], [4, 0], 'the two impostors at 0.3 are false matches; the genuine 0.3 is accepted');
  const at05 = entryAt(table, 0.5)!;
  assert.deepEqual([table.impostorAtLeast[at05], table.genuineBelow[at05]], [2, 1]);
});

test('the ends: the first threshold accepts every comparison and the last none, unless the allowed range stops short', () => {
  const table = rateTable(tied, 10, { lo: -1, hi: 2 });
  const last = table.genuineBelow.length - 1;
  assert.deepEqual([table.impostorAtLeast[0], table.genuineBelow[0]], [5, 0]);
  assert.deepEqual([table.impostorAtLeast[last], table.genuineBelow[last]], [0, 4]);
  assert.ok(tableThreshold(table, 0) <= 0.1 && tableThreshold(table, last) > 0.9);
  // A score of exactly 1 (the same image twice): the grid cannot pass it within cosine's [-1, 1], and stops at 1.
  const top = rateTable(sortScores([1, 0.5], [0.2, 1]), 100, COSINE);
  assert.equal(tableThreshold(top, top.genuineBelow.length - 1), 1);
  assert.equal(top.impostorAtLeast[top.genuineBelow.length - 1], 1, 'the impostor at 1 is still accepted at t = 1');
  // Negative scores: the grid starts at or below the lowest.
  const neg = rateTable(sortScores([0.5], [-0.123456]), 1000, COSINE);
  assert.deepEqual([tableThreshold(neg, 0), neg.impostorAtLeast[0]], [-0.124, 1]);
});

test('rates at an entry equal chooseThreshold at that fixed threshold, intervals and views included, on every reference score set', () => {
  // Continuous, tie-heavy (scores rounded to 0.1: every tie sits on the grid), separable, inverted, float32.
  for (const set of scoreSets()) {
    const s = sortScores(set.genuine, set.impostor);
    const lo = Math.min(-1, s.genuine[0], s.impostor[0]);
    const hi = Math.max(1, s.genuine[s.genuine.length - 1], s.impostor[s.impostor.length - 1]);
    const table = rateTable(s, 1000, { lo, hi });
    for (let i = 0; i < table.genuineBelow.length; i++) {
      const t = tableThreshold(table, i);
      const c = chooseThreshold(s, { kind: 'fixed', threshold: t }, 0.95);
      const r = ratesAtEntry(table, i, 0.95);
      assert.deepEqual([r.threshold, r.fmr, r.fnmr, r.falseMatches, r.falseNonMatches, r.genuineCount, r.impostorCount], [c.threshold, c.fmr, c.fnmr, c.falseMatches, c.falseNonMatches, c.genuineCount, c.impostorCount], `${set.name} t = ${t}`);
      assert.deepEqual(r.tar, clopperPearson(c.genuineCount - c.falseNonMatches, c.genuineCount, 0.95));
    }
    const last = table.genuineBelow.length - 1;
    assert.deepEqual([table.impostorAtLeast[0], table.genuineBelow[0]], [s.impostor.length, 0], `${set.name}: the first threshold accepts all`);
    // The last accepts none, unless the highest score is the end of the thresholds the route accepts (scores above 1).
    const top = Math.max(s.genuine[s.genuine.length - 1], s.impostor[s.impostor.length - 1]);
    assert.ok(tableThreshold(table, last) <= hi && tableThreshold(table, 0) >= lo);
    if (top < hi) assert.deepEqual([table.impostorAtLeast[last], table.genuineBelow[last]], [0, s.genuine.length], `${set.name}: the last accepts none`);
    else assert.ok(tableThreshold(table, last + 1) > hi, `${set.name}: the grid goes as far as the range allows`);
    assert.deepEqual(ratesAtEntry(table, 0, 0.95).det, { probitFmr: null, probitFnmr: null }, 'FMR 1 and FNMR 0 have no probit');
  }
});

test('snapping: a slider value goes to the nearest entry (clamped), a typed value must be on the grid', () => {
  const table = rateTable(tied, 10, COSINE);
  assert.equal(tableThreshold(table, nearestEntry(table, 0.34)), 0.3);
  assert.equal(nearestEntry(table, -5), 0);
  assert.equal(nearestEntry(table, 5), table.genuineBelow.length - 1);
  assert.equal(entryAt(table, 0.35), null, 'off the grid: the server counts it');
  assert.equal(tableThreshold(table, entryAt(table, 0.7)!), 0.7);
});

test('bad input: resolution, the size bound, an entry outside the table', () => {
  throwsFrw(() => rateTable(tied, 0.5, COSINE), 'BAD_INPUT');
  throwsFrw(() => rateTable(sortScores([40], [-30]), 1000, { lo: -30, hi: 40 }), 'BAD_INPUT', /more than 20003/);
  assert.ok(rateTable(sortScores([1], [-1]), 10_000, COSINE).genuineBelow.length <= RATE_TABLE_MAX_THRESHOLDS);
  throwsFrw(() => ratesAtEntry(rateTable(tied, 10, COSINE), 99, 0.95), 'BAD_INPUT');
});
