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

/** Narrower rules on top of the ranks. */
const ALSO_FORBIDDEN: Array<{ from: string; to: RegExp; why: string }> = [
  { from: 'engine', to: /^experiments\/(?!metrics\/)/, why: 'the deployed engine uses metric functions only, never evaluation code' },
];

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.\.?\/[^'"]+)['"]/g;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Every relative import of the layered folders, as [importing file, imported file], project-relative. */
export function imports(): Array<[string, string]> {
  const edges: Array<[string, string]> = [];
  for (const top of Object.keys(LAYERS)) {
    for (const file of sources(path.join(PROJECT_ROOT, top))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = path.relative(PROJECT_ROOT, path.resolve(path.dirname(file), m[1]));
        edges.push([path.relative(PROJECT_ROOT, file), target]);
      }
    }
  }
  return edges;
}

export function violations(edges: Array<[string, string]>): string[] {
  const bad: string[] = [];
  for (const [from, to] of edges) {
    const a = from.split(path.sep)[0];
    const b = to.split(path.sep)[0];
    if (!(b in LAYERS)) {
      bad.push(`${from} imports ${to}, outside every layer`);
      continue;
    }
    if (a !== b && LAYERS[b] >= LAYERS[a]) bad.push(`${from} (${a}, layer ${LAYERS[a]}) imports ${to} (${b}, layer ${LAYERS[b]})`);
    for (const rule of ALSO_FORBIDDEN) if (a === rule.from && rule.to.test(to.split(path.sep).join('/'))) bad.push(`${from} imports ${to}: ${rule.why}`);
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
  assert.equal(violations([['pipeline/spec.ts', 'experiments/evaluate.ts']]).length, 1);
  assert.equal(violations([['engine/engine.ts', 'reports/html.ts']]).length, 1);
  assert.equal(violations([['engine/engine.ts', 'experiments/identification/evaluate.ts']]).length, 1);
  assert.deepEqual(violations([['engine/engine.ts', 'experiments/metrics/distance.ts']]), []);
});
