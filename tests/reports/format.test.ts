import { test } from 'vitest';
import assert from 'node:assert/strict';
import { bytes, intervalText, pct, sci } from '../../reports/format.js';

test('rates keep enough digits to be told apart; intervals name their level and method', () => {
  assert.deepEqual([pct(0), pct(1), pct(0.9943), pct(0.0123), pct(0.000333), pct(3.3e-6)], ['0%', '100.00%', '99.43%', '1.23%', '0.0333%', '0.00033%']);
  assert.deepEqual([sci(1e-3), sci(0.00333), sci(0)], ['1e-3', '3.33e-3', '0']);
  assert.equal(intervalText({ lower: 0, upper: 0.0596, level: 0.95, method: 'Clopper-Pearson exact' }), '[0%, 5.96%] 95% Clopper-Pearson exact');
  assert.equal(intervalText(null), 'no interval');
  assert.deepEqual([bytes(null), bytes(512), bytes(4_900_000)], ['file missing', '512 B', '4.7 MiB']);
});
