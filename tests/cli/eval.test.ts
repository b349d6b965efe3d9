import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';
import { makePairOnlySet } from '../helpers/pair-set.js';

const roots = (ws: string) => ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];

test('frw eval writes a reproducible run folder with metrics.json, scores and a self-contained report', async () => {
  const ws = tempWorkspace();
  const out = path.join(ws, 'run');
  const r = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet,fr-feature,fusion', '--bootstrap', '30', '--seed', '3', '--out', out, ...roots(ws)]);
  assert.equal(r.code, 0, r.stderr);
  const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(run.protocol, 'pairs');
  assert.equal(run.seed, 3);
  assert.match(run.dataset.manifestHash, /^[0-9a-f]{64}$/);
  assert.deepEqual(run.models.map((m: { id: string }) => m.id), ['mobilefacenet', 'fr-feature']);
  assert.equal(run.models[0].sha256, 'e72a5710cce378dc46472b6b845cb90647634f2738d8c3e581735cf195b9866f');
  const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  for (const id of ['mobilefacenet', 'fr-feature', 'fusion(mobilefacenet+fr-feature)']) {
    const m = metrics.models[id];
    assert.ok(m, id);
    assert.ok(m.auc > 0.99 && m.auc <= 1);
    for (const k of ['estimate', 'lower', 'upper', 'threshold', 'method']) assert.ok(k in m.eer, `eer.${k}`);
    assert.equal(m.eer.bootstrap.method.includes('bootstrap'), true);
    assert.deepEqual(m.counts, { genuine: 60, impostor: 60, excludedFta: { genuine: 0, impostor: 0 } });
    const t = m.tarAtFmr.find((x: { targetFmr: number }) => x.targetFmr === 1e-3);
    assert.equal(t.measurable, false, '1e-3 cannot be backed by 60 impostor comparisons');
    assert.equal(t.smallestMeasurableFmr, 1 / 60);
    assert.ok(m.breakdown.byResolution.length >= 1);
  }
  const csv = fs.readFileSync(path.join(out, 'scores.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 121);
  assert.equal(csv[0], 'image_a,image_b,same,score_mobilefacenet,score_fr-feature,score_fusion(mobilefacenet+fr-feature)');
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.ok(html.includes('vegaEmbed('), 'charts embedded');
  assert.ok(!/<script[^>]+src=/i.test(html), 'no external scripts: opens offline');
  // Same spec, same data: same specHash; a second run into the same folder is refused.
  const again = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet,fr-feature,fusion', '--bootstrap', '30', '--seed', '3', '--out', out, ...roots(ws)]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a run/);
});

test('LFW 10-fold: fr-feature ≥ 99.3%, mobilefacenet ≥ 99.2%, TAR@FMR=1e-4 not measurable on 3,000 impostor pairs', async () => {
  // Uses the project's default workspace so the LFW embeddings (minutes per model) are computed once per machine.
  const out = path.join(tempWorkspace(), 'run');
  const r = await runCli(['eval', '--dataset', 'lfw', '--protocol', 'lfw-10fold', '--models', 'fr-feature,mobilefacenet', '--bootstrap', '0', '--out', out, '--data-root', DATA_ROOT, '--model-root', MODEL_ROOT]);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')).models;
  // Thresholds from the issue; shared/README.md measured 99.42% and 99.37% with the same detector and template.
  assert.ok(m['fr-feature'].tenFold.mean >= 0.993, `fr-feature ${m['fr-feature'].tenFold.mean}`);
  assert.ok(m.mobilefacenet.tenFold.mean >= 0.992, `mobilefacenet ${m.mobilefacenet.tenFold.mean}`);
  for (const id of ['fr-feature', 'mobilefacenet']) {
    const t = m[id].tarAtFmr.find((x: { targetFmr: number }) => x.targetFmr === 1e-4);
    assert.equal(t.measurable, false);
    assert.equal(t.smallestMeasurableFmr, 1 / 3000);
    assert.equal(m[id].counts.impostor, 3000);
    // Measurable is not backed (metrics.md): FMR <= 1e-3 on 3,000 impostors is backed at 95% only with no false match.
    const t3 = m[id].tarAtFmr.find((x: { targetFmr: number }) => x.targetFmr === 1e-3);
    assert.equal(t3.backed, t3.fmrUpperBound <= 1e-3);
    assert.equal(t3.backed, t3.achievedFmr === 0);
    assert.deepEqual([t.backed, t.impostorsToBack], [false, 29_956], 'and 1e-4 would need 29,956 impostor comparisons');
    const budget = m[id].thresholds.find((c: { rule: { kind: string } }) => c.rule.kind === 'fmr-bound');
    assert.deepEqual([budget.falseMatches, budget.fmrUpper.sided], [0, 'upper'], 'the budget rule allows no false match here');
    assert.ok(budget.fmrUpper.upper <= 1e-3 && budget.threshold.similarity >= t3.threshold);
  }
});

test('a pair-only set end to end: the sheet\'s comparisons, intervals over images, all-pairs refused first', async () => {
  const ws = tempWorkspace();
  const made = makePairOnlySet(path.join(ws, 'deepface-style'), { same: 30, different: 30 });
  fs.appendFileSync(made.sheet, 'img001.jpg,absent.jpg,Yes\n'); // counted as a problem, never a comparison
  const want = { genuine: made.rows.filter((r) => r.same).length, impostor: made.rows.filter((r) => !r.same).length };
  const refused = await runCli(['eval', '--dataset', made.dir, '--protocol', 'all-pairs', '--models', 'mobilefacenet', ...roots(ws)]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /names no identities, and impostor pairs cannot be formed without identities .*use --protocol pairs/);
  assert.ok(!fs.existsSync(path.join(ws, 'cache', 'embeddings')), 'refused before any embedding');

  const out = path.join(ws, 'run');
  const r = await runCli(['eval', '--dataset', made.dir, '--models', 'mobilefacenet', '--bootstrap', '60', '--fmr-bound', '0.1', '--out', out, ...roots(ws)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /intervals: bootstrap over images: this set names no identities \(B=60, seed=1\)/);
  const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.deepEqual([run.protocol, run.dataset.kind, run.dataset.identities, run.comparisons], ['pairs', 'pairs', 0, { total: 60, ...want }]);
  const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')).models.mobilefacenet;
  assert.deepEqual(m.counts, { ...want, excludedFta: { genuine: 0, impostor: 0 } }, 'every listed pair scored, LFW faces all found');
  assert.ok(m.auc > 0.95 && m.auc <= 1, `AUC ${m.auc}`);
  const overImages = /^bootstrap over images: this set names no identities \(B=60, seed=1\)/;
  assert.match(m.eer.bootstrap.method, overImages);
  assert.deepEqual([m.eer.bootstrap.unit, m.eer.bootstrap.identities], ['image', made.personOf.size]);
  const t1 = m.tarAtFmr.find((x: { targetFmr: number }) => x.targetFmr === 0.1);
  assert.ok(t1.measurable);
  for (const b of [t1.bootstrap, t1.thresholdBootstrap]) assert.match(b.method, overImages);
  // The budget rule's second bound is the same bootstrap over images.
  const budget = m.thresholds.find((c: { rule: { kind: string; target?: number } }) => c.rule.kind === 'fmr-bound' && c.rule.target === 0.1);
  assert.match(budget.fmrUpperBootstrap.method, /^bootstrap over images: this set names no identities \(B=60, seed=1\), one-sided upper bound/);
  assert.ok(budget.fmrUpper.upper <= 0.1 && budget.fmrUpperBootstrap.upper <= 0.1);
  assert.equal(fs.readFileSync(path.join(out, 'scores.csv'), 'utf8').trim().split('\n').length, 61);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.ok(html.includes('bootstrap over images: this set names no identities'));
  assert.ok(html.includes('TAR@FMR 95% (bootstrap over images)'));
});
