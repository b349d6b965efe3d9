import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { isFrwError } from '../../../../core/errors.js';
import { OperatingDetails } from '../../../../workbench/server/operating-details.js';
import { tempWorkspace } from '../../../helpers/shared.js';
import { workbenchWithMiniRun, type RunningWorkbench } from '../../../helpers/workbench.js';

const ws = tempWorkspace();
let wb: RunningWorkbench;

beforeAll(async () => {
  wb = await workbenchWithMiniRun(ws);
});
afterAll(() => wb.close());

test("the explorer's detail: identity-bootstrap intervals of the rates and of a rule's threshold, and the groups at that threshold", async () => {
  const op = (await wb.get('/api/runs/mini/operating-point?model=mobilefacenet&rule=eer')).body;
  const d = (await wb.get('/api/runs/mini/operating-point/detail?model=mobilefacenet&rule=eer')).body;
  assert.equal(d.unavailable, null);
  assert.equal(d.replicates, 500, 'the run ran no bootstrap: the explorer default');
  for (const k of ['fmr', 'fnmr', 'tar'] as const) {
    const b = d.bootstrap[k];
    assert.ok(b.lower <= b.estimate && b.estimate <= b.upper, `${k} ${JSON.stringify(b)}`);
    assert.match(b.method, /bootstrap over identities \(B=500, seed=1\)/);
  }
  assert.equal(d.bootstrap.fmr.estimate, op.choice.fmr.estimate, 'the same point as Clopper-Pearson describes');
  assert.equal(d.bootstrap.tar.estimate, op.tar.estimate);
  assert.equal(d.bootstrap.threshold.estimate, op.choice.threshold.similarity, "the rule's threshold, with its own interval");
  assert.ok(d.bootstrap.threshold.upper > d.bootstrap.threshold.lower);
  // Groups at the threshold: every impostor comparison of a derived attribute is in a group, between groups or unknown.
  const gray = d.groups.find((g: { attribute: string }) => g.attribute === 'grayscale');
  const n = (x: { trials: number }[]) => x.reduce((a, g) => a + g.trials, 0);
  assert.equal(n(gray.fmr.groups) + gray.fmr.crossGroup.trials + gray.fmr.notGiven.trials, op.choice.impostorCount);
  assert.deepEqual(d.groups.map((g: { attribute: string }) => g.attribute), ['grayscale', 'resolution', 'face size']);
  // A threshold set by hand has no interval of its own; the rates still do.
  const fixed = (await wb.get('/api/runs/mini/operating-point/detail?model=mobilefacenet&threshold=0.3&replicates=50')).body;
  assert.equal(fixed.bootstrap.threshold, null);
  assert.match(fixed.bootstrap.fnmr.method, /B=50/);
  const bad = await wb.get('/api/runs/mini/operating-point/detail?model=mobilefacenet&rule=eer&replicates=99999');
  assert.deepEqual([bad.status, bad.body.error.code], [400, 'BAD_INPUT']);
});

test('a newer detail request ends the older one’s thread; too much work is refused', async () => {
  const details = new OperatingDetails();
  // 40,000 comparisons of 400 identities, resampled 10,000 times: seconds of work, overtaken at once.
  const n = 40_000;
  const input = (replicates: number) => ({
    score: Float64Array.from({ length: n }, (_, k) => ((k * 7919) % 1000) / 1000),
    same: Uint8Array.from({ length: n }, (_, k) => (k % 10 === 0 ? 1 : 0)),
    a: Int32Array.from({ length: n }, (_, k) => k % 400),
    b: Int32Array.from({ length: n }, (_, k) => (k % 10 === 0 ? k % 400 : (k * 31 + 1) % 400)),
    identity: Int32Array.from({ length: 400 }, (_, i) => i),
    attributes: [],
    rule: { kind: 'eer' as const },
    threshold: 0.5,
    replicates,
    seed: 1,
    level: 0.95,
  });
  const slow = details.compute(input(10_000));
  const quick = details.compute(input(20));
  await assert.rejects(slow, (e) => isFrwError(e, 'CONFLICT'));
  assert.equal((await quick).bootstrap!.fmr.replicates, 20);
  assert.throws(() => details.compute(input(20_000)), (e) => isFrwError(e, 'BAD_INPUT'));
});
