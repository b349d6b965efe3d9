import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { PROJECT_ROOT } from '../../core/paths.js';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

// Tuned on lfw-mini (centred LFW crops), gated on five-celeb (118 uncropped web photos): a QA set the threshold
// was not chosen on, as a release check would use.
const ws = tempWorkspace();
const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];
const config = path.join(ws, 'deploy.json');
const gate = (...args: string[]) => runCli(['gate', '--config', config, '--dataset', 'five-celeb', ...roots, ...args]);

beforeAll(async () => {
  const run = path.join(ws, 'run');
  assert.equal((await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run, ...roots])).code, 0);
  const ex = await runCli(['export-config', '--run', run, '--model', 'mobilefacenet', '--rule', 'eer', '--out', config, ...roots]);
  assert.equal(ex.code, 0, ex.stderr);
});

test('frw gate: a generous budget passes, one below the upper bound fails, one the data cannot back is undecided', async () => {
  const junit = path.join(ws, 'gate.xml');
  const pass = await gate('--max-fmr', '0.5', '--max-fnmr', '0.5', '--junit', junit);
  assert.equal(pass.code, 0, pass.stderr);
  assert.match(pass.stdout, /## frw gate: PASS/);
  assert.match(fs.readFileSync(junit, 'utf8'), /<testsuites name="frw gate" tests="2" failures="0" errors="0">/);

  const measured = JSON.parse((await gate('--max-fmr', '0.5', '--max-fnmr', '0.5', '--json')).stdout);
  assert.equal(measured.dataset.name, 'five-celeb');
  assert.ok(measured.measured.fmr.trials > 1000 && measured.measured.fnmr.trials > 500, 'all pairs of five-celeb');
  // The rate with the more errors, budgeted 10% under its upper bound: measured, backable, exceeded.
  const worst = measured.checks.reduce((a: { errors: number }, b: { errors: number }) => (b.errors > a.errors ? b : a));
  assert.ok(worst.errors > 0, 'the photos of five-celeb give the lfw-mini threshold some errors');
  const budget = Number((0.9 * worst.upper.upper).toPrecision(3));
  const fail = await gate(worst.rate === 'FMR' ? '--max-fmr' : '--max-fnmr', String(budget), '--junit', junit);
  assert.equal(fail.code, 1, fail.stderr);
  assert.match(fail.stderr, new RegExp(`${worst.rate} ${worst.errors}/${worst.trials} = .*one-sided 95% upper bound .* > budget ${budget}: exceeded`));
  assert.match(fs.readFileSync(junit, 'utf8'), /failures="1"/);

  const tiny = await gate('--max-fmr', '1e-5');
  assert.equal(tiny.code, 2, tiny.stderr);
  assert.match(tiny.stderr, /cannot back a budget of 0.00001 at 95%; it takes at least 299572 with no error/);
  assert.match(tiny.stdout, /CANNOT DECIDE/);
  // A usage mistake is no verdict: exit 2, never the 1 that means "budget exceeded".
  assert.equal((await runCli(['gate', '--dataset', 'five-celeb', '--max-fmr', '0.5', ...roots])).code, 2, 'no --config');
  assert.equal((await gate('--max-fmr', '0.5', '--level', '0.3')).code, 2);
});

test('frw gate refuses (exit 2) a config whose model file differs from the one it was tuned with', async () => {
  const other = path.join(tempWorkspace(), 'models');
  fs.mkdirSync(other);
  for (const f of fs.readdirSync(MODEL_ROOT).filter((n) => fs.statSync(path.join(MODEL_ROOT, n)).isFile())) fs.copyFileSync(path.join(MODEL_ROOT, f), path.join(other, f));
  fs.appendFileSync(path.join(other, 'mobilefacenet.onnx'), Buffer.from([1]));
  const r = await runCli(['gate', '--config', config, '--dataset', 'five-celeb', '--max-fmr', '0.5', '--data-root', DATA_ROOT, '--model-root', other, '--workspace', ws]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /tuned with mobilefacenet sha256 .* its threshold does not apply/);
});

// The five people of five-celeb, as a user's metadata sheet would give them (per identity).
const GENDER_CSV = 'identity,gender\nben_afflek,male\nelton_john,male\njerry_seinfeld,male\nmadonna,female\nmindy_kaling,female\n';
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts', 'decision-report');
let browser: Browser | undefined;
afterAll(async () => browser?.close());

test('frw gate --report: a decision report with budgets, both bounds, worst pairs as faces, group differentials and sign-off; offline HTML and a PDF', async () => {
  const attrs = path.join(ws, 'gender.csv');
  fs.writeFileSync(attrs, GENDER_CSV);
  const html = path.join(ws, 'report.html');
  const pdf = path.join(ws, 'report.pdf');
  const budgets = ['--max-fmr', '0.05', '--max-fnmr', '0.5', '--max-fnmr-differential', '3', '--attributes', attrs];
  const r = await gate(...budgets, '--report', html, '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  const diff = result.checks.find((c: { name: string }) => c.name === 'FNMR differential by gender');
  assert.ok(diff && diff.verdict === 'pass' && diff.differential.upper <= 3, JSON.stringify(diff));
  assert.ok(result.measured.fnmr.upperBootstrap.upper > result.measured.fnmr.upperClopperPearson.upper, 'five people recur in every pair: the identity bootstrap is the wider bound');
  const text = fs.readFileSync(html, 'utf8');
  for (const want of ['1. Budgets and verdicts', result.config.contentHash, result.dataset.manifestHash, 'bootstrap over identities', 'False non-matches', 'Group differentials', 'Sign-off', 'gender', 'grayscale', 'resolution']) assert.ok(text.includes(want), `the report names ${want}`);
  assert.ok((text.match(/<img src="data:image\/jpeg;base64,/g) ?? []).length >= 4, 'worst pairs shown as inlined faces');
  assert.doesNotMatch(text, /<script|https?:\/\/(?!www\.w3\.org)/, 'no script, nothing fetched: it opens offline');

  // The same report printed to PDF by Debian's Chromium.
  const p = await gate(...budgets, '--report', pdf);
  assert.equal(p.code, 0, p.stderr);
  const bytes = fs.readFileSync(pdf);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(bytes.length > 50_000, `a PDF with its images (${bytes.length} bytes)`);

  // Screenshots for the record, with every request off this machine refused.
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.copyFileSync(pdf, path.join(ARTIFACTS, 'report.pdf'));
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const external: string[] = [];
  await page.route('**/*', (route) => (route.request().url().startsWith('file:') || route.request().url().startsWith('data:') ? route.continue() : (external.push(route.request().url()), route.abort())));
  await page.goto(`file://${html}`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
  assert.deepEqual(external, []);
  assert.equal(await page.locator('figure img').count() >= 4, true);
});

test('frw gate refuses an attribute sheet that names people not in the QA set, before any work', async () => {
  const attrs = path.join(ws, 'bad.csv');
  fs.writeFileSync(attrs, 'identity,gender\nben_afflek,male\nnobody_here,female\n');
  const r = await gate('--max-fnmr-differential', '2', '--attributes', attrs);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.csv:3: no identity "nobody_here" in dataset five-celeb/);
  const noAttr = await gate('--max-fnmr-differential', '2', '--group-by', 'age');
  assert.equal(noAttr.code, 2);
  assert.match(noAttr.stderr, /no attribute "age" to group by; there are: grayscale, resolution, face size/);
  assert.equal((await gate('--max-fmr-differential', '0.5')).code, 2, 'a differential is a ratio >= 1');
  // Flags that do not apply are refused, never ignored: a gate that checked nothing must not pass.
  const stray = await gate('--max-fmr', '0.5', '--group-by', 'grayscale');
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /group by applies to differential budgets/);
  assert.match((await gate('--max-fnmr-differential', '2', '--group-by', ',')).stderr, /group by names no attribute/);
  const enrol = await gate('--max-fmr', '0.5', '--enrol', '2');
  assert.equal(enrol.code, 2);
  assert.match(enrol.stderr, /enrol does not apply to a verification config/);
});

test('frw gate prints its verdict even when the PDF it was asked for cannot be printed, then exits 2', async () => {
  const r = await runCli(['gate', '--config', config, '--dataset', 'five-celeb', ...roots, '--max-fmr', '0.5', '--bootstrap', '0', '--report', path.join(ws, 'x.pdf')], { FRW_CHROMIUM: '/nonexistent/chromium' });
  assert.equal(r.code, 2);
  assert.match(r.stdout, /## frw gate: PASS/);
  assert.match(r.stderr, /the verdict above stands, but the report could not be written: no Chromium at \/nonexistent\/chromium/);
  assert.equal(fs.existsSync(path.join(ws, 'x.pdf')), false);
});

test('frw gate on an identification config (FPIR budget rule): enrols part of the QA set, probes with the rest, checks FPIR and FNIR', async () => {
  const run = path.join(ws, 'id-run');
  assert.equal((await runCli(['identify', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--modes', 'mean', '--fpir', '0.1', '--bootstrap', '200', '--out', run, ...roots])).code, 0);
  const idConfig = path.join(ws, 'id-deploy.json');
  const ex = await runCli(['export-config', '--run', run, '--model', 'mobilefacenet', '--rule', 'fpir-bound=0.1', '--out', idConfig, ...roots]);
  assert.equal(ex.code, 0, ex.stderr);
  const exported = JSON.parse(fs.readFileSync(idConfig, 'utf8'));
  assert.equal(exported.rule.kind, 'fpir-bound');
  assert.ok(exported.expected.fpirUpper.upper <= 0.1, 'the budget rule keeps the promised upper bound within the target');
  const idGate = (...args: string[]) => runCli(['gate', '--config', idConfig, '--dataset', 'five-celeb', '--unknown-share', '0.4', ...roots, ...args]);
  const pass = await idGate('--max-fpir', '0.5', '--max-fnir', '0.6', '--json');
  assert.equal(pass.code, 0, pass.stderr);
  const r = JSON.parse(pass.stdout);
  assert.equal(r.measured.kind, 'identification');
  assert.equal(r.measured.gallery.mode, 'mean');
  assert.deepEqual(r.checks.map((c: { name: string }) => c.name), ['FPIR', 'FNIR']);
  assert.ok(r.measured.fmr.trials > 0 && r.measured.fnmr.trials > 0, 'strangers and mated probes');
  const fnir = r.checks[1];
  assert.ok(fnir.errors > 0, 'some mated web photos are missed at the lfw-mini threshold');
  const budget = Number((0.9 * fnir.upper.upper).toPrecision(3));
  const fail = await idGate('--max-fnir', String(budget));
  assert.equal(fail.code, 1, fail.stderr);
  assert.match(fail.stderr, new RegExp(`FNIR ${fnir.errors}/${fnir.trials} = .* > budget ${budget}: exceeded`));
  const wrong = await idGate('--max-fmr', '0.1');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /tuned for identification: its rate budgets are --max-fpir and --max-fnir, not --max-fmr/);
});
