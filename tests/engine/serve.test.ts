import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SqliteGallery } from '../../engine/gallery/sqlite.js';
import type { DeployConfig } from '../../engine/deploy-config.js';
import { json, miniConfigs, photo, photoForm, serveProcess, type Served } from '../helpers/engine.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

/**
 * `frw engine serve` as a service, run as a user would (a child process): readiness, JSON logs with request ids,
 * reloads that are taken or refused, and a SIGTERM under load that loses no acknowledged check-in or enrolment.
 */
const KEY = 'serve-test-key-0123456789';
const DEADLINE_S = 10;
const ws = tempWorkspace();
// A model root of copies, so one test can change a model file's bytes under the running engine.
const modelRoot = path.join(ws, 'models-copy');
const configFile = path.join(ws, 'deploy.json');
const galleryFile = path.join(ws, 'gallery.db');
let config: DeployConfig;
let strict: DeployConfig;

const img = photo;
const form = photoForm;
const auth = { 'x-api-key': KEY };
const post = (base: string, route: string, body: FormData) => fetch(`${base}${route}`, { method: 'POST', body, headers: auth });

const start = (extra: string[] = ['--shutdown-timeout', String(DEADLINE_S)], env: NodeJS.ProcessEnv = {}) =>
  serveProcess(['--config', configFile, '--gallery', galleryFile, '--workers', '2', ...extra, '--model-root', modelRoot, '--data-root', DATA_ROOT, '--workspace', ws], { FRW_API_KEY: KEY, ...env });

let current: Served | null = null;
beforeAll(async () => {
  [config, strict] = await miniConfigs(ws, ['eer', 'fixed=0.99']);
  fs.mkdirSync(modelRoot);
  for (const card of [config.model, config.detector]) if (card && !card.file.startsWith('npm:')) fs.copyFileSync(path.join(MODEL_ROOT, card.file), path.join(modelRoot, card.file));
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
});
afterAll(() => {
  if (current && current.child.exitCode === null) current.child.kill('SIGKILL');
});

test('/readyz is 503 until the model, gallery and index are ready, /healthz stays liveness; logs are JSON lines with request ids', async () => {
  current = await start();
  const { base } = current;
  // Asked as soon as it listens, before the model files are hashed and the workers have loaded them.
  const early = await fetch(`${base}/readyz`);
  const early2 = await fetch(`${base}/v1/identities`, { headers: auth });
  const readyLine = current.lines.findIndex((l) => l.msg === 'ready');
  assert.equal(readyLine, -1, 'the probes were answered before the engine was ready (or the test cannot tell)');
  assert.deepEqual([early.status, await json(early)], [503, { ready: false, phase: 'starting' }]);
  assert.equal(early2.status, 503);
  assert.equal((await json(early2)).error.code, 'NOT_READY');
  assert.deepEqual(await json(fetch(`${base}/healthz`)), { ok: true });
  await current.waitLog((l) => l.msg === 'ready', 'ready');
  const ready = await fetch(`${base}/readyz`);
  assert.deepEqual([ready.status, await json(ready)], [200, { ready: true, phase: 'ready', gallery: { store: 'sqlite', connected: true } }]);
  const r = await post(base, '/v1/identify', form({}, [img('Colin_Powell')]));
  assert.equal(r.status, 200);
  const id = r.headers.get('x-request-id');
  assert.match(id ?? '', /^[0-9a-f]{12}$/);
  const line = await current.waitLog((l) => l.requestId === id && l.msg === 'request', `request ${id}`);
  assert.deepEqual([line.method, line.path, line.status, line.level], ['POST', '/v1/identify', 200, 'info']);
  assert.equal(typeof line.time, 'string');
  assert.ok(!JSON.stringify(current.lines).includes(KEY), 'the API key is never logged');
  // A refused request's error answer and its log line carry one id.
  const refused = await fetch(`${base}/v1/nothing`, { headers: auth });
  const rid = refused.headers.get('x-request-id');
  await current.waitLog((l) => l.requestId === rid && l.status === 404, `request ${rid}`);
});

test('a refused reload (an edited config, a model file whose sha256 differs) keeps the old config serving; a good one is taken', async () => {
  assert.ok(current);
  const { base } = current;
  const threshold = async () => (await json(post(base, '/v1/identify', form({}, [img('Serena_Williams', 2)])))).threshold.similarity;
  const reloads = () => current!.lines.filter((l) => String(l.msg).startsWith('config reload')).length;
  const hup = async (expect: 'config reloaded' | 'config reload refused; the current config keeps serving') => {
    const n = current!.lines.filter((l) => l.msg === expect).length;
    current!.child.kill('SIGHUP');
    await current!.waitLog(() => current!.lines.filter((l) => l.msg === expect).length > n, expect);
  };
  assert.equal(await threshold(), config.threshold.similarity);
  // An edited file (its content hash no longer matches): refused, the old threshold answers.
  fs.writeFileSync(configFile, JSON.stringify({ ...strict, threshold: { ...strict.threshold, similarity: 0.5 } }));
  await hup('config reload refused; the current config keeps serving');
  assert.equal(await threshold(), config.threshold.similarity);
  // A good config, but the installed model file is no longer the one it was tuned with.
  fs.writeFileSync(configFile, JSON.stringify(strict));
  const model = path.join(modelRoot, config.model.file);
  const original = fs.readFileSync(model);
  fs.appendFileSync(model, Buffer.from([0]));
  await hup('config reload refused; the current config keeps serving');
  const refusal = current.lines.filter((l) => l.msg === 'config reload refused; the current config keeps serving').at(-1)!;
  assert.equal(refusal.code, 'INTEGRITY');
  assert.equal(await threshold(), config.threshold.similarity, 'still the old threshold');
  // The model file restored, the same config is taken at once.
  fs.writeFileSync(model, original);
  await hup('config reloaded');
  assert.equal(await threshold(), 0.99);
  assert.ok(reloads() >= 3);
  // Back to the run's threshold for the shutdown test.
  fs.writeFileSync(configFile, JSON.stringify(config));
  await hup('config reloaded');
  assert.equal(await threshold(), config.threshold.similarity);
});

test('SIGTERM under load: in-flight requests finish, /readyz is 503 while they do, no acknowledged check-in or enrolment is lost, exit within the deadline', async () => {
  assert.ok(current);
  const { base, child } = current;
  for (const p of ['Colin_Powell', 'Tony_Blair']) assert.equal((await post(base, '/v1/enroll', form({ name: p }, [img(p, 1), img(p, 2)]))).status, 201);
  const people = ['Colin_Powell', 'Tony_Blair', 'Serena_Williams', 'George_W_Bush'];
  const acked: { checkins: Array<{ id: number; imageSha256: string }>; enrolled: string[] } = { checkins: [], enrolled: [] };
  let killedAt = 0;
  let ackedAfterKill = 0;
  const fire = async (k: number): Promise<void> => {
    const enrol = k % 5 === 4;
    const p = people[k % people.length];
    try {
      const r = enrol ? await post(base, '/v1/enroll', form({ name: `${p}_${k}` }, [img(p, 3 + (k % 3))])) : await post(base, '/v1/checkin', form({}, [img(p, 3 + (k % 4))]));
      if (r.status !== 200 && r.status !== 201) return void (await r.body?.cancel());
      const body = await json(r);
      if (killedAt) ackedAfterKill++;
      if (enrol) acked.enrolled.push(body.identity.name);
      else if (body.attendance) acked.checkins.push({ id: body.attendance.id, imageSha256: body.attendance.imageSha256 });
    } catch {
      // refused or cut: not acknowledged, so nothing is owed
    }
  };
  const load = Array.from({ length: 30 }, (_, k) => fire(k));
  // Signal while most of them are still being embedded.
  await new Promise((r) => setTimeout(r, 150));
  killedAt = performance.now();
  child.kill('SIGTERM');
  let probe: Response | null = null;
  for (let i = 0; i < 200 && !probe; i++) {
    const r = await fetch(`${base}/readyz`);
    if (r.status === 503) probe = r;
    else await r.body?.cancel();
  }
  assert.ok(probe, '/readyz said 503 while shutting down');
  assert.deepEqual(await json(probe), { ready: false, phase: 'stopping', gallery: { store: 'sqlite', connected: true } });
  const late = await fetch(`${base}/v1/identities`, { headers: auth }).catch(() => null);
  if (late) assert.equal(late.status, 503, 'new work is refused while draining');
  const late2 = await post(base, '/v1/checkin', form({}, [img('Tony_Blair', 4)])).catch(() => null);
  if (late2) assert.equal(late2.status, 503);
  await Promise.all(load);
  const { code, at } = await current.exited;
  assert.equal(code, 0, current.stderr());
  assert.ok(at - killedAt < DEADLINE_S * 1000, `exited ${Math.round(at - killedAt)} ms after SIGTERM (deadline ${DEADLINE_S} s)`);
  const shutting = current.lines.find((l) => String(l.msg).startsWith('shutting down'))!;
  assert.ok((shutting.inFlight as number) > 0, 'requests were in flight at SIGTERM');
  assert.ok(ackedAfterKill > 0, 'requests in flight at SIGTERM were answered');
  const stopped = current.lines.find((l) => l.msg === 'stopped')!;
  assert.deepEqual([stopped.drained, stopped.cut, stopped.engineClosed], [true, 0, true]);
  assert.ok(acked.checkins.length > 0 && acked.enrolled.length > 0);
  // Reopen the store the process left: every acknowledged check-in and enrolment is there.
  const store = SqliteGallery.open(galleryFile, config.pipelineKey);
  try {
    const log = new Map((await store.attendance(10_000)).map((a) => [a.id, a.imageSha256]));
    for (const c of acked.checkins) assert.equal(log.get(c.id), c.imageSha256, `check-in ${c.id}`);
    const names = new Set((await store.identities()).filter((i) => i.vectors > 0).map((i) => i.name));
    for (const n of acked.enrolled) assert.ok(names.has(n), `enrolment of ${n}`);
  } finally {
    await store.close();
  }
});

test('past the deadline, requests still in flight are cut and logged by request id, the process exits on time, and what was acknowledged is kept', async () => {
  // The deadline from the environment (flags come first; none given here), the limits raised by flags.
  current = await start(['--log-level', 'debug', '--rate', '1000', '--burst', '1000'], { FRW_ENGINE_SHUTDOWN_TIMEOUT: '2' });
  const { base, child } = current;
  await current.waitLog((l) => l.msg === 'ready', 'ready');
  const acked: Array<{ id: number; imageSha256: string }> = [];
  const people = ['Colin_Powell', 'Tony_Blair', 'Serena_Williams', 'George_W_Bush'];
  // Enrolments of 15 photos each take longer than the 1.2 s left to drain: some work is always still running.
  const long = Array.from({ length: 4 }, async (_, k) => {
    const photos = Array.from({ length: 15 }, (_, n) => img('George_W_Bush', 20 + k * 15 + n));
    await post(base, '/v1/enroll', form({ name: `Bush_${k}` }, photos)).then((r) => r.body?.cancel(), () => undefined);
  });
  const load: Array<Promise<unknown>> = Array.from({ length: 24 }, async (_, k) => {
    try {
      const r = await post(base, '/v1/checkin', form({}, [img(people[k % 4], 3 + (k % 4))]));
      if (r.status !== 200) return void (await r.body?.cancel());
      const body = await json(r);
      if (body.attendance) acked.push({ id: body.attendance.id, imageSha256: body.attendance.imageSha256 });
    } catch {
      // cut: its client got no answer
    }
  });
  load.push(...long);
  await new Promise((r) => setTimeout(r, 200));
  const killedAt = performance.now();
  child.kill('SIGTERM');
  await Promise.all(load);
  const { code, at } = await current.exited;
  assert.equal(code, 0, current.stderr() + JSON.stringify(current.lines.filter((l) => l.msg !== 'request').slice(-8)));
  assert.ok(at - killedAt < 2000 + 500, `exited ${Math.round(at - killedAt)} ms after SIGTERM (deadline 2 s, plus the process's own exit)`);
  const cutLine = current.lines.find((l) => String(l.msg).startsWith('shutdown deadline'));
  assert.ok(cutLine, 'the cut was logged');
  const cut = cutLine.cut as Array<{ requestId: string; method: string; path: string }>;
  assert.ok(cut.length > 0 && cut.every((c) => /^[0-9a-f]{12}$/.test(c.requestId) && ['/v1/checkin', '/v1/enroll'].includes(c.path)), JSON.stringify(cut));
  const stopped = current.lines.find((l) => l.msg === 'stopped')!;
  assert.deepEqual([stopped.drained, stopped.cut, stopped.engineClosed], [false, cut.length, true]);
  const store = SqliteGallery.open(galleryFile, config.pipelineKey);
  try {
    const log = new Map((await store.attendance(10_000)).map((a) => [a.id, a.imageSha256]));
    for (const c of acked) assert.equal(log.get(c.id), c.imageSha256, `check-in ${c.id}`);
  } finally {
    await store.close();
  }
});
