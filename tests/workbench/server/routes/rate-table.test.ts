import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ratesAtEntry, tableThreshold, RATE_TABLE_MAX_THRESHOLDS, type RateTable } from '../../../../experiments/metrics/rate-table.js';
import { pointOfServer, pointOfTable } from '../../../../workbench/ui/lib/shown-point.js';
import { tempWorkspace } from '../../../helpers/shared.js';
import { workbenchWithMiniRun, type RunningWorkbench } from '../../../helpers/workbench.js';

const ws = tempWorkspace();
let wb: RunningWorkbench;

beforeAll(async () => {
  wb = await workbenchWithMiniRun(ws);
});
afterAll(() => wb.close());

// The run's scores, read here from scores.csv independently of the metrics code.
function scoresCsv(): Array<{ same: boolean; s: number }> {
  const lines = fs.readFileSync(path.join(ws, 'runs', 'mini', 'scores.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => l.split(',')).filter((r) => r[3] !== 'fta').map((r) => ({ same: r[2] === '1', s: Number(r[3]) }));
}

test('the rate table: counts at every grid threshold, as counted over scores.csv, from everything accepted to nothing', async () => {
  const res = await wb.get('/api/runs/mini/rate-table?model=mobilefacenet');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const { model, level, table } = res.body as { model: string; level: number; table: RateTable };
  assert.deepEqual([model, level, table.resolution], ['mobilefacenet', 0.95, 1000]);
  const n = table.genuineBelow.length;
  assert.equal(table.impostorAtLeast.length, n);
  const rows = scoresCsv();
  const gen = rows.filter((r) => r.same).map((r) => r.s);
  const imp = rows.filter((r) => !r.same).map((r) => r.s);
  assert.deepEqual([table.genuineCount, table.impostorCount], [gen.length, imp.length]);
  for (let i = 0; i < n; i++) {
    const t = tableThreshold(table, i);
    assert.equal(table.impostorAtLeast[i], imp.filter((s) => s >= t).length, `false matches at ${t}`);
    assert.equal(table.genuineBelow[i], gen.filter((s) => s < t).length, `false non-matches at ${t}`);
  }
  assert.deepEqual([table.impostorAtLeast[0], table.genuineBelow[0], table.impostorAtLeast[n - 1], table.genuineBelow[n - 1]], [imp.length, 0, 0, gen.length]);
  // One entry per step of 0.001 over the scores' span, and a small answer whatever the number of scores.
  const span = Math.max(...gen, ...imp) - Math.min(...gen, ...imp);
  assert.ok(n <= Math.ceil(span * 1000) + 3, `${n} entries for a span of ${span}`);
  assert.ok(JSON.stringify(res.body).length < 40 * n, `${JSON.stringify(res.body).length} bytes`);
  const fine = (await wb.get('/api/runs/mini/rate-table?model=mobilefacenet&resolution=10000')).body.table as RateTable;
  assert.ok(fine.genuineBelow.length <= RATE_TABLE_MAX_THRESHOLDS && fine.genuineBelow.length > 9 * n);
});

test('every number looked up in the table is what the operating-point route answers at that threshold', async () => {
  const view = (await wb.get('/api/runs/mini/rate-table?model=mobilefacenet')).body;
  const table = view.table as RateTable;
  const n = table.genuineBelow.length;
  // The ends, every 7th entry between, and each entry where a count changes (a score lies just below it).
  const picks = new Set([0, 1, n - 2, n - 1]);
  for (let i = 0; i < n; i += 7) picks.add(i);
  for (let i = 1; i < n; i++) if (table.impostorAtLeast[i] !== table.impostorAtLeast[i - 1] || table.genuineBelow[i] !== table.genuineBelow[i - 1]) picks.add(i);
  for (const i of picks) {
    const t = tableThreshold(table, i);
    const op = await wb.get(`/api/runs/mini/operating-point?model=mobilefacenet&threshold=${t}`);
    assert.equal(op.status, 200, `${t}: ${JSON.stringify(op.body)}`);
    const r = ratesAtEntry(table, i, view.level);
    const c = op.body.choice;
    assert.deepEqual(r, { threshold: c.threshold, fmr: c.fmr, fnmr: c.fnmr, tar: op.body.tar, falseMatches: c.falseMatches, falseNonMatches: c.falseNonMatches, genuineCount: c.genuineCount, impostorCount: c.impostorCount, det: op.body.det }, `t = ${t}`);
    // What the explorer shows either way: the same, but for the words of the rule.
    const { description: _a, ...fromTable } = pointOfTable(view, t, true)!;
    const { description: _b, ...fromServer } = pointOfServer(op.body);
    assert.deepEqual(fromTable, fromServer, `shown at ${t}`);
  }
  assert.ok(picks.size > 20, `${picks.size} thresholds compared`);
});

test('bad requests are refused with a code: no model, an unknown model or run, a resolution out of range', async () => {
  const refusal = async (route: string) => {
    const r = await wb.get(route);
    return [r.status, r.body.error?.code];
  };
  assert.deepEqual(await refusal('/api/runs/mini/rate-table'), [400, 'BAD_INPUT']);
  assert.deepEqual(await refusal('/api/runs/mini/rate-table?model=no-such-model'), [404, 'NOT_FOUND']);
  assert.deepEqual(await refusal('/api/runs/no-such-run/rate-table?model=mobilefacenet'), [404, 'NOT_FOUND']);
  assert.deepEqual(await refusal('/api/runs/mini/rate-table?model=mobilefacenet&resolution=5'), [400, 'BAD_INPUT']);
  assert.deepEqual(await refusal('/api/runs/mini/rate-table?model=mobilefacenet&resolution=0.5'), [400, 'BAD_INPUT']);
  assert.deepEqual(await refusal(`/api/runs/${encodeURIComponent('../x')}/rate-table?model=mobilefacenet`), [403, 'OUTSIDE_ROOT']);
});
