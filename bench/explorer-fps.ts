/**
 * The threshold explorer while dragging: frames per second painted with new numbers, on an LFW 10-fold run and an
 * all-pairs run (87.5 million impostor scores), in headless Chromium driven like a mouse, against the 30 fps target.
 * The peer, in the same script: the explorer as it was before the rate table (per-step operating-point calls and a
 * chart re-embedded at every answer), built from git (`--before <ref>`, default the last commit with that path)
 * and served by the same server, on the same runs and the same drag.
 *
 *   node --import tsx bench/explorer-fps.ts [--seconds 3] [--runs <id>,<id>] [--before <ref> | --no-before]
 *
 * Runs default to the newest LFW lfw-10fold and all-pairs evaluation runs of the workspace; make them with
 * `npx tsx cli/main.ts eval --dataset lfw --protocol lfw-10fold|all-pairs --models mobilefacenet`.
 * Numbers per frame: a requestAnimationFrame loop counts the frames in which the threshold or FMR differ from the
 * previous frame, those in which the distribution chart has drawn another threshold (its data-drawn attribute; the
 * SVG rule in the peer), and those that followed a slider move at all: their share redrawn says whether the page kept
 * up with its input, whatever the driver managed to deliver on a busy machine. A long-task observer records stalls.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import { resolveConfig } from '../core/config.js';
import { PROJECT_ROOT } from '../core/paths.js';
import { pct } from '../reports/format.js';
import { createWorkbenchApp } from '../workbench/server/app.js';
import { JobRunner } from '../workbench/server/jobs.js';
import { RunFolders } from '../workbench/server/run-folders.js';
import { WorkbenchDatasets } from '../workbench/server/datasets-state.js';
import { launchChromium } from './chromium.js';
import { record, type FigureInput } from './results.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildUi } from '../scripts/build-ui.mjs';

const TARGET_FPS = 30;
/** The last commit whose explorer asked the server at every drag step and re-embedded its charts per answer. */
const BEFORE_REF = '2bc9032';

const argOf = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(argOf('--seconds') ?? 3);
const beforeRef = process.argv.includes('--no-before') ? null : (argOf('--before') ?? BEFORE_REF);
const cfg = resolveConfig({}, process.env);
/** The newest LFW evaluation run of each protocol, unless --runs names them. */
function benchRuns(): string[] {
  const given = argOf('--runs');
  if (given) return given.split(',');
  const all = new RunFolders(cfg, new WorkbenchDatasets(cfg)).list();
  const newest = (protocol: string, runs = all) => runs.find((r) => r.kind === 'eval' && r.dataset === 'lfw' && r.protocol === protocol && !r.problem)?.id;
  return ['lfw-10fold', 'all-pairs'].map((protocol) => {
    const found = newest(protocol);
    if (found) return found;
    // A fresh machine: make the run the explorer opens (LFW embeddings of mobilefacenet, cached after the first time).
    process.stderr.write(`no LFW ${protocol} run in ${cfg.workspace}: running frw eval --dataset lfw --protocol ${protocol} --models mobilefacenet\n`);
    execFileSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'cli', 'main.ts'), 'eval', '--dataset', 'lfw', '--protocol', protocol, '--models', 'mobilefacenet', '--bootstrap', '0'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const made = newest(protocol, new RunFolders(cfg, new WorkbenchDatasets(cfg)).list());
    if (!made) throw new Error(`frw eval made no LFW ${protocol} run in ${cfg.workspace}`);
    return made;
  });
}

/** The explorer of `ref` (its workbench/ui and what it imports), bundled as it was under `tmp`; null when git cannot give it. */
async function buildBefore(ref: string, tmp: string): Promise<string | null> {
  const src = path.join(tmp, 'before-src');
  fs.mkdirSync(src);
  try {
    const archive = execFileSync('git', ['-C', PROJECT_ROOT, 'archive', ref], { maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', src], { input: archive });
  } catch (e) {
    process.stderr.write(`the peer is left out: git cannot give ${ref} (${(e as Error).message.split('\n')[0]})\n`);
    return null;
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(src, 'node_modules'));
  const out = path.join(tmp, 'before-ui');
  const ui = path.join(src, 'workbench', 'ui');
  await esbuild.build({ entryPoints: [path.join(ui, 'main.ts')], bundle: true, format: 'esm', target: 'es2022', minify: true, outfile: path.join(out, 'app.js'), logLevel: 'warning' });
  for (const f of ['index.html', 'styles.css']) fs.copyFileSync(path.join(ui, f), path.join(out, f));
  return out;
}

/** What one drag measured. */
interface DragResult {
  /** Mouse moves sent per second (about 125; the page's frame rate, about 60, is the ceiling of the rates below). */
  moves: number;
  seconds: number;
  /** Frames per second whose threshold or FMR text differs from the frame before. */
  numbersFps: number;
  /** Frames per second whose distribution chart's threshold rule moved. */
  chartFps: number;
  /** requestAnimationFrame callbacks per second: frames the page produced at all. */
  frameFps: number;
  /** Frames per second in which the slider had moved (an input event since the frame before): what could be redrawn. */
  inputFps: number;
  longTasks: number;
  longestTaskMs: number;
  /** The shown FMR after the drag, and the server's at the shown threshold. */
  shownFmr: string;
  serverFmr: string;
}

// Page-side code runs in Chromium; this file compiles without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;

/**
 * The page-side counter, as source text (tsx would wrap a function's inner functions in a helper the page lacks):
 * every animation frame, whether the numbers or the distribution chart's rule differ from the frame before.
 */
const MEASURE = `(() => {
  const s = { running: true, frames: 0, numbers: 0, chart: 0, inputFrames: 0, input: false, lastNumbers: '', lastChart: '', long: [], t0: performance.now() };
  window.__drag = s;
  document.addEventListener('input', () => { s.input = true; }, true);
  new PerformanceObserver((l) => l.getEntries().forEach((e) => s.long.push(e.duration))).observe({ entryTypes: ['longtask'] });
  const tick = () => {
    s.frames++;
    if (s.input) { s.inputFrames++; s.input = false; }
    const numbers = document.querySelector('#threshold-value')?.textContent + '|' + document.querySelector('#fmr-value')?.textContent;
    const chart = document.querySelector('frw-chart figure')?.dataset.drawn ?? document.querySelector('frw-chart .mark-rule.role-mark')?.innerHTML ?? '';
    if (numbers !== s.lastNumbers) { s.numbers++; s.lastNumbers = numbers; }
    if (chart !== s.lastChart) { s.chart++; s.lastChart = chart; }
    if (s.running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

/** Stops the counter; what it counted. */
const COLLECT = `(() => {
  const s = window.__drag;
  s.running = false;
  return { t: (performance.now() - s.t0) / 1000, frames: s.frames, inputFrames: s.inputFrames, numbers: s.numbers, chart: s.chart, long: s.long };
})()`;

async function drag(page: Page, base: string, uiPath: string, runId: string): Promise<DragResult> {
  await page.goto(`${base}${uiPath}#/explorer?run=${encodeURIComponent(runId)}`);
  await page.waitForSelector('#fmr-value', { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelectorAll('frw-chart svg, frw-chart canvas').length === 4);
  await page.waitForLoadState('networkidle');
  // The EER point's bootstrap (a worker thread on the server) is over before the drag begins: it would share the CPUs.
  await page.waitForFunction(() => !/…/.test(document.querySelector('#tar-bootstrap')?.textContent ?? ''), undefined, { timeout: 120_000 });
  await page.evaluate(MEASURE);
  const box = (await (await page.waitForSelector('#threshold-range')).boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.5, y);
  await page.mouse.down();
  // Back and forth across the middle 80% of the range, at a USB mouse's 125 Hz (Chromium coalesces them to one per
  // frame), so every frame has a move waiting and the page, not the driver, sets the rate. Not awaited one by one:
  // each answer waits for a frame of the page.
  const start = Date.now();
  const sent: Array<Promise<void>> = [];
  while (Date.now() - start < seconds * 1000) {
    const phase = ((Date.now() - start) / 2000) % 1;
    const tri = phase < 0.5 ? 2 * phase : 2 - 2 * phase;
    sent.push(page.mouse.move(box.x + box.width * (0.1 + 0.8 * tri), y));
    await new Promise((r) => setTimeout(r, 8));
  }
  await Promise.all(sent);
  const moves = sent.length / ((Date.now() - start) / 1000);
  await page.mouse.up();
  const m = (await page.evaluate(COLLECT)) as { t: number; frames: number; inputFrames: number; numbers: number; chart: number; long: number[] };
  // The numbers once the drag rests are the server's at the threshold shown.
  await page.waitForTimeout(1500);
  const shownFmr = (await page.textContent('#fmr-value'))?.trim() ?? '';
  const t = Number.parseFloat((await page.textContent('#threshold-value')) ?? '');
  const model = await page.$eval('#model', (s: { value: string }) => s.value);
  const op = (await (await fetch(`${base}/api/runs/${encodeURIComponent(runId)}/operating-point?model=${encodeURIComponent(model)}&threshold=${t}`)).json()) as { choice: { fmr: { estimate: number } } };
  return { moves, seconds: m.t, numbersFps: m.numbers / m.t, chartFps: m.chart / m.t, frameFps: m.frames / m.t, inputFps: m.inputFrames / m.t, longTasks: m.long.length, longestTaskMs: Math.max(0, ...m.long), shownFmr, serverFmr: pct(op.choice.fmr.estimate) };
}

/** Milliseconds from a click on a rule preset to its numbers on screen: the first time, then again (cached or not). */
async function presetMs(page: Page, rule: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < 2; i++) {
    await page.click('button[data-rule="eer"]');
    await page.waitForSelector('button[data-rule="eer"].active', { timeout: 120_000 });
    const t0 = Date.now();
    await page.click(`button[data-rule="${rule}"]`);
    await page.waitForSelector(`button[data-rule="${rule}"].active`, { timeout: 120_000 });
    out.push(Date.now() - t0);
  }
  return out;
}

/**
 * The workbench server, in a process of its own: an all-pairs run's scores (1 GB in memory) must not slow the
 * process that drives the browser. Serves this explorer at / and the peer's at /before/; prints its port.
 */
async function serve(): Promise<void> {
  const outer = express();
  const before = argOf('--before-ui');
  if (before) outer.use('/before', express.static(before));
  const jobs = new JobRunner(cfg);
  outer.use(createWorkbenchApp({ cfg, jobs, staticDir: argOf('--ui')! }));
  const server = outer.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  process.once('SIGTERM', () => void jobs.close().then(() => server.close(() => process.exit(0))));
}

/** Starts `serve` in a child process; its base URL and the child. */
async function startServer(nowUi: string, beforeUi: string | null): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', '--ui', nowUi, ...(beforeUi ? ['--before-ui', beforeUi] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the bench server ended (code ${code}) before listening`)));
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

if (process.argv.includes('--serve')) {
  await serve();
} else {
  await main();
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'frw-explorer-fps-'));
  const runs = benchRuns();
  if (runs.length === 0) throw new Error('no run to explore');
  const nowUi = await buildUi({ outdir: path.join(tmp, 'ui'), minify: true });
  const beforeUi = beforeRef ? await buildBefore(beforeRef, tmp) : null;
  const { base, child } = await startServer(nowUi, beforeUi);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const line = (label: string, r: DragResult) =>
    `  ${label.padEnd(34)} ${r.moves.toFixed(0)} moves/s  ${r.numbersFps.toFixed(1).padStart(5)} fps numbers  ${r.chartFps.toFixed(1).padStart(5)} fps chart  ${r.frameFps.toFixed(1).padStart(5)} frames/s, ${r.inputFps.toFixed(1)} with a slider move (${((100 * r.numbersFps) / Math.max(r.inputFps, 1e-9)).toFixed(0)}% of those redrawn)  long tasks ${r.longTasks} (max ${r.longestTaskMs.toFixed(0)} ms)  after: ${r.shownFmr} shown, ${r.serverFmr} server`;
  const figures: FigureInput[] = [];
  try {
    process.stdout.write(`threshold explorer, ${seconds} s drag per case, target ${TARGET_FPS} fps (Chromium headless, ${os.cpus().length} CPUs)\n`);
    for (const id of runs) {
      const now = await drag(page, base, '/', id);
      const nowPreset = await presetMs(page, 'best-accuracy');
      process.stdout.write(`${id}\n${line('rate table + chart signals (now)', now)}\n`);
      let before: DragResult | null = null;
      if (beforeUi) {
        before = await drag(page, base, '/before/', id);
        const beforePreset = await presetMs(page, 'youden');
        process.stdout.write(`${line(`per-step server calls (${beforeRef})`, before)}\n  now / before: ${(now.numbersFps / Math.max(before.numbersFps, 1e-9)).toFixed(1)}× the frames with new numbers\n`);
        process.stdout.write(`  a preset, click to numbers (first, again): now ${nowPreset.join(', ')} ms (best accuracy); before ${beforePreset.join(', ')} ms (Youden's J)\n`);
      } else process.stdout.write(`  a preset, click to numbers (first, again): ${nowPreset.join(', ')} ms (best accuracy)\n`);
      process.stdout.write(`  target ${TARGET_FPS} fps: ${now.numbersFps >= TARGET_FPS ? 'met' : 'NOT met'} (${(now.numbersFps / TARGET_FPS).toFixed(2)}× the target)\n`);
      figures.push({ bench: 'explorer-fps', name: `explorer drag, frames with new numbers (${id})`, unit: 'fps', ours: now.numbersFps, peer: before?.numbersFps ?? null, peerName: `the explorer of ${beforeRef} (a server call per step)`, better: 'higher', target: { kind: 'at-least', value: TARGET_FPS }, note: `long tasks ${now.longTasks} (max ${now.longestTaskMs.toFixed(0)} ms); a preset ${nowPreset.join(', ')} ms (first, again)` });
    }
    record(figures);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
