import { test } from 'vitest';
import assert from 'node:assert/strict';
import { groupDifferentials, type DecidedComparisons } from '../../experiments/groups.js';
import { clopperPearson } from '../../experiments/metrics/index.js';

/** Comparisons from rows [a, b, same, accepted]. */
const decided = (rows: number[][]): DecidedComparisons => ({ a: rows.map((r) => r[0]), b: rows.map((r) => r[1]), same: rows.map((r) => r[2]), accepted: rows.map((r) => r[3]) });

test('group membership: an impostor comparison belongs to a group when both images do; mixed and unknown ones are reported apart', () => {
  // Images 0,1 in "x", 2,3 in "y", 4 unknown.
  const attr = { name: 't', source: 'supplied' as const, per: 'image' as const, values: ['x', 'x', 'y', 'y', null] };
  const r = groupDifferentials(decided([[0, 1, 0, 1], [2, 3, 0, 0], [0, 2, 0, 1], [1, 4, 0, 0], [0, 1, 1, 0], [2, 3, 1, 1]]), attr, 0.95);
  assert.deepEqual(r.fmr.groups.map((g) => [g.group, g.errors, g.trials]), [['x', 1, 1], ['y', 0, 1]]);
  assert.deepEqual(r.fmr.crossGroup, { errors: 1, trials: 1 });
  assert.deepEqual(r.fmr.notGiven, { errors: 0, trials: 1 });
  assert.deepEqual(r.fmr.pooled, { errors: 2, trials: 4 }, 'the pooled rate counts every comparison');
  assert.deepEqual(r.fnmr.groups.map((g) => [g.group, g.errors, g.trials]), [['x', 1, 1], ['y', 0, 1]]);
  assert.deepEqual(r.fmr.groups[0].rate, clopperPearson(1, 1, 0.95));
});

test('the differential is max/min over groups large enough to back the pooled rate, with Bonferroni bounds; small groups are marked, not dropped', () => {
  // FMR: group a 20/1000, group b 5/1000, group c 1/20 (too small). Pooled 26/2020 = 1.287e-2; trialsToBack at 95% = 232.
  const rows: number[][] = [];
  const values: string[] = [];
  const add = (group: string, errors: number, trials: number) => {
    for (let k = 0; k < trials; k++) {
      const i = values.push(group) - 1;
      const j = values.push(group) - 1;
      rows.push([i, j, 0, k < errors ? 1 : 0]);
    }
  };
  add('a', 20, 1000);
  add('b', 5, 1000);
  add('c', 1, 20);
  const r = groupDifferentials(decided(rows), { name: 'g', source: 'supplied', per: 'image', values }, 0.95);
  assert.equal(r.fmr.trialsToBack, 232);
  assert.deepEqual(r.fmr.groups.map((g) => [g.group, g.backed]), [['a', true], ['b', true], ['c', false]]);
  const d = r.fmr.differential!;
  assert.equal(d.estimate, 4);
  assert.deepEqual([d.highest, d.lowest], ['a', 'b']);
  // Two groups: each interval at 97.5% two-sided. Upper = U_a / L_b, lower = max(1, L_a / U_b).
  const a = clopperPearson(20, 1000, 0.975);
  const b = clopperPearson(5, 1000, 0.975);
  assert.equal(d.upper, a.upper / b.lower);
  assert.equal(d.lower, Math.max(1, a.lower / b.upper));
  assert.match(d.method, /Bonferroni-adjusted over 2 groups/);
  // No genuine comparisons: no FNMR to compare, said so.
  assert.equal(r.fnmr.differential, null);
  assert.match(r.fnmr.why!, /no errors of this kind/);
});

test('decisions and attribute values must line up', () => {
  assert.throws(() => groupDifferentials({ a: [0], b: [1], same: [0, 1], accepted: [1] }, { name: 'g', source: 'supplied', per: 'image', values: ['x', 'x'] }), /one entry per comparison/);
});
