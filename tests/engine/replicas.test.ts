import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { json, miniConfigs, photo, photoForm, serveProcess, type Served } from '../helpers/engine.js';
import { cuttableLink, startPostgres, viaPort, type CuttableLink, type TestPostgres } from '../helpers/postgres.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

/**
 * Two `frw engine serve` replicas on one PostgreSQL gallery, each a process as deployed: an enrolment on one is
 * recognised on the other within a second, also after the second's network link to the database is cut (the
 * enrolment made while it is away) and restored. Replica B reaches the database through a relay the test can cut.
 */
const KEY = 'replica-test-key-0123456789';
const ws = tempWorkspace();
const configFile = path.join(ws, 'deploy.json');
const auth = { 'x-api-key': KEY };
let pgServer: TestPostgres;
let link: CuttableLink;
let a: Served;
let b: Served;

const post = (s: Served, route: string, body: FormData) => fetch(`${s.base}${route}`, { method: 'POST', body, headers: auth });
const identify = async (s: Served, name: string, n: number) => (await json(post(s, '/v1/identify', photoForm({}, [photo(name, n)])))).identity as string | null;

/** Ask `s` who is in the photo until it says `name`; the time from `since` to that answer, ms. */
async function recognisedWithin(s: Served, name: string, n: number, since: number, ms = 5000): Promise<number> {
  for (;;) {
    if ((await identify(s, name, n)) === name) return performance.now() - since;
    if (performance.now() - since > ms) assert.fail(`${name} not recognised within ${ms} ms`);
  }
}

beforeAll(async () => {
  const [config] = await miniConfigs(ws, ['eer']);
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  pgServer = await startPostgres();
  const url = await pgServer.newDatabase();
  link = await cuttableLink(pgServer.host, pgServer.port);
  const args = (gallery: string) => ['--config', configFile, '--gallery', gallery, '--workers', '0', '--model-root', MODEL_ROOT, '--data-root', DATA_ROOT, '--workspace', ws];
  [a, b] = await Promise.all([serveProcess(args(url), { FRW_API_KEY: KEY }), serveProcess(args(viaPort(url, link.port)), { FRW_API_KEY: KEY })]);
  await Promise.all([a, b].map((s) => s.waitLog((l) => l.msg === 'ready', 'ready')));
});

afterAll(async () => {
  for (const s of [a, b]) if (s && s.child.exitCode === null) s.child.kill('SIGKILL');
  await link?.close();
  await pgServer?.stop();
});

test('an enrolment on replica A is recognised on replica B within a second, and the other way round; the attendance log is one', async () => {
  assert.equal(await identify(b, 'Colin_Powell', 2), null, 'nobody is enrolled yet');
  const enrolled = await post(a, '/v1/enroll', photoForm({ name: 'Colin_Powell' }, [photo('Colin_Powell', 1), photo('Colin_Powell', 3)]));
  assert.equal(enrolled.status, 201);
  const ms = await recognisedWithin(b, 'Colin_Powell', 2, performance.now());
  assert.ok(ms < 1000, `B recognised A's enrolment ${Math.round(ms)} ms after A acknowledged it`);

  const back = await post(b, '/v1/enroll', photoForm({ name: 'Serena_Williams' }, [photo('Serena_Williams', 1)]));
  assert.equal(back.status, 201);
  const msBack = await recognisedWithin(a, 'Serena_Williams', 2, performance.now());
  assert.ok(msBack < 1000, `A recognised B's enrolment after ${Math.round(msBack)} ms`);

  // A check-in on B is in the log A reads; a stranger is unknown on both.
  const checkin = await json(post(b, '/v1/checkin', photoForm({}, [photo('Colin_Powell', 4)])));
  assert.equal(checkin.identity, 'Colin_Powell');
  const log = (await json(fetch(`${a.base}/v1/attendance?limit=10`, { headers: auth }))).attendance;
  assert.deepEqual([log[0].id, log[0].name, log[0].decision], [checkin.attendance.id, 'Colin_Powell', 'recognised']);
  assert.equal(await identify(a, 'Tony_Blair', 1), null);
  assert.equal(await identify(b, 'Tony_Blair', 1), null);
});

test('cut from the database, B says not ready, still recognises whom it had, refuses check-ins it cannot log; restored, it catches up within a second', async () => {
  await link.cut();
  const t0 = performance.now();
  for (;;) {
    const r = await fetch(`${b.base}/readyz`);
    const body = await json(r);
    if (r.status === 503) {
      assert.deepEqual(body, { ready: false, phase: 'ready', gallery: { store: 'postgres', connected: false } });
      break;
    }
    assert.ok(performance.now() - t0 < 2000, 'B noticed the cut link');
    await new Promise((r) => setTimeout(r, 20));
  }
  await b.waitLog((l) => String(l.msg).startsWith('gallery change feed lost'), 'the cut logged', 3000);
  // Enrolled while B is away: the notification is lost to B; the change number is not.
  assert.equal((await post(a, '/v1/enroll', photoForm({ name: 'Tony_Blair' }, [photo('Tony_Blair', 2), photo('Tony_Blair', 3)]))).status, 201);
  assert.equal((await post(a, '/v1/enroll', photoForm({ name: 'Colin_Powell', replace: 'true' }, [photo('Colin_Powell', 5)]))).status, 201);
  assert.equal(await identify(b, 'Colin_Powell', 2), 'Colin_Powell', 'B still serves the gallery it had');
  assert.equal(await identify(b, 'Tony_Blair', 1), null, 'B cannot know of the enrolment yet');
  const refused = await post(b, '/v1/checkin', photoForm({}, [photo('Colin_Powell', 2)]));
  assert.equal(refused.status, 502);
  assert.equal((await json(refused)).error.code, 'UNAVAILABLE');

  await link.restore();
  const restored = performance.now();
  const ms = await recognisedWithin(b, 'Tony_Blair', 1, restored);
  assert.ok(ms < 1000, `B recognised the enrolment made while it was cut off ${Math.round(ms)} ms after the link came back`);
  assert.equal((await fetch(`${b.base}/readyz`)).status, 200);
  // Connected at start, then again after the cut.
  const connectedLines = () => b.lines.filter((x) => String(x.msg).startsWith('gallery change feed connected')).length;
  await b.waitLog(() => connectedLines() >= 2, 'the return logged', 3000);
  const people = (await json(fetch(`${b.base}/v1/identities`, { headers: auth }))).identities.map((i: { name: string; vectors: number }) => [i.name, i.vectors]);
  assert.deepEqual(people, [['Colin_Powell', 1], ['Serena_Williams', 1], ['Tony_Blair', 2]]);
  const checkin = await json(post(b, '/v1/checkin', photoForm({}, [photo('Tony_Blair', 4)])));
  assert.equal(checkin.identity, 'Tony_Blair');
});
