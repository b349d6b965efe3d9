import { test } from 'vitest';
import assert from 'node:assert/strict';
import { CHART_PARAMS } from '../../../../reports/charts.js';
import { rateTable } from '../../../../experiments/metrics/rate-table.js';
import { sortScores } from '../../../../experiments/metrics/sorted.js';
import { chartSignals, pointOfTable } from '../../../../workbench/ui/lib/shown-point.js';

const view = { model: 'm', level: 0.95, table: rateTable(sortScores([0.3, 0.5, 0.9], [0.1, 0.3, 0.62]), 100, { lo: -1, hi: 1 }) };

test('a slider position snaps to the nearest table threshold; a typed value off the grid is left to the server', () => {
  assert.equal(pointOfTable(view, 0.3012, true)!.threshold.similarity, 0.3);
  assert.equal(pointOfTable(view, 0.3012, false), null);
  const p = pointOfTable(view, 0.3, false)!;
  assert.deepEqual([p.falseMatches, p.falseNonMatches], [2, 0], 'the impostor at exactly 0.3 is a false match');
  assert.match(p.description, /set by hand/);
});

test('chart params: the threshold always; the operating point only once there is one, and no probit at a rate of 0 or 1', () => {
  assert.deepEqual(chartSignals(0.4, null), { [CHART_PARAMS.threshold]: 0.4, [CHART_PARAMS.fmr]: null, [CHART_PARAMS.tar]: null, [CHART_PARAMS.probitFmr]: null, [CHART_PARAMS.probitFnmr]: null });
  const p = pointOfTable(view, 0.4, true)!;
  const s = chartSignals(0.4, p);
  assert.deepEqual([s[CHART_PARAMS.fmr], s[CHART_PARAMS.tar]], [1 / 3, 2 / 3]);
  assert.equal(s[CHART_PARAMS.probitFmr], p.det.probitFmr);
  assert.equal(chartSignals(0, pointOfTable(view, 0, true))[CHART_PARAMS.probitFnmr], null, 'FNMR 0: no probit');
});
