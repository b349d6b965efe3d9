import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../helpers/cli.js';
import { PLANTED, plantedLfwMini } from '../../../helpers/planted.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace, testConfig } from '../../../helpers/shared.js';
import { startWorkbench, type RunningWorkbench } from '../../../helpers/workbench.js';

const ws = tempWorkspace('frw-audit-api-');
const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];
let wb: RunningWorkbench;
let base: string;

beforeAll(async () => {
  const data = await plantedLfwMini(path.join(ws, 'planted'));
  // No --out: the audit goes under <workspace>/audit/<dataset>/, where the workbench looks.
  const r = await runCli(['audit', '--dataset', data, '--model', 'mobilefacenet', '--no-effect', ...roots]);
  assert.equal(r.code, 0, r.stderr);
  wb = await startWorkbench(testConfig(ws));
  const list = await wb.get('/api/audits');
  assert.equal(list.status, 200);
  assert.equal(list.body.audits.length, 1);
  base = `/api/audits/${list.body.audits[0].dataset}/${list.body.audits[0].id}`;
});
afterAll(() => wb.close());

test('audits are listed with their flags, read whole, and their faces served as JPEG (the photo where no face was found)', async () => {
  const [a] = (await wb.get('/api/audits')).body.audits;
  assert.deepEqual([a.dataset, a.name, a.model], ['planted', 'planted', 'mobilefacenet']);
  assert.deepEqual(a.flagged, { outliers: 2, identityPairs: 1, unknownMatches: 1, duplicatesAcrossLabels: 1, junk: a.flagged.junk });
  const d = await wb.get(base);
  assert.equal(d.status, 200);
  assert.equal(d.body.audit.findings.outliers.ranked[0].image.path, PLANTED.moved.to);
  assert.equal(d.body.decisions, null);
  for (const p of [PLANTED.moved.to, PLANTED.noFace]) {
    const f = await fetch(`${wb.base}${base}/face?path=${encodeURIComponent(p)}&size=64`);
    assert.equal(f.status, 200, p);
    assert.equal(f.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await f.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
  }
  // Only the faces the audit shows: any other image, or a path out of the dataset, is not served.
  assert.equal((await wb.get(`${base}/face?path=${encodeURIComponent('Abel_Pacheco/Abel_Pacheco_0001.jpg')}`)).status, 404);
  assert.equal((await wb.get(`${base}/face?path=${encodeURIComponent('../../etc/passwd')}`)).status, 404);
  assert.equal((await wb.get('/api/audits/planted/..%2F..')).status, 403);
  assert.equal((await wb.get('/api/audits/planted/nope')).status, 404);
});

test('a decision about a flag is recorded in the dataset\'s decisions file; one about anything else is refused', async () => {
  const ok = await wb.send('POST', `${base}/decisions`, { kind: 'same-person', identities: [PLANTED.split.identity, PLANTED.split.alias] });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  const file = path.join(ws, 'audit', 'planted', 'decisions.json');
  assert.equal(ok.body.file, file);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).decisions.map((x: { kind: string }) => x.kind), ['same-person']);
  const relabel = await wb.send('POST', `${base}/decisions`, { kind: 'mislabelled', image: PLANTED.moved.to, label: PLANTED.moved.trueIdentity });
  assert.equal(relabel.status, 201);
  assert.equal((await wb.get(base)).body.decisions.decisions.length, 2, 'the detail shows the file as it is now');
  for (const bad of [
    { kind: 'exclude', image: 'Abel_Pacheco/Abel_Pacheco_0001.jpg' }, // not a finding
    { kind: 'same-person', identities: ['Abel_Pacheco', 'Bob_Graham'] }, // not a pair the audit shows
    { kind: 'merge', image: PLANTED.moved.to },
    { kind: 'exclude' },
  ]) {
    const r = await wb.send('POST', `${base}/decisions`, bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.body.error.code, 'BAD_INPUT');
  }
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).decisions.length, 2, 'refused decisions leave the file alone');
});
