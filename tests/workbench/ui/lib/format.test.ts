import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytes, finiteNumbers, intervalText, pct, sci, scoreRange } from '../../../../workbench/ui/lib/format.js';
import { formatRoute, parseRoute } from '../../../../workbench/ui/lib/route.js';

test('rates keep enough digits to be told apart; intervals name their level and method', () => {
  assert.deepEqual([pct(0), pct(1), pct(0.9943), pct(0.0123), pct(0.000333), pct(3.3e-6)], ['0%', '100.00%', '99.43%', '1.23%', '0.0333%', '0.00033%']);
  assert.deepEqual([sci(1e-3), sci(0.00333), sci(0)], ['1e-3', '3.33e-3', '0']);
  assert.equal(intervalText({ lower: 0, upper: 0.0596, level: 0.95, method: 'Clopper-Pearson exact' }), '[0%, 5.96%] 95% Clopper-Pearson exact');
  assert.equal(intervalText(null), 'no interval');
  assert.deepEqual([bytes(null), bytes(512), bytes(4_900_000)], ['file missing', '512 B', '4.7 MiB']);
});

test('the slider spans the occupied bins plus one on each side; curves.json strings become NaN', () => {
  const h = { edges: [-1, -0.5, 0, 0.5, 1], counts: [0, 2, 0, 0] };
  const g = { edges: [-1, -0.5, 0, 0.5, 1], counts: [0, 0, 3, 0] };
  assert.deepEqual(scoreRange([h, g]), { min: -1, max: 1 });
  assert.deepEqual(scoreRange([{ edges: [0, 1], counts: [0] }]), { min: -1, max: 1 });
  assert.deepEqual(finiteNumbers([1, 'Infinity', -2]).map(String), ['1', 'NaN', '-2']);
});

test('routes round-trip and unknown views fall back to Experiments', () => {
  const r = parseRoute(formatRoute('explorer', { run: 'a b', model: 'm', empty: '' }));
  assert.deepEqual(r, { view: 'explorer', params: { run: 'a b', model: 'm' } });
  assert.equal(parseRoute('#/nowhere').view, 'experiments');
  assert.equal(parseRoute('').view, 'experiments');
});
