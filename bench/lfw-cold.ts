/**
 * LFW from raw images to a 10-fold report for two models, as a user runs it: `frw eval --dataset lfw --protocol
 * lfw-10fold --models fr-feature,mobilefacenet` in a fresh workspace (cold: nothing cached, every image decoded,
 * detected, aligned and embedded), then the same command again (warm: every embedding cached). Issue 16's targets:
 * cold ≤ 8 minutes on two cores, warm ≤ 10 s. Both runs' metrics must be equal.
 *
 *   node --import tsx bench/lfw-cold.ts [--models fr-feature,mobilefacenet] [--threads 2] [--dataset lfw-mini (a quick check)]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../core/paths.js';
import { record } from './results.js';

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const models = arg('--models', 'fr-feature,mobilefacenet');
const dataset = arg('--dataset', 'lfw');
const threads = arg('--threads', String(os.availableParallelism()));
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'frw-lfw-cold-'));

/** One `frw eval` from source; its wall time and the metrics it wrote. */
async function evalRun(out: string): Promise<{ seconds: number; metrics: string }> {
  const t = performance.now();
  const args = ['--import', 'tsx', path.join(PROJECT_ROOT, 'cli', 'main.ts'), 'eval', '--dataset', dataset, '--protocol', dataset === 'lfw' ? 'lfw-10fold' : 'pairs', '--models', models, '--workspace', ws, '--threads', threads, '--out', out];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`frw eval exited with ${code}`);
  const seconds = (performance.now() - t) / 1000;
  const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { models: Record<string, { auc: number; tenFold: { mean: number } | null }> };
  return { seconds, metrics: JSON.stringify(Object.entries(m.models).map(([id, x]) => [id, x.auc, x.tenFold?.mean ?? null])) };
}

try {
  const cold = await evalRun(path.join(ws, 'run-cold'));
  const warm = await evalRun(path.join(ws, 'run-warm'));
  if (cold.metrics !== warm.metrics) throw new Error(`cold and warm runs disagree: ${cold.metrics} vs ${warm.metrics}`);
  console.log(`\n${dataset}, ${models}, ${threads} threads: cold ${(cold.seconds / 60).toFixed(2)} min, warm ${warm.seconds.toFixed(1)} s; ${cold.metrics}`);
  record([
    { bench: 'lfw-cold', name: `${dataset} raw images → ${dataset === 'lfw' ? '10-fold ' : ''}report, ${models}, cold`, unit: 'min', ours: cold.seconds / 60, peer: null, peerName: '', better: 'lower', ...(dataset === 'lfw' && { target: { kind: 'at-most', value: 8 } }), note: `[model, AUC, 10-fold] ${cold.metrics}` },
    { bench: 'lfw-cold', name: `the same, warm (every embedding cached)`, unit: 's', ours: warm.seconds, peer: null, peerName: '', better: 'lower', ...(dataset === 'lfw' && { target: { kind: 'at-most', value: 10 } }) },
  ]);
} finally {
  fs.rmSync(ws, { recursive: true, force: true });
}
