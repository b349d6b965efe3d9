import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../core/paths.js';

/**
 * The layers of README.md's architecture section, lowest first. A module may import from its own layer's folder and
 * from any lower layer, never from a higher one or from a peer (same rank, other folder): imports point down.
 */
export const LAYERS: Record<string, number> = {
  core: 0,
  datasets: 1,
  models: 2,
  pipeline: 3,
  search: 4,
  experiments: 5,
  runs: 6,
  engine: 7,
  reports: 7,
  usecases: 8,
  workbench: 9,
  cli: 10,
  'notebooks-ts': 10,
  bench: 10,
};

/** Narrower rules on top of the ranks, by path prefix; `values` only: type-only imports are allowed. */
const ALSO_FORBIDDEN: Array<{ from: RegExp; to: RegExp; why: string; values?: boolean }> = [
  { from: /^engine\//, to: /^experiments\/(?!metrics\/)/, why: 'the deployed engine uses metric functions only, never evaluation code' },
  { from: /^workbench\/ui\//, to: /^workbench\/server\//, values: true, why: 'the browser bundle takes types from the server, never its code (shared values live in workbench/shared/)' },
];

/** A relative import: `import type` (or `export type`) when it can carry no code. */
const IMPORT = /(?:\b(import|export)\s+(type\s+)?(?:[^'";]*?\bfrom\s*)?|\bimport\s*\(\s*)['"](\.\.?\/[^'"]+)['"]/g;

export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Every relative import of the layered folders, project-relative with forward slashes. */
export function imports(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const rel = (p: string) => path.relative(PROJECT_ROOT, p).split(path.sep).join('/');
  for (const top of Object.keys(LAYERS)) {
    for (const file of sources(path.join(PROJECT_ROOT, top))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
        edges.push({ from: rel(file), to: rel(path.resolve(path.dirname(file), m[3])), typeOnly: Boolean(m[2]) });
      }
    }
  }
  return edges;
}

export function violations(edges: ReadonlyArray<ImportEdge | [string, string]>): string[] {
  const bad: string[] = [];
  for (const edge of edges) {
    const { from, to, typeOnly } = Array.isArray(edge) ? { from: edge[0], to: edge[1], typeOnly: false } : edge;
    const a = from.split('/')[0];
    const b = to.split('/')[0];
    // A benchmark may rebuild a UI with the install-time bundler it measures (scripts/build-ui.mjs).
    if (!(b in LAYERS) && !(a === 'bench' && to.startsWith('scripts/'))) {
      bad.push(`${from} imports ${to}, outside every layer`);
      continue;
    }
    if (!(b in LAYERS)) continue;
    if (a !== b && LAYERS[b] >= LAYERS[a]) bad.push(`${from} (${a}, layer ${LAYERS[a]}) imports ${to} (${b}, layer ${LAYERS[b]})`);
    for (const rule of ALSO_FORBIDDEN) {
      if (rule.from.test(from) && rule.to.test(to) && !(rule.values && typeOnly)) bad.push(`${from} imports ${to}: ${rule.why}`);
    }
  }
  return bad;
}

test('imports point down the layers, and the engine imports nothing from evaluation but metric functions', () => {
  const edges = imports();
  assert.ok(edges.length > 300, `found ${edges.length} imports`);
  assert.deepEqual(violations(edges), []);
});

test('the layer check catches an upward import, a peer import and the engine reaching into evaluation', () => {
  assert.deepEqual(violations([['models/card.ts', 'core/errors.ts']]), []);
  assert.deepEqual(violations([['bench/explorer-fps.ts', 'scripts/build-ui.mjs']]), []);
  assert.equal(violations([['cli/main.ts', 'scripts/build-ui.mjs']]).length, 1, 'only benchmarks reach the install-time scripts');
  assert.equal(violations([['bench/x.ts', 'tests/helpers/chromium.ts']]).length, 1, 'nothing imports the tests');
  assert.equal(violations([['pipeline/spec.ts', 'experiments/evaluate.ts']]).length, 1);
  assert.equal(violations([['engine/engine.ts', 'reports/html.ts']]).length, 1);
  assert.equal(violations([['engine/engine.ts', 'experiments/identification/evaluate.ts']]).length, 1);
  assert.deepEqual(violations([['engine/engine.ts', 'experiments/metrics/distance.ts']]), []);
  assert.equal(violations([['workbench/ui/lib/api.ts', 'workbench/server/jobs.ts']]).length, 1, 'code of the server in the browser bundle');
  assert.deepEqual(violations([{ from: 'workbench/ui/lib/api.ts', to: 'workbench/server/jobs.ts', typeOnly: true }]), []);
});
