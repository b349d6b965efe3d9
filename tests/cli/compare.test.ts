import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';
import type { CompareResult } from '../../usecases/compare.js';

/**
 * `frw compare` on real runs made here with `frw eval` and `frw identify` on lfw-mini and five-celeb: runs of the same
 * comparisons line up with their paired tests (checked against counts made here from the runs' own score files and
 * scipy's binomial test); runs of other data, another protocol or an older format are refused with the reason.
 */
const ws = tempWorkspace();
const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];
const run = (id: string) => path.join(ws, 'runs', id);
const frw = (args: string[]) => runCli([...args, ...roots]);

beforeAll(async () => {
  const make = async (args: string[]) => {
    const r = await frw(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  };
  // Both models computed here (their speed measured by this run), then mobilefacenet again from the cache.
  await make(['eval', '--dataset', 'lfw-mini', '--protocol', 'all-pairs', '--models', 'fr-feature,mobilefacenet', '--bootstrap', '0', '--out', run('both')]);
  await make(['eval', '--dataset', 'lfw-mini', '--protocol', 'all-pairs', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run('again')]);
  await make(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run('listed')]);
  await make(['eval', '--dataset', 'five-celeb', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run('five')]);
  await make(['identify', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--modes', 'raw,mean', '--bootstrap', '0', '--fpir', '0.1', '--out', run('id-a')]);
  await make(['identify', '--dataset', 'lfw-mini', '--models', 'fr-feature', '--modes', 'mean', '--bootstrap', '0', '--fpir', '0.1', '--out', run('id-c')]);
  await make(['identify', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--modes', 'mean', '--seed', '2', '--bootstrap', '0', '--fpir', '0.1', '--out', run('id-b')]);
  // A run as an earlier frw wrote it: no pair list in run.json.
  fs.cpSync(run('again'), run('old'), { recursive: true });
  const rec = JSON.parse(fs.readFileSync(path.join(run('old'), 'run.json'), 'utf8'));
  delete rec.pairList;
  fs.writeFileSync(path.join(run('old'), 'run.json'), JSON.stringify(rec));
});

/** One model's scores of a run, read here from scores.csv independently of the project's reader. */
function scores(id: string, model: string): { same: number[]; s: number[] } {
  const [head, ...lines] = fs.readFileSync(path.join(run(id), 'scores.csv'), 'utf8').trim().split('\n');
  const col = head.split(',').indexOf(`score_${model}`);
  const rows = lines.map((l) => l.split(','));
  return { same: rows.map((r) => Number(r[2])), s: rows.map((r) => Number(r[col])) };
}

/** TAR@FMR=f's threshold by its definition: the lowest candidate (a distinct score or +∞) with #{impostor ≥ t}/N ≤ f. */
function fmrThreshold(x: { same: number[]; s: number[] }, f: number): number {
  const imp = x.s.filter((_, i) => !x.same[i]).sort((a, b) => a - b);
  for (const t of [...new Set(x.s)].sort((a, b) => a - b)) {
    let fm = 0;
    for (let k = imp.length - 1; k >= 0 && imp[k] >= t; k--) fm++;
    if (fm / imp.length <= f) return t;
  }
  return Infinity;
}

const binomtest = (k: number, n: number) => {
  const r = spawnSync('/usr/bin/python3', ['-c', `from scipy.stats import binomtest; print(repr(binomtest(${k}, ${n}, 0.5).pvalue))`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
};

test('two runs of the same pairs line up, same model ids kept apart, with McNemar and the paired bootstrap', async () => {
  const r = await frw(['compare', 'both', run('again'), '--replicates', '200', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as CompareResult & { kind: 'eval' };
  assert.match(c.basis, /^2 runs: all-pairs on lfw-mini manifest [0-9a-f]{8}…, pair list sha256 [0-9a-f]{8}… \(\d[\d,]* comparisons\)$/);
  assert.deepEqual(c.rows.map((x) => x.label), ['fr-feature', 'both:mobilefacenet', 'again:mobilefacenet']);
  const metrics = JSON.parse(fs.readFileSync(path.join(run('both'), 'metrics.json'), 'utf8')).models;
  assert.equal(c.rows[0].auc, metrics['fr-feature'].auc);
  // All pairs of lfw-mini: about 18,000 impostors, so the default rule is TAR@FMR at the smallest measurable target.
  assert.equal(c.rule.text, 'fmr=0.0001');
  assert.equal(c.paired.length, 3);
  const [ff, same] = [c.paired.find((p) => p.a === 'fr-feature' && p.b === 'both:mobilefacenet')!, c.paired.find((p) => p.a === 'both:mobilefacenet' && p.b === 'again:mobilefacenet')!];
  // McNemar's counts, made here from scores.csv and each model's own threshold for the rule.
  const [A, B] = [scores('both', 'fr-feature'), scores('both', 'mobilefacenet')];
  const [tA, tB] = [fmrThreshold(A, 1e-4), fmrThreshold(B, 1e-4)];
  let [onlyA, onlyB] = [0, 0];
  A.s.forEach((_, i) => {
    const ok = (s: number, t: number) => (s >= t) === (A.same[i] === 1);
    if (ok(A.s[i], tA) && !ok(B.s[i], tB)) onlyA++;
    if (!ok(A.s[i], tA) && ok(B.s[i], tB)) onlyB++;
  });
  assert.equal(ff.excludedFta, 0);
  assert.deepEqual([ff.mcnemar!.onlyA, ff.mcnemar!.onlyB, ff.comparisons], [onlyA, onlyB, A.s.length]);
  assert.ok(onlyA + onlyB > 0, 'the models disagree somewhere at this rule');
  assert.ok(Math.abs(ff.mcnemar!.pValue - binomtest(onlyA, onlyA + onlyB)) <= 1e-12);
  // The differences' estimates are the runs' own metrics, A minus B (no comparison lost a face).
  const eer = ff.deltas.find((d) => d.statistic === 'EER')!.result!;
  assert.equal(eer.difference.estimate, metrics['fr-feature'].eer.estimate - metrics.mobilefacenet.eer.estimate);
  const tar = ff.deltas.find((d) => d.statistic === 'TAR@FMR=0.0001')!.result!;
  const runTar = (m: string) => metrics[m].tarAtFmr.find((t: { targetFmr: number }) => t.targetFmr === 1e-4).tar;
  assert.equal(tar.difference.estimate, runTar('fr-feature') - runTar('mobilefacenet'));
  assert.match(tar.difference.method, /paired bootstrap over identities \(B=200, seed=1/);
  const impostors = A.same.filter((s) => !s).length.toLocaleString('en');
  assert.equal(ff.deltas.find((d) => d.statistic === 'TAR@FMR=0.000001')!.unavailable, `not measurable with ${impostors} impostor comparisons (smallest FMR 1/${impostors})`);
  // The same model on the same pairs twice: nothing differs, and nothing is claimed.
  assert.deepEqual([same.mcnemar!.onlyA, same.mcnemar!.onlyB, same.mcnemar!.pValue, same.mcnemar!.better], [0, 0, 1, null]);
  for (const d of same.deltas.filter((x) => x.result)) assert.deepEqual([d.result!.difference.lower, d.result!.difference.upper, d.result!.better], [0, 0, null]);
  assert.ok(same.summary.every((s) => /no difference backed by this data/.test(s)), same.summary.join(' | '));
  // Facts: speed as measured when the embeddings were computed (by `both`; `again` read them from the cache).
  const [mBoth, mAgain] = [c.rows[1], c.rows[2]];
  assert.deepEqual([mBoth.speed!.source, mAgain.speed!.source], ['this run', 'embedding cache']);
  assert.equal(mAgain.speed!.msPerFace, mBoth.speed!.msPerFace);
  assert.ok(mBoth.speed!.msPerFace > 0 && mBoth.speed!.faces === 191 && mBoth.speed!.runtime === 'onnxruntime-node');
  assert.deepEqual([mBoth.facts.dim, c.rows[0].facts.dim, mBoth.facts.bytes], [128, 512, fs.statSync(path.join(MODEL_ROOT, 'mobilefacenet.onnx')).size]);
  assert.match(mBoth.facts.licence!, /research-only/);
  assert.ok(mBoth.facts.cost === null ? /^not counted: /.test(mBoth.facts.costNote!) : mBoth.facts.cost.parameters > 0);
  // The text table says the same.
  const text = await frw(['compare', 'both', 'again', '--replicates', '50', '--pair', 'fr-feature,both:mobilefacenet']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /like for like: 2 runs: all-pairs on lfw-mini/);
  assert.match(text.stdout, /again:mobilefacenet .* ms\/face \(onnxruntime-node, 1 thread × \d+ workers, lfw-mini, [\d-]+, embedding cache\)/);
  assert.match(text.stdout, /fr-feature against both:mobilefacenet: [\d,]+ comparisons both scored\n {4}McNemar: only fr-feature right \d+, only both:mobilefacenet right \d+/);
  assert.equal((text.stdout.match(/ against /g) ?? []).length, 1, '--pair: one pair only');
  const bad = await frw(['compare', 'both', 'again', '--pair', 'fr-feature,mobilefacenet']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no row "mobilefacenet"; the rows are fr-feature, both:mobilefacenet, again:mobilefacenet/);
});

test('runs of other data, another protocol or an older format are refused with the reason (exit 2)', async () => {
  const refused = async (args: string[], pattern: RegExp) => {
    const r = await frw(['compare', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stdout, '', 'no table for runs that are not like for like');
  };
  await refused(['both', 'five'], /run both scored all-pairs on lfw-mini manifest [0-9a-f]{8}…, run five scored all-pairs on five-celeb manifest [0-9a-f]{8}…: not the same comparisons/);
  await refused(['both', 'listed'], /run both scored all-pairs on lfw-mini .*run listed scored pairs on lfw-mini .*not the same comparisons/);
  await refused(['both', 'old'], /run old was written by an earlier frw that did not record its pair list/);
  await refused(['both', 'id-a'], /run both is a verification run, run id-a an identification run/);
  await refused(['id-a', 'id-b'], /seed 1.*seed 2.*not the same gallery and probes/);
  await refused(['both', 'nowhere'], /no run "nowhere"/);
  await refused(['both', 'both'], /named twice/);
});

test('identification runs on the same split line up, with McNemar probe by probe at each one\'s FPIR threshold', async () => {
  const r = await frw(['compare', 'id-a', 'id-c', '--json', '--pair', 'mobilefacenet/mean,fr-feature/mean']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as CompareResult & { kind: 'identify' };
  assert.deepEqual(c.rows.map((x) => x.label), ['mobilefacenet/raw', 'mobilefacenet/mean', 'fr-feature/mean']);
  assert.equal(c.rule.text, 'fpir=0.1');
  const [p] = c.paired;
  // Counted here from the probes files and each result's threshold at FPIR 0.1.
  const probes = (id: string, key: string) => {
    const [, ...lines] = fs.readFileSync(path.join(run(id), `probes-${key}.csv`), 'utf8').trim().split('\n');
    return new Map(lines.map((l) => l.split(',')).map((f) => [f[0], { mate: f[1], score: f[3] === '' ? null : Number(f[3]), rank: Number(f[4]) }]));
  };
  const threshold = (id: string) => JSON.parse(fs.readFileSync(path.join(run(id), 'identification.json'), 'utf8')).results.find((x: { mode: string }) => x.mode === 'mean').fnirAtFpir[0].threshold;
  const [a, b, ta, tb] = [probes('id-a', 'mobilefacenet-mean'), probes('id-c', 'fr-feature-mean'), threshold('id-a'), threshold('id-c')];
  const right = (x: { mate: string; score: number | null; rank: number }, t: number) => (x.mate ? x.rank === 1 && x.score! >= t : x.score === null || x.score < t);
  let [onlyA, onlyB] = [0, 0];
  for (const [image, x] of a) {
    const y = b.get(image)!;
    if (right(x, ta) && !right(y, tb)) onlyA++;
    if (!right(x, ta) && right(y, tb)) onlyB++;
  }
  assert.deepEqual([p.mcnemar!.onlyA, p.mcnemar!.onlyB, p.comparisons], [onlyA, onlyB, a.size]);
  assert.match(p.deltas[0].unavailable!, /offered for verification runs/);
});

test('two models on a pair-only set: the paired bootstrap resamples images, and says so', async () => {
  const { makePairOnlySet } = await import('../helpers/pair-set.js');
  const made = makePairOnlySet(path.join(ws, 'pair-only'), { same: 30, different: 30 });
  const out = path.join(ws, 'runs', 'pair-only-run');
  const e = await frw(['eval', '--dataset', made.dir, '--models', 'fr-feature,mobilefacenet', '--bootstrap', '0', '--out', out]);
  assert.equal(e.code, 0, e.stderr);
  const c = await frw(['compare', out, '--replicates', '200', '--json']);
  assert.equal(c.code, 0, c.stderr);
  const result = JSON.parse(c.stdout) as CompareResult & { kind: 'eval' };
  const eer = result.paired[0].deltas.find((d) => d.statistic === 'EER')!;
  assert.ok(eer.result, `ΔEER computed: ${eer.unavailable}`);
  assert.match(eer.result.difference.method, /bootstrap over images: this set names no identities/);
});
