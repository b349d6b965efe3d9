import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../helpers/chromium.js';
import { PROJECT_ROOT } from '../../../core/paths.js';
import { MODEL_ROOT, tempWorkspace, testConfig } from '../../helpers/shared.js';
import { startWorkbench, type RunningWorkbench } from '../../helpers/workbench.js';
import { intervalText, pct, sci } from '../../../reports/format.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildUi } from '../../../scripts/build-ui.mjs';

/**
 * The workbench in Debian's Chromium (never a downloaded browser), driven like a user: a fresh workspace, so the
 * demo embeds lfw-mini from scratch. Screenshots of every view go to test-artifacts/workbench/.
 */
// page.waitForFunction callbacks run in the page; this file compiles without the DOM library, so `document` is
// declared here for them alone.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const window: any;
const SHOTS = path.join(PROJECT_ROOT, 'test-artifacts', 'workbench');
let wb: RunningWorkbench;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  const ui = await buildUi({ outdir: tempWorkspace('frw-ui-'), minify: false });
  wb = await startWorkbench(testConfig(tempWorkspace()), { staticDir: ui });
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1300, height: 900 }, acceptDownloads: true });
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  // Nothing may leave this machine: any request not to the workbench fails the run.
  await page.route('**/*', (route) => (route.request().url().startsWith(wb.base) || route.request().url().startsWith('blob:') ? route.continue() : (consoleErrors.push(`external request: ${route.request().url()}`), route.abort())));
});
afterAll(async () => {
  await browser?.close();
  await wb?.close();
});

// From the top, so the sticky navigation bar sits where it belongs in a full-page capture.
const shot = async (name: string) => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};
const text = async (sel: string) => (await page.textContent(sel))?.trim() ?? '';

test('the app opens on Experiments; views with nothing to show say so', async () => {
  await page.goto(`${wb.base}/`);
  await page.waitForSelector('#demo');
  await shot('01-experiments-empty');
  assert.match(await text('table.runs, frw-status'), /No runs yet/);
  await page.click('a[data-view=explorer]');
  await page.waitForSelector('frw-explorer-view .status.empty');
  assert.match(await text('frw-explorer-view'), /No evaluation runs yet/);
  await page.click('a[data-view=identification]');
  assert.match(await (await page.waitForSelector('frw-identification-view .status.empty')).textContent() ?? '', /No identification runs yet/);
  await page.click('a[data-view=experiments]');
});

test('the demo evaluation runs in one click and opens the explorer within a minute', async () => {
  const t0 = Date.now();
  await page.click('#demo');
  await page.waitForSelector('frw-job-progress progress', { timeout: 30_000 });
  assert.match((await page.textContent('frw-job-progress .stages')) ?? '', /embedding lfw-mini with fr-feature at \d+ s/, 'each stage with when it began');
  assert.match((await page.textContent('frw-job-progress .elapsed')) ?? '', /^\d+ s$/, 'the time elapsed');
  await shot('02-demo-progress');
  await page.waitForSelector('#fmr-value', { timeout: 60_000 });
  const seconds = (Date.now() - t0) / 1000;
  assert.ok(seconds < 60, `demo took ${seconds} s`);
  assert.match(page.url(), /#\/explorer\?run=lfw-mini-pairs-/);
  await page.waitForSelector('frw-chart canvas');
  await shot('03-explorer-eer');
});

test('dragging the threshold (mouse or keys) changes FMR; presets set the rule’s threshold', async () => {
  const fmrAtEer = await text('#fmr-value');
  const slider = await page.waitForSelector('#threshold-range');
  const box = (await slider.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.12, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction((before) => document.querySelector('#fmr-value')?.textContent?.trim() !== before, fmrAtEer);
  const dragged = await text('#fmr-value');
  assert.notEqual(dragged, fmrAtEer);
  assert.ok(Number(/([\d.]+)%/.exec(dragged)![1]) > 0, `a low threshold lets impostors in: ${dragged}`);
  // The worst pairs come from the server once the drag rests, for the threshold shown.
  await page.waitForSelector('frw-worst-pairs .worst:not(.stale) frw-face-pair figure.false-match');
  // Face images load lazily: the worst pairs are brought into view first.
  const facesLoaded = async () => {
    await page.locator('.worst').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.querySelectorAll('frw-face-pair img')].every((i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth > 0));
  };
  await facesLoaded();
  await shot('04-explorer-dragged');
  await page.check('input[name=face-view] >> nth=1');
  await page.waitForSelector('frw-face-pair img.photo');
  await facesLoaded();
  await shot('04b-explorer-photos');
  // Keyboard: the slider is a native range input, so arrows move it.
  const thresholdBefore = await text('#threshold-value');
  await slider.focus();
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction((before) => document.querySelector('#threshold-value')?.textContent?.trim() !== before, thresholdBefore);
  // The EER preset comes back to the run's own EER threshold.
  const runId = new URL(page.url()).hash.split('run=')[1].split('&')[0];
  const metrics = (await wb.get(`/api/runs/${decodeURIComponent(runId)}`)).body.metrics.models['fr-feature'];
  await page.click('button[data-rule="eer"]');
  await page.waitForFunction((t) => document.querySelector('#threshold-value')?.textContent?.startsWith(t), metrics.eer.threshold.toFixed(4));
  assert.equal(await text('#fmr-value'), fmrAtEer);
  // Beside Clopper-Pearson: the bootstrap over identities of each rate and of the EER rule's threshold, and the groups.
  await page.waitForFunction(() => /bootstrap over identities/.test(document.querySelector('#tar-bootstrap')?.textContent ?? ''), undefined, { timeout: 8000 }).catch(async (e) => { throw new Error(`${e.message}: ${await text('table.rates')} ${consoleErrors.join(' / ')}`); });
  assert.match(await text('#threshold-bootstrap'), /^\[0\.\d{4}, 0\.\d{4}\] 95% bootstrap over identities/);
  await page.click('frw-group-rates summary');
  assert.match(await text('frw-group-rates'), /Groups at this threshold[\s\S]*grayscale[\s\S]*resolution/);
  await shot('04c-explorer-bootstrap-groups');
});

test('a drag looks the rates up in the rate table: new exact numbers at every step, no request per step, the same charts', async () => {
  await page.click('button[data-rule="eer"]');
  await page.waitForSelector('button[data-rule="eer"].active');
  const runId = await page.$eval('frw-explorer-view #run', (s: { value: string }) => s.value);
  const table = (await wb.get(`/api/runs/${encodeURIComponent(runId)}/rate-table?model=fr-feature`)).body.table;
  const slider = await page.waitForSelector('#threshold-range');
  assert.deepEqual(await slider.evaluate((i: { min: string; step: string }) => [Number(i.min), Number(i.step)]), [table.first / table.resolution, 1 / table.resolution], 'the slider steps through the table');
  const canvases = await page.$$('frw-explorer-view frw-chart canvas');
  assert.equal(canvases.length, 4);
  // The server is kept from answering any operating point during the drag: the numbers must come from the table.
  const held: Array<{ url: string; go: () => Promise<void> }> = [];
  const OP = /\/operating-point\?/;
  await page.route(OP, (route) => void held.push({ url: route.request().url(), go: () => route.continue() }));
  const box = (await slider.boundingBox())!;
  const shown = new Set<string>();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 25; i++) {
    await page.mouse.move(box.x + box.width * (0.3 + 0.02 * i), box.y + box.height / 2);
    await page.evaluate(() => new Promise((r) => window.requestAnimationFrame(() => r(null))));
    shown.add(`${await text('#threshold-value')} ${await text('#fmr-value')} ${await text('#fnmr-value')}`);
  }
  await page.mouse.up();
  const duringDrag = held.length;
  await page.unroute(OP);
  for (const h of held) await h.go();
  assert.ok(shown.size >= 20, `new numbers at (nearly) every step with no answer from the server: ${shown.size} of 25`);
  // Only where the drag rested (SETTLE_MS without a move, for the worst pairs) may it have asked.
  assert.ok(duringDrag <= shown.size / 4, `no operating-point request per step: ${duringDrag} for ${shown.size} steps (${held.map((h) => h.url).join(', ')})`);
  // Exact at the threshold shown: what the server counts there, intervals included.
  const t = Number.parseFloat(await text('#threshold-value'));
  const op = (await wb.get(`/api/runs/${encodeURIComponent(runId)}/operating-point?model=fr-feature&threshold=${t}`)).body;
  assert.equal(await text('#fmr-value'), `${pct(op.choice.fmr.estimate)} (${sci(op.choice.fmr.estimate)})`);
  assert.equal(await text('#fnmr-value'), pct(op.choice.fnmr.estimate));
  assert.ok((await text('table.rates')).includes(intervalText(op.tar)), `TAR ${intervalText(op.tar)}`);
  // The charts were redrawn through their params, not embedded again: the same canvases, showing the new threshold.
  assert.deepEqual(await Promise.all(canvases.map((c) => c.evaluate((e: { isConnected: boolean }) => e.isConnected))), [true, true, true, true]);
  const drawn = (label: string) => page.$eval(`frw-chart[label="${label}"] figure`, (f: { dataset: { drawn?: string } }) => JSON.parse(f.dataset.drawn ?? '{}'));
  assert.deepEqual(await drawn('genuine and impostor score distributions with the threshold'), { threshold: t });
  assert.deepEqual(await drawn('ROC with the operating point'), { op_fmr: op.choice.fmr.estimate, op_tar: op.tar.estimate });
  // Once the drag rests, the worst pairs of the threshold shown.
  await page.waitForFunction((x) => Number(document.querySelector('frw-worst-pairs .worst')?.dataset.threshold) === x, t);
  // A preset answered after a newer drag step does not take the screen back.
  const before = await text('#threshold-value');
  await page.click('button[data-rule="youden"]');
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((b) => document.querySelector('#threshold-value')?.textContent?.trim() !== b && !document.querySelector('button.preset.active'), before);
  const stepped = await text('#threshold-value');
  await page.waitForTimeout(800);
  assert.equal(await text('#threshold-value'), stepped);
  assert.equal(await page.$('button.preset.active'), null, 'no rule is highlighted for a hand-set threshold');
});

test('two models run on the same pairs and compare side by side', async () => {
  await page.click('a[data-view=experiments]');
  await page.waitForSelector('input[name=model][value=mobilefacenet]');
  await page.check('input[name=model][value=mobilefacenet]');
  await page.click('form.grid-form button[type=submit]');
  await page.waitForURL(/#\/explorer\?run=/, { timeout: 120_000 });
  await page.click('a[data-view=compare]');
  await page.waitForSelector('table.compare-table tbody tr:nth-child(2)');
  await page.waitForFunction(() => document.querySelectorAll('frw-compare-view frw-chart svg').length === 3);
  const rows = await page.$$eval('table.compare-table tbody th', (ths) => ths.map((t) => t.textContent?.trim()));
  assert.deepEqual(rows, ['fr-feature', 'mobilefacenet']);
  assert.match(await text('table.compare-table'), /MiB/);
  await shot('05-compare');
});

test('picking a second run lines the runs up (same pairs), keeps the same model apart and runs the paired tests', async () => {
  // The demo run (fr-feature) scored lfw-mini's listed pairs, as the two-model run did: tick it beside that one.
  await page.click('details.more-runs summary');
  await page.check('input[name=with-run]');
  await page.waitForURL(/#\/compare\?runs=/);
  await page.waitForSelector('table.compare-table tbody tr:nth-child(3)');
  const rows = await page.$$eval('table.compare-table tbody th', (ths) => ths.map((t) => t.textContent?.trim() ?? ''));
  assert.equal(rows.length, 3);
  assert.equal(rows.filter((r) => /^[\w.-]+:fr-feature$/.test(r)).length, 2, `fr-feature of each run, labelled run:model: ${rows.join(', ')}`);
  assert.ok(rows.includes('mobilefacenet'));
  assert.match(await text('.basis'), /like for like: 2 runs: pairs on lfw-mini manifest/);
  await page.waitForFunction(() => document.querySelectorAll('frw-paired-tests section.paired-test').length === 3);
  assert.match(await text('frw-paired-tests'), /McNemar[\s\S]*ΔEER[\s\S]*paired bootstrap over identities/);
  // The same model on the same pairs in two runs: nothing differs, nothing is claimed.
  const twice = await page.$$eval('section.paired-test', (ss) => ss.filter((s) => /:fr-feature$/.test(s.getAttribute('data-a') ?? '') && /:fr-feature$/.test(s.getAttribute('data-b') ?? '')).map((s) => s.textContent ?? ''));
  assert.equal(twice.length, 1);
  assert.match(twice[0], /only A right 0 · only B right 0/);
  assert.match(twice[0], /no difference backed by this data/);
  await page.waitForFunction(() => document.querySelectorAll('frw-compare-view frw-chart svg').length === 3);
  await shot('05b-compare-runs');
});

test('a config exported at a dragged threshold previews, downloads and matches what the explorer showed', async () => {
  await page.click('a[data-view=explorer]');
  await page.waitForSelector('#threshold-range');
  const input = await page.waitForSelector('input.threshold-number');
  await input.fill('0.3');
  await input.press('Enter');
  await page.waitForFunction(() => document.querySelector('#threshold-value')?.textContent?.startsWith('0.3000'));
  const fmrShown = await text('#fmr-value');
  await page.click('#export-link');
  await page.waitForSelector('#preview-config');
  await page.click('#preview-config');
  await page.waitForSelector('#config-threshold');
  assert.match(await text('#config-threshold'), /similarity ≥ 0\.3000/);
  await shot('06-export');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-config')]);
  const file = path.join(tempWorkspace(), 'config.json');
  await download.saveAs(file);
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual([config.rule.kind, config.threshold.similarity], ['fixed', 0.3]);
  assert.match(config.contentHash, /^[0-9a-f]{64}$/);
  assert.ok(fmrShown.startsWith(pct(config.expected.fmr.estimate)), `explorer ${fmrShown}, config ${config.expected.fmr.estimate}`);
  // Pushing to an engine that is not running says so plainly.
  await page.fill('form.push input[type=url]', 'http://127.0.0.1:9');
  await page.fill('form.push input[type=password]', 'not-a-real-key-123456');
  consoleErrors.length = 0; // the refused push answers 502, which Chromium logs as a failed resource
  await page.click('form.push button[type=submit]');
  assert.match(await (await page.waitForSelector('form.push .status.error')).textContent() ?? '', /no engine answered/);
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !/502/.test(e)));
});

test('presets the run cannot back are disabled with the reason; Export refuses such a rule, never replaces it, and keeps it across models', async () => {
  await page.click('a[data-view=explorer]');
  const preset = await page.waitForSelector('button[data-rule="fmr=0.0001"]');
  assert.equal(await preset.isDisabled(), true, 'lfw-mini has 60 impostor comparisons: FMR ≤ 1e-4 is not measurable');
  assert.match((await preset.getAttribute('title')) ?? '', /not measurable: 60 impostor comparisons measure FMR ≥ 1\.67e-2/);
  assert.match(await text('.unavailable-rules'), /FMR bound ≤ 1e-3: cannot be backed: it takes at least 2,995 impostor comparisons, this run has 60/);
  assert.ok(await page.isEnabled('button[data-rule="eer"]'));
  // The link an older explorer sent for the unmeasurable preset: refused in words, with nothing put in its place.
  const runId = await page.$eval('frw-explorer-view #run', (s: { value: string }) => s.value);
  await page.goto(`${wb.base}/#/export?run=${encodeURIComponent(runId)}&model=fr-feature&rule=${encodeURIComponent('fmr=0.0001')}`);
  assert.match(await (await page.waitForSelector('#rule-refused')).textContent() ?? '', /FMR ≤ 1e-4: not measurable/);
  assert.equal(await page.isDisabled('#preview-config'), true);
  assert.equal(await page.$eval('#export-rule', (s: { value: string }) => s.value), 'fmr=0.0001', 'the rule asked for stays selected');
  // Another model keeps the rule, refused there too; an available rule then survives a switch back.
  await page.selectOption('#export-model', 'mobilefacenet');
  assert.match(await text('#rule-refused'), /FMR ≤ 1e-4/);
  await page.selectOption('#export-rule', 'youden');
  await page.selectOption('#export-model', 'fr-feature');
  assert.equal(await page.$eval('#export-rule', (s: { value: string }) => s.value), 'youden');
  assert.equal(await page.$('#rule-refused'), null);
  await page.click('#preview-config');
  assert.match(await text('frw-export-view dd'), /fr-feature/);
  assert.match(await (await page.waitForSelector('frw-export-view .config-preview')).textContent() ?? '', /Youden/);
  await shot('06b-export-refused-then-youden');
  // The decision report of the previewed config, built by a job and downloaded from the view.
  await page.fill('#report-max-fmr', '0.5');
  await page.fill('#report-max-fnmr', '0.5');
  await page.click('#build-report');
  const built = await page.waitForSelector('#report-built', { timeout: 120_000 });
  assert.match((await built.textContent()) ?? '', /PASS: every budget is backed/);
  await shot('06c-export-decision-report');
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('#report-pdf')]);
  const saved = path.join(tempWorkspace(), 'report.pdf');
  await pdf.saveAs(saved);
  assert.equal(fs.readFileSync(saved).subarray(0, 5).toString('latin1'), '%PDF-');
  const report = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await report.goto(wb.base + (await page.getAttribute('#report-html', 'href')));
  assert.match((await report.textContent('h1')) ?? '', /Decision report/);
  assert.match((await report.textContent('body')) ?? '', /Youden/);
  await report.screenshot({ path: path.join(SHOTS, '06d-decision-report.png'), fullPage: true });
  await report.close();
});

test('identification: raw against mean with rank-1, FNIR@FPIR and the strangers that got in', async () => {
  await page.click('a[data-view=experiments]');
  await page.waitForSelector('input[name=kind]');
  await page.check('input[name=kind] >> nth=1');
  await page.click('form.grid-form button[type=submit]');
  await page.waitForSelector('table.identify-table', { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelectorAll('frw-identification-view frw-chart svg').length === 2);
  const rows = await page.$$eval('table.identify-table tbody th', (ths) => ths.map((t) => t.textContent?.trim()));
  assert.deepEqual(rows, ['fr-feature / raw', 'fr-feature / mean']);
  assert.match(await text('table.identify-table'), /Clopper-Pearson/);
  // Strangers who got in, beside the person they were taken for (lfw-mini at FPIR 0.1 lets some in).
  await page.waitForSelector('frw-identification-view frw-face-pair figure.stranger-accepted');
  await page.waitForFunction(() => [...document.querySelectorAll('frw-identification-view frw-face-pair img')].every((i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth > 0));
  await shot('07-identification');
});

test('runs that are not like for like are refused in words, not ranked', async () => {
  await page.click('a[data-view=compare]');
  await page.waitForSelector('table.compare-table');
  await page.click('details.more-runs summary');
  // The identification run just made: not the same comparisons as a verification run.
  await page.check('input[name=with-run] >> nth=-1');
  const refusal = await page.waitForSelector('frw-compare-view .refusal');
  assert.match((await refusal.textContent()) ?? '', /Not compared\.[\s\S]*a verification run, run [\w.-]+ an identification run: not the same comparisons/);
  assert.equal(await page.$('frw-compare-view table.compare-table'), null, 'no table for runs that are not like for like');
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !/422/.test(e)));
  await shot('07b-compare-refused');
});

test('datasets and models views; the run history; an unknown run is an error state', async () => {
  await page.goto(`${wb.base}/#/datasets?name=lfw-mini`);
  await page.waitForSelector('.dataset-detail .thumbs img');
  await page.waitForFunction(() => [...document.querySelectorAll('.dataset-detail .thumbs img')].every((i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth > 0));
  assert.match(await text('.dataset-detail dl'), /191/);
  await page.waitForSelector('text=Every processed image gave a face.');
  await shot('08-datasets');
  await page.click('a[data-view=models]');
  await page.waitForSelector('table.models');
  assert.match(await text('table.models'), /InsightFace|research/i);
  // Add a checkpoint by upload: a card that disagrees with the model is refused in plain words, then fixed.
  const card = (dim: number) => JSON.stringify({ id: 'mfn-upload', name: 'MobileFaceNet uploaded', task: 'embedding', format: 'onnx', input: { name: 'input', shape: [1, 3, 112, 112], layout: 'NCHW', channelOrder: 'RGB', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] }, output: { name: 'output', dim }, alignment: { size: 112, margin: 0 }, licence: 'research-only', provenance: 'test upload of shared/models/mobilefacenet.onnx' });
  await page.setInputFiles('#add-model input[type=file]', path.join(MODEL_ROOT, 'mobilefacenet.onnx'));
  await page.fill('#add-model textarea', card(512));
  consoleErrors.length = 0; // the refusal answers 422, which Chromium logs as a failed resource
  await page.click('#add-model button[type=submit]');
  assert.match(await (await page.waitForSelector('#add-model-result.error')).textContent() ?? '', /128 values per face.*card says 512/s);
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !/422/.test(e)));
  await page.fill('#add-model textarea', card(128));
  await page.click('#add-model button[type=submit]');
  await page.waitForSelector('#add-model-result:not(.error)');
  await page.waitForSelector('table.models th:text("mfn-upload")');
  await shot('09-models');
  await page.click('a[data-view=experiments]');
  await page.waitForSelector('table.runs');
  assert.equal((await page.$$('table.runs tbody tr')).length, 3);
  await shot('10-history');
  assert.deepEqual(consoleErrors, [], 'no console errors in the whole session');
  await page.goto(`${wb.base}/#/explorer?run=no-such-run`);
  assert.match(await (await page.waitForSelector('frw-explorer-view .status.error')).textContent() ?? '', /no run "no-such-run"/);
  await shot('11-explorer-error');
});
