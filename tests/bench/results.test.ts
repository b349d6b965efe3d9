import assert from 'node:assert/strict';
import { test } from 'vitest';
import { figure } from '../../bench/results.js';

const base = { bench: 'b', name: 'n', unit: 's', peerName: 'p' };

test('a figure says how many times better ours is, whichever way is better, and whether its target holds', () => {
  // Seconds: lower is better, so the ratio is peer / ours (numpy 6.8 s against our 4.0 s is 1.7×).
  const seconds = figure({ ...base, ours: 4, peer: 6.8, better: 'lower', target: { kind: 'ratio', value: 1.5 } });
  assert.equal(seconds.ratio, 1.7);
  assert.deepEqual(seconds.target, { kind: 'ratio', value: 1.5, met: true });
  // Throughput: higher is better, so ours / peer (6,612 against 6,791 queries/s falls short of 1.0×).
  const qps = figure({ ...base, ours: 6612, peer: 6791, better: 'higher', target: { kind: 'ratio', value: 1 } });
  assert.ok(Math.abs(qps.ratio! - 6612 / 6791) < 1e-12);
  assert.equal(qps.target!.met, false);
  // Absolute limits compare ours alone.
  assert.equal(figure({ ...base, ours: 1.9, peer: null, better: 'lower', target: { kind: 'at-most', value: 2 } }).target!.met, true);
  assert.equal(figure({ ...base, ours: 29, peer: null, better: 'higher', target: { kind: 'at-least', value: 30 } }).target!.met, false);
  // No peer, or a zero: no ratio, and a ratio target is then not met rather than claimed.
  const none = figure({ ...base, ours: 3, peer: null, better: 'lower', target: { kind: 'ratio', value: 1 } });
  assert.deepEqual([none.ratio, none.target!.met], [null, false]);
  assert.equal(figure({ ...base, ours: 3, peer: 0, better: 'lower' }).ratio, null);
});
