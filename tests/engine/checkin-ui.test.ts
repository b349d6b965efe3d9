import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { PROJECT_ROOT } from '../../core/paths.js';
import { createApp } from '../../engine/api/app.js';
import { Engine } from '../../engine/engine.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../../usecases/export-config.js';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildCheckinUi } from '../../scripts/build-ui.mjs';

/**
 * The engine's check-in app (/app/) in Debian's Chromium, driven like a user with lfw-mini photos: key, enrolment
 * with per-photo verdicts, check-ins (recognised, unknown, a de-duplicated repeat), the fake camera, rename, delete.
 * Screenshots go to test-artifacts/checkin/.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const window: any;
const KEY = 'checkin-key-0123456789abcdef';
const SHOTS = path.join(PROJECT_ROOT, 'test-artifacts', 'checkin');
const MINI = path.join(DATA_ROOT, 'lfw-mini');
const photo = (name: string, n: number) => path.join(MINI, name, `${name}_${String(n).padStart(4, '0')}.jpg`);
const ws = tempWorkspace();
let engine: Engine;
let server: Server;
let base = '';
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  const run = path.join(ws, 'eval');
  const r = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run, '--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws]);
  assert.equal(r.code, 0, r.stderr);
  const config = finalizeConfig(buildDeployConfig({ runDir: run, model: 'mobilefacenet', mode: 'mean', rule: parseRule('eer'), userModelsDir: path.join(ws, 'models') }));
  engine = await Engine.open({ config, gallery: path.join(ws, 'gallery.db'), modelRoot: MODEL_ROOT });
  const ui = await buildCheckinUi({ outdir: tempWorkspace('frw-checkin-ui-'), minify: false });
  server = createApp({ engine, apiKey: KEY, maxUploadBytes: 10 * 1024 * 1024, checkinUiDir: ui }).listen(0, '127.0.0.1');
  await new Promise((res) => server.once('listening', res));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    problems.push(`external request: ${url}`);
    return route.abort();
  });
  page.on('request', (req) => req.url().includes(KEY) && problems.push(`the key in a URL: ${req.url()}`));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await engine?.close();
});

const shot = async (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const text = async (sel: string) => (await page.textContent(sel))?.trim() ?? '';
const rows = () => page.$$eval('table.attendance tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));

test('the app asks for the API key once: a wrong key is refused, the right one kept in sessionStorage only', async () => {
  await page.goto(`${base}/app/`);
  await page.fill('#api-key', 'not-the-key');
  await page.click('#key-form button[type=submit]');
  assert.match(await (await page.waitForSelector('main.key .status.error'))!.textContent() ?? '', /API key/);
  await shot('01-key-refused');
  await page.fill('#api-key', KEY);
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('frw-attendance-table .status.empty');
  assert.equal(await page.evaluate(() => window.sessionStorage.getItem('frw-engine-api-key')), KEY);
  assert.equal(await page.evaluate(() => window.localStorage.length), 0);
  await page.reload();
  await page.waitForSelector('frw-people-list .status.empty');
  assert.match(await text('frw-people-list'), /Nobody is enrolled yet/);
});

test('enrolment from several photos gives a verdict per photo', async () => {
  const blank = path.join(ws, 'wall.png');
  await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 180, g: 180, b: 170 } } }).png().toFile(blank);
  await page.fill('#enrol-name', 'Angela Bassett');
  await page.setInputFiles('#enrol-files', [photo('Angela_Bassett', 1), photo('Angela_Bassett', 2), photo('Angela_Bassett', 3), blank]);
  await page.click('#enrol-submit');
  await page.waitForSelector('#enrol-message');
  assert.match(await text('#enrol-message'), /Angela Bassett enrolled from 3 of 4 photos/);
  const verdicts = await page.$$eval('li.photo .verdict', (els) => els.map((e) => e.getAttribute('data-verdict')));
  // Her third LFW photo has a second face in the background: enrolled, the policy's pick said.
  assert.deepEqual(verdicts, ['face', 'face', 'several-faces', 'no-face']);
  assert.match(await text('li.photo:nth-child(3) .verdict'), /several faces \(\d+\), enrolled/);
  assert.match(await text('li.photo:nth-child(4) .verdict'), /no face: /);
  await page.waitForSelector('table.people tr[data-name="Angela Bassett"]');
  assert.match(await text('table.people tr[data-name="Angela Bassett"]'), /Angela Bassett\s*3/);
  await shot('02-enrolled');
});

test('another photo of her is recognised, with the box drawn and a row in the table; a stranger is unknown', async () => {
  await page.setInputFiles('#checkin-file', photo('Angela_Bassett', 4));
  await page.waitForFunction(() => document.querySelector('#checkin-name')?.textContent === 'Angela Bassett', undefined, { timeout: 30_000 });
  await page.waitForSelector('frw-face-frame[data-drawn=box]');
  const distance = Number(await text('#checkin-distance'));
  const threshold = Number(/≤ ([\d.]+)/.exec(await text('#checkin-threshold'))![1]);
  assert.ok(distance > 0 && distance <= threshold, `distance ${distance} within the threshold ${threshold}`);
  await page.waitForFunction(() => document.querySelectorAll('table.attendance tbody tr').length === 1);
  const [first] = await rows();
  assert.equal(first[1], 'Angela Bassett');
  assert.equal(first[2], distance.toFixed(4));
  assert.equal(first[3], '3', 'her enrolled images');
  assert.match(await text('#total-time'), /1 check-in, total processing time \d+ ms/);
  await shot('03-recognised');

  await page.setInputFiles('#checkin-file', photo('Abdel_Madi_Shabneh', 1));
  await page.waitForFunction(() => document.querySelector('#checkin-name')?.textContent === 'unknown', undefined, { timeout: 30_000 });
  assert.ok(Number(await text('#checkin-distance')) > threshold);
  await page.waitForFunction(() => document.querySelectorAll('table.attendance tbody tr').length === 2);
  const [stranger] = await rows();
  assert.deepEqual([stranger[0], stranger[1], stranger[3]], ['—', 'unknown', '—']);
  await shot('04-unknown');
});

test('a repeat check-in within the window is not logged again (the log de-duplicates, whichever client asks)', async () => {
  await page.setInputFiles('#checkin-file', photo('Angela_Bassett', 5));
  await page.waitForSelector('.answer .duplicate');
  assert.equal((await rows()).length, 2);
  // The engine, not the page, decides: a second client with a window logs nothing new either, one without logs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const send = async (dedupe: string): Promise<any> => {
    const f = new FormData();
    f.append('dedupe_s', dedupe);
    f.append('image', new Blob([fs.readFileSync(photo('Angela_Bassett', 4))], { type: 'image/jpeg' }), 'a.jpg');
    return (await fetch(`${base}/v1/checkin`, { method: 'POST', body: f, headers: { 'x-api-key': KEY } })).json();
  };
  assert.equal((await send('60')).duplicate, true);
  const fresh = await send('0');
  assert.equal(fresh.duplicate, false);
  assert.equal(fresh.attendance.identityId, (await send('60')).attendance.identityId);
  const bad = await fetch(`${base}/v1/checkin`, { method: 'POST', body: (() => { const f = new FormData(); f.append('dedupe_s', '-1'); return f; })(), headers: { 'x-api-key': KEY } });
  assert.equal(bad.status, 400);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('table.attendance tbody tr').length === 3);
  await shot('05-duplicate');
});

test('the (fake) camera: a frame without a face says so; continuous mode leaves no rows for empty frames', async () => {
  await page.click('#camera-start');
  await page.waitForFunction(() => (document.querySelector('frw-camera video')?.videoWidth ?? 0) > 0, undefined, { timeout: 10_000 });
  await page.click('#checkin-camera');
  await page.waitForFunction(() => /^No face/.test(document.querySelector('#checkin-name')?.textContent ?? ''), undefined, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelectorAll('table.attendance tbody tr').length === 4);
  await shot('06-camera-no-face');
  await page.fill('#interval', '1');
  await page.dispatchEvent('#interval', 'change');
  const before = (await rows()).length;
  const sent = page.waitForResponse((r) => r.url().endsWith('/v1/checkin'), { timeout: 10_000 });
  await page.check('#continuous');
  await sent;
  await page.uncheck('#continuous');
  await page.reload();
  await page.waitForSelector('table.attendance');
  assert.equal((await rows()).length, before, 'empty frames in continuous mode are not logged');
});

test('rename and delete', async () => {
  await page.click('table.people tr[data-name="Angela Bassett"] button.rename');
  await page.fill('.rename-input', 'Angela B.');
  await page.click('.rename-save');
  await page.waitForSelector('table.people tr[data-name="Angela B."]');
  await shot('07-renamed');
  await page.click('table.people tr[data-name="Angela B."] button.delete');
  await page.click('table.people tr[data-name="Angela B."] button.delete.confirm');
  await page.waitForSelector('frw-people-list .status.empty');
  assert.deepEqual((await engine.identities()).map((i) => i.name), []);
  await page.setInputFiles('#checkin-file', photo('Angela_Bassett', 4));
  await page.waitForFunction(() => document.querySelector('#checkin-name')?.textContent === 'unknown', undefined, { timeout: 30_000 });
  assert.deepEqual(problems, []);
});
