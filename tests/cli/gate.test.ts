import { beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
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
  assert.ok(measured.measured.impostor > 1000 && measured.measured.genuine > 500, 'all pairs of five-celeb');
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
