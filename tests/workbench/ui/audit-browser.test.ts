import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../helpers/chromium.js';
import { PROJECT_ROOT } from '../../../core/paths.js';
import { runCli } from '../../helpers/cli.js';
import { PLANTED, plantedLfwMini } from '../../helpers/planted.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace, testConfig } from '../../helpers/shared.js';
import { startWorkbench, type RunningWorkbench } from '../../helpers/workbench.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildUi } from '../../../scripts/build-ui.mjs';

/** The Audit view in Debian's Chromium: an audit of planted problems, its faces side by side, a decision recorded. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;
const SHOTS = path.join(PROJECT_ROOT, 'test-artifacts', 'workbench');
const ws = tempWorkspace('frw-audit-ui-');
let wb: RunningWorkbench;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  const data = await plantedLfwMini(path.join(ws, 'planted'));
  const r = await runCli(['audit', '--dataset', data, '--model', 'mobilefacenet', '--bootstrap', '20', '--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws]);
  assert.equal(r.code, 0, r.stderr);
  const ui = await buildUi({ outdir: tempWorkspace('frw-ui-'), minify: false });
  wb = await startWorkbench(testConfig(ws), { staticDir: ui });
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  await page.route('**/*', (route) => (route.request().url().startsWith(wb.base) ? route.continue() : (consoleErrors.push(`external request: ${route.request().url()}`), route.abort())));
});
afterAll(async () => {
  await browser?.close();
  await wb?.close();
});

test('the Audit view shows the before/after numbers and each finding with its faces; a decision is recorded from it', async () => {
  await page.goto(`${wb.base}/#/audit`);
  await page.waitForSelector('frw-audit-findings table.audit-table');
  assert.match((await page.textContent('.audit h3')) ?? '', /Effect on the numbers: pairs, before and after/);
  assert.match((await page.textContent('table.audit-effect')) ?? '', /before[\s\S]*after/);
  // The first outlier row: the moved photo beside the identity it belongs to.
  const first = page.locator('frw-audit-findings table.audit-table >> nth=0').locator('tbody tr').first();
  assert.match((await first.textContent()) ?? '', new RegExp(`${PLANTED.moved.wrongIdentity}[\\s\\S]*${PLANTED.moved.trueIdentity}`));
  await first.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelector('frw-audit-findings table.audit-table tbody tr').querySelectorAll('img')].every((i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth > 0));
  assert.equal(await first.locator('input').inputValue(), PLANTED.moved.trueIdentity, 'the label is proposed from the nearest identity');
  await first.locator('button').click();
  await page.waitForSelector('.audit p[role=status]');
  assert.match((await page.textContent('.audit p[role=status]')) ?? '', /recorded in .*decisions\.json \(1 decisions/);
  await page.waitForFunction(() => /mislabelled → Bob_Graham/.test(document.querySelector('table.audit-table tbody tr')?.textContent ?? ''));
  const file = JSON.parse(fs.readFileSync(path.join(ws, 'audit', 'planted', 'decisions.json'), 'utf8'));
  assert.deepEqual(file.decisions.map((d: { kind: string; image: string; label: string }) => [d.kind, d.image, d.label]), [['mislabelled', PLANTED.moved.to, PLANTED.moved.trueIdentity]]);
  await page.evaluate(() => document.defaultView.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, 'audit.png'), fullPage: true });
  assert.deepEqual(consoleErrors, []);
});
