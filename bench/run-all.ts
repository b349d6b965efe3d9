/**
 * `npm run bench`: every benchmark, one after another (each against its peer in its own run), collected into
 * bench/results.json with the machine they ran on. Benchmarks record their figures through bench/results.ts.
 *
 *   node --import tsx bench/run-all.ts [--only a,b] [--skip a,b] [--out bench/results.json]
 *
 * Benchmarks not run this time (--only, --skip) keep their runs and figures from the existing file.
 *
 * A benchmark that fails or cannot run here (a missing peer, no PostgreSQL) is listed with its reason and exit code;
 * the others still run. A whole run takes about 20 minutes here, most of it the cold LFW pipeline: nothing else
 * should run meanwhile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../core/paths.js';
import type { BenchFigure } from './results.js';

interface BenchRun {
  name: string;
  args: string[];
  /** What it measures, for the results file. */
  what: string;
}

const BENCHES: BenchRun[] = [
  { name: 'all-pairs-vs-numpy', args: [], what: 'all LFW pairs scored, sorted, exact AUC against numpy; exact ROC + AUC on 10 M scores against scikit-learn' },
  { name: 'all-pairs-memory', args: [], what: 'peak resident memory of all-pairs at 10^9 pairs (sampled) and of the exact streamed path per pair' },
  { name: 'faiss-vs-python', args: [], what: 'faiss-node search and adds against python3-faiss on LFW embeddings' },
  { name: 'embed-throughput', args: [], what: 'embedding stage against the bare runtime; 1 and 2 workers; whole pipeline' },
  { name: 'pipeline-stages', args: [], what: 'each pipeline stage timed alone against the whole pipeline with 1 and 2 workers; the machine ceiling' },
  { name: 'lfw-cold', args: [], what: 'LFW from raw images to a 10-fold report for two models, cold and warm' },
  { name: 'explorer-fps', args: [], what: 'threshold explorer redraws while dragging, in headless Chromium' },
  { name: 'onnx-batch', args: [], what: 'ONNX embedders at batch 1 against a freed batch of 16' },
  { name: 'engine-load', args: [], what: 'engine check-ins under 50 clients, workers against in-thread; kill -9 durability' },
  { name: 'engine-replicas', args: ['--seconds', '10', '--trials', '5'], what: 'two PostgreSQL replicas against one SQLite engine' },
  { name: 'hostile-svg', args: [], what: 'identify latency under SVG-bomb uploads' },
];

const list = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1].split(',') : null);
const only = list('--only');
const skip = list('--skip') ?? [];
const out = path.resolve(process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : path.join(PROJECT_ROOT, 'bench', 'results.json'));
for (const n of [...(only ?? []), ...skip]) if (!BENCHES.some((b) => b.name === n)) throw new Error(`no benchmark named ${n}; there are ${BENCHES.map((b) => b.name).join(', ')}`);

/** The machine and software the figures belong to. */
function machine() {
  const py = spawnSync('/usr/bin/python3', ['-c', 'import numpy, sklearn, sys\ntry:\n import faiss; f = faiss.__version__\nexcept Exception: f = None\nprint(numpy.__version__, sklearn.__version__, f)'], { encoding: 'utf8' });
  const [numpy, sklearn, faiss] = py.status === 0 ? py.stdout.trim().split(' ') : [null, null, null];
  const pkg = (name: string) => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version as string;
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout.trim() || null;
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    packages: { 'onnxruntime-node': pkg('onnxruntime-node'), 'faiss-node': pkg('faiss-node'), '@tensorflow/tfjs-backend-wasm': pkg('@tensorflow/tfjs-backend-wasm'), sharp: pkg('sharp') },
    python: { numpy, sklearn, faiss },
    commit: commit && dirty ? `${commit} (with uncommitted changes)` : commit,
  };
}

async function runOne(b: BenchRun, figuresFile: string): Promise<{ code: number | null; seconds: number; tail: string }> {
  const t = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', `${b.name}.ts`), ...b.args], { cwd: PROJECT_ROOT, env: { ...process.env, FRW_BENCH_RESULTS: figuresFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
    to.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', (c: Buffer) => keep(c, process.stdout));
  child.stderr.on('data', (c: Buffer) => keep(c, process.stderr));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, seconds: (performance.now() - t) / 1000, tail };
}

const startedAt = new Date().toISOString();
const runs: Array<{ name: string; what: string; args: string[]; status: 'ok' | 'failed' | 'skipped'; exitCode: number | null; seconds: number; ranAt?: string; commit?: string | null; logTail?: string }> = [];
const commitNow = machine().commit;
const figures: BenchFigure[] = [];
for (const b of BENCHES) {
  if ((only && !only.includes(b.name)) || skip.includes(b.name)) {
    runs.push({ name: b.name, what: b.what, args: b.args, status: 'skipped', exitCode: null, seconds: 0 });
    continue;
  }
  console.log(`\n=== ${b.name} ${b.args.join(' ')}`);
  const file = path.join(os.tmpdir(), `frw-bench-${process.pid}-${b.name}.jsonl`);
  fs.rmSync(file, { force: true });
  const ranAt = new Date().toISOString();
  const r = await runOne(b, file);
  const got = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as BenchFigure) : [];
  fs.rmSync(file, { force: true });
  figures.push(...got);
  runs.push({ name: b.name, what: b.what, args: b.args, status: r.code === 0 ? 'ok' : 'failed', exitCode: r.code, seconds: +r.seconds.toFixed(1), ranAt, commit: commitNow, ...(r.code === 0 ? {} : { logTail: r.tail }) });
}
// The benchmarks not run this time (--only, --skip) keep their runs and figures from the file (each run says when
// it ran and at which commit).
if (fs.existsSync(out)) {
  const before = JSON.parse(fs.readFileSync(out, 'utf8')) as { runs: typeof runs; figures: BenchFigure[] };
  const ranNow = new Set(runs.filter((r) => r.status !== 'skipped').map((r) => r.name));
  for (const [k, r] of runs.entries()) {
    const kept = r.status === 'skipped' ? before.runs.find((x) => x.name === r.name) : undefined;
    if (kept) runs[k] = kept;
  }
  figures.unshift(...before.figures.filter((f) => !ranNow.has(f.bench)));
}
const targets = figures.filter((f) => f.target);
const results = {
  machine: machine(),
  startedAt,
  finishedAt: new Date().toISOString(),
  summary: { figures: figures.length, targets: targets.length, met: targets.filter((f) => f.target!.met).length, notMet: targets.filter((f) => !f.target!.met).map((f) => `${f.bench} · ${f.name}`), failedBenches: runs.filter((r) => r.status === 'failed').map((r) => r.name) },
  runs,
  figures,
};
fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`\n${figures.length} figures, ${results.summary.met}/${targets.length} targets met${results.summary.notMet.length ? ` (not met: ${results.summary.notMet.join('; ')})` : ''}; failed: ${results.summary.failedBenches.join(', ') || 'none'} → ${path.relative(PROJECT_ROOT, out)}`);
