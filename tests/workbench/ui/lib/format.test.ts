import { test } from 'vitest';
import assert from 'node:assert/strict';
import { elapsed, finiteNumbers, scoreRange } from '../../../../workbench/ui/lib/format.js';
import { formatRoute, parseRoute } from '../../../../workbench/ui/lib/route.js';

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

test('elapsed times read as a person says them', () => {
  assert.deepEqual([elapsed(0), elapsed(42.9), elapsed(185), elapsed(3720), elapsed(Number.NaN)], ['0 s', '42 s', '3 min 05 s', '1 h 02 min', '–']);
});
