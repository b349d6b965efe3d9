/**
 * Shared fixtures for the metric tests: seeded score sets and a bridge to the reference implementations
 * (scikit-learn, scipy) under the system Python. The references are required: when they are missing the
 * bridge throws, so the test fails (CI installs python3-sklearn and python3-scipy), it never skips.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { mulberry32 } from '../../../experiments/metrics/random.js';
import { FrwError, type ErrorCode } from '../../../core/errors.js';
import { tempWorkspace } from '../../helpers/shared.js';

/** The Debian interpreter that has python3-sklearn and python3-scipy (a pyenv `python3` on PATH may not). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Seeded normal and uniform generators (Box-Muller over mulberry32), reproducible across runs. */
export function generator(seed: number) {
  const rng = mulberry32(seed);
  const uniform = () => (rng.nextUint32() + 0.5) / 4294967296;
  const normal = (mean = 0, sd = 1) => mean + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal, int: (n: number) => rng.nextInt(n) };
}

export interface ScoreSet {
  readonly name: string;
  readonly genuine: Float64Array;
  readonly impostor: Float64Array;
}

/** The score sets every reference comparison runs on: continuous, tie-heavy, separable, inverted, float32. */
export function scoreSets(): ScoreSet[] {
  const g = generator(20240611);
  const normalSet = (ng: number, ni: number, mg: number, mi: number, sd: number) => ({
    genuine: Float64Array.from({ length: ng }, () => g.normal(mg, sd)),
    impostor: Float64Array.from({ length: ni }, () => g.normal(mi, sd)),
  });
  const continuous = normalSet(1500, 20000, 0.55, 0.1, 0.15);
  const round1 = (a: Float64Array) => a.map((x) => Math.round(x * 10) / 10);
  const ties = normalSet(800, 5000, 0.4, 0.1, 0.2);
  return [
    { name: 'random normal', ...continuous },
    // Rounded to one decimal: a dozen distinct values, genuine and impostor tied at most of them.
    { name: 'tie-heavy (1 decimal)', genuine: round1(ties.genuine), impostor: round1(ties.impostor) },
    {
      name: 'perfectly separable',
      genuine: Float64Array.from({ length: 300 }, () => 0.6 + 0.4 * g.uniform()),
      impostor: Float64Array.from({ length: 3000 }, () => -0.2 + 0.7 * g.uniform()),
    },
    { name: 'inverted (AUC < 0.5)', ...normalSet(200, 700, 0.1, 0.3, 0.2) },
    // Float32 scores as an embedding pipeline produces them; sklearn gets their exact float64 widening.
    { name: 'float32 values', genuine: new Float64Array(new Float32Array(continuous.genuine.subarray(0, 700))), impostor: new Float64Array(new Float32Array(continuous.impostor.subarray(0, 7000))) },
  ];
}

/**
 * Runs `code` under the system Python with numpy as np. Inputs arrive as float64 arrays in the dict `inp`;
 * the code fills the dict `out` with arrays, which come back as Float64Array, bit-exact (binary files, no text).
 */
export function python(code: string, inputs: Record<string, Float64Array>): Record<string, Float64Array> {
  const dir = tempWorkspace('frw-metrics-py-');
  for (const [name, arr] of Object.entries(inputs)) fs.writeFileSync(path.join(dir, `${name}.in`), Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
  const script = `
import json, os, sys
import numpy as np
d = sys.argv[1]
inp = {f[:-3]: np.fromfile(os.path.join(d, f), dtype='<f8') for f in os.listdir(d) if f.endswith('.in')}
out = {}
${code}
for k, v in out.items():
    np.asarray(v, dtype='<f8').ravel().tofile(os.path.join(d, k + '.out'))
json.dump(sorted(out), open(os.path.join(d, 'names.json'), 'w'))
`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', script, dir], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    assert.fail(`${SYSTEM_PYTHON} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
  }
  const names = JSON.parse(fs.readFileSync(path.join(dir, 'names.json'), 'utf8')) as string[];
  const result: Record<string, Float64Array> = {};
  for (const n of names) {
    const b = fs.readFileSync(path.join(dir, `${n}.out`));
    result[n] = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

/** Fails (never skips) when the reference libraries are missing, with the command that installs them. */
export function requireReference(modules: string[]): void {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    assert.fail(
      `reference implementation missing: ${SYSTEM_PYTHON} cannot import ${modules.join(', ')} ` +
        `(${r.error?.message ?? r.stderr.trim().split('\n').pop()}). Install it: apt-get install python3-sklearn python3-scipy`,
    );
  }
}

/** Asserts that `fn` throws a FrwError with `code` whose message matches `pattern`. */
export function throwsFrw(fn: () => unknown, code: ErrorCode, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FrwError, `expected FrwError, got ${String(e)}`);
    assert.equal(e.code, code, `expected code ${code}, got ${e.code}: ${e.message}`);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

/** |a - b| <= tol·max(1, |b|), with equal infinities passing. */
export function close(a: number, b: number, tol: number, what = ''): void {
  if (a === b) return;
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} vs ${b} (|diff| ${Math.abs(a - b)}, tol ${tol})`);
}

/** Relative closeness |a - b| <= tol·|b| (for small probabilities, where an absolute tolerance says nothing). */
export function closeRel(a: number, b: number, tol: number, what = ''): void {
  if (a === b) return;
  assert.ok(Math.abs(a - b) <= tol * Math.abs(b), `${what} ${a} vs ${b} (relative diff ${Math.abs(a - b) / Math.abs(b)}, tol ${tol})`);
}

/** Every (errors, trials) case at every level, as the parallel arrays `python` takes (k, n, level). */
export function countsAtLevels(cases: ReadonlyArray<readonly [number, number]>, levels: readonly number[]): { k: Float64Array; n: Float64Array; level: Float64Array } {
  const k = new Float64Array(cases.length * levels.length);
  const n = new Float64Array(k.length);
  const level = new Float64Array(k.length);
  let i = 0;
  for (const lv of levels) for (const [kk, nn] of cases) [k[i], n[i], level[i++]] = [kk, nn, lv];
  return { k, n, level };
}
