import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildDeployConfig, finalizeConfig, parseRule } from '../../usecases/export-config.js';
import { parseDeployConfig, verifyConfigFiles } from '../../engine/deploy-config.js';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';
import type { FrwError } from '../../core/errors.js';
import { PROJECT_ROOT } from '../../core/paths.js';

const ws = tempWorkspace();
const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];
const evalRun = path.join(ws, 'eval');
const idRun = path.join(ws, 'identify');
const userModels = path.join(ws, 'models');

beforeAll(async () => {
  const e = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', evalRun, ...roots]);
  assert.equal(e.code, 0, e.stderr);
  const i = await runCli(['identify', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--modes', 'raw,mean', '--bootstrap', '0', '--fpir', '0.1,0.01', '--out', idRun, ...roots]);
  assert.equal(i.code, 0, i.stderr);
});

test('a verification run exports a config that passes the schema and its own content hash', () => {
  const config = finalizeConfig(buildDeployConfig({ runDir: evalRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('eer'), userModelsDir: userModels }));
  const back = parseDeployConfig(JSON.stringify(config), 'deploy.json');
  assert.equal(back.model.sha256, 'e72a5710cce378dc46472b6b845cb90647634f2738d8c3e581735cf195b9866f');
  assert.equal(back.detector?.id, 'scrfd-2.5g');
  assert.equal(back.expected.kind, 'verification');
  const metrics = JSON.parse(fs.readFileSync(path.join(evalRun, 'metrics.json'), 'utf8')).models.mobilefacenet;
  assert.equal(back.threshold.similarity, metrics.eer.threshold, 'the EER threshold of the run, unchanged');
  assert.ok(Math.abs(back.threshold.l2Distance - Math.sqrt(2 - 2 * back.threshold.similarity)) < 1e-12);
  assert.equal(back.pipelineKey, JSON.parse(fs.readFileSync(path.join(evalRun, 'run.json'), 'utf8')).models[0].pipelineKey);
});

test('the budget rule exports the threshold whose upper bound is within the target, or says how many comparisons it takes', () => {
  // lfw-mini: 60 impostor comparisons back FMR <= 5% at 95% only with none accepted (upper bound 1 - 0.05^(1/60) = 4.87%).
  const config = finalizeConfig(buildDeployConfig({ runDir: evalRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fmr-bound=0.05'), userModelsDir: userModels }));
  const back = parseDeployConfig(JSON.stringify(config), 'deploy.json');
  assert.equal(back.rule.kind, 'fmr-bound');
  assert.ok(back.expected.kind === 'verification' && back.expected.fmrUpper !== undefined);
  if (back.expected.kind !== 'verification' || !back.expected.fmrUpper) return;
  assert.deepEqual([back.expected.fmr.estimate, back.expected.fmrUpper.sided], [0, 'upper']);
  assert.ok(Math.abs(back.expected.fmrUpper.upper - (1 - 0.05 ** (1 / 60))) < 1e-12);
  assert.throws(
    () => buildDeployConfig({ runDir: evalRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fmr-bound=0.001'), userModelsDir: userModels }),
    (e: FrwError) => e.code === 'NOT_MEASURABLE' && /at least 2995 impostor comparisons/.test(e.message),
  );
});

test('an identification run exports its FPIR threshold with the gallery size it was measured at', () => {
  const config = finalizeConfig(buildDeployConfig({ runDir: idRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fpir=0.1'), userModelsDir: userModels }));
  const result = JSON.parse(fs.readFileSync(path.join(idRun, 'identification.json'), 'utf8')).results.find((r: { mode: string }) => r.mode === 'mean');
  assert.equal(config.expected.kind, 'identification');
  if (config.expected.kind !== 'identification') return;
  assert.deepEqual(config.expected.gallery, { identities: result.gallery.identities, vectors: result.gallery.vectors });
  assert.equal(config.threshold.similarity, result.fnirAtFpir[0].threshold);
  // lfw-mini has 80 single-image people: FPIR 0.01 needs 100 strangers.
  assert.throws(() => buildDeployConfig({ runDir: idRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fpir=0.01'), userModelsDir: userModels }), (e: FrwError) => e.code === 'NOT_MEASURABLE');
  assert.throws(() => buildDeployConfig({ runDir: idRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fmr=0.1'), userModelsDir: userModels }), (e: FrwError) => e.code === 'BAD_INPUT');
});

test('edited, malformed and unmeasurable configs are refused with what is wrong', () => {
  const config = finalizeConfig(buildDeployConfig({ runDir: evalRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('youden'), userModelsDir: userModels }));
  const edited = { ...config, threshold: { ...config.threshold, similarity: 0.1 } };
  assert.throws(() => parseDeployConfig(JSON.stringify(edited), 'x.json'), (e: FrwError) => e.code === 'INTEGRITY' && /changed after export/.test(e.message));
  const { metric: _m, ...noMetric } = config;
  assert.throws(() => parseDeployConfig(JSON.stringify({ ...noMetric, threshold: { ...config.threshold, similarity: 'high' } }), 'x.json'), (e: FrwError) => {
    assert.equal(e.code, 'BAD_INPUT');
    assert.match(e.message, /must have required property 'metric'/);
    assert.match(e.message, /\/threshold\/similarity must be number/);
    return true;
  });
  assert.throws(() => parseDeployConfig('{not json', 'x.json'), (e: FrwError) => e.code === 'BAD_INPUT');
  // 60 impostor pairs cannot back FMR 1e-3.
  assert.throws(() => buildDeployConfig({ runDir: evalRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fmr=1e-3'), userModelsDir: userModels }), (e: FrwError) => e.code === 'NOT_MEASURABLE');
  assert.throws(() => parseRule('fmr=2'), (e: FrwError) => e.code === 'BAD_INPUT');
});

test('a model file whose bytes differ from the tuned one is refused', async () => {
  const config = finalizeConfig(buildDeployConfig({ runDir: evalRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('eer'), userModelsDir: userModels }));
  await verifyConfigFiles(config, MODEL_ROOT);
  const otherRoot = path.join(tempWorkspace(), 'models');
  fs.mkdirSync(otherRoot);
  for (const f of fs.readdirSync(MODEL_ROOT).filter((n) => fs.statSync(path.join(MODEL_ROOT, n)).isFile())) fs.copyFileSync(path.join(MODEL_ROOT, f), path.join(otherRoot, f));
  fs.appendFileSync(path.join(otherRoot, 'mobilefacenet.onnx'), Buffer.from([1]));
  await assert.rejects(verifyConfigFiles(config, otherRoot), (e: FrwError) => e.code === 'INTEGRITY' && /does not apply/.test(e.message));
});

test('frw export-config writes the file, refuses to overwrite it, and prints the threshold in all three views', async () => {
  const out = path.join(ws, 'deploy.json');
  const r = await runCli(['export-config', '--run', evalRun, '--model', 'mobilefacenet', '--rule', 'best-accuracy', '--out', out, ...roots]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /similarity ≥ .* cosine distance ≤ .* L2 distance ≤/);
  parseDeployConfig(fs.readFileSync(out, 'utf8'), out);
  const again = await runCli(['export-config', '--run', evalRun, '--model', 'mobilefacenet', '--rule', 'best-accuracy', '--out', out, ...roots]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /--force/);
});

test('a hand-set threshold (fixed=<t>) exports with the rates counted from the run’s own scores', () => {
  const config = finalizeConfig(buildDeployConfig({ runDir: evalRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fixed=0.3'), userModelsDir: userModels }));
  const back = parseDeployConfig(JSON.stringify(config), 'deploy.json');
  assert.equal(back.threshold.similarity, 0.3);
  assert.deepEqual(back.rule, { kind: 'fixed', threshold: 0.3, description: 'fixed similarity threshold 0.3 set by hand (accept iff s >= t)' });
  // Independent count from scores.csv: impostors at or above 0.3 are false matches, genuine below it are misses.
  const rows = fs.readFileSync(path.join(evalRun, 'scores.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const scored = rows.filter((r) => r[3] !== 'fta').map((r) => ({ same: r[2] === '1', s: Number(r[3]) }));
  const fm = scored.filter((r) => !r.same && r.s >= 0.3).length;
  const fnm = scored.filter((r) => r.same && r.s < 0.3).length;
  assert.equal(back.expected.kind, 'verification');
  if (back.expected.kind !== 'verification') return;
  assert.equal(back.expected.fmr.estimate, fm / scored.filter((r) => !r.same).length);
  assert.equal(back.expected.fnmr.estimate, fnm / scored.filter((r) => r.same).length);
  assert.throws(() => parseRule('fixed=1.5'), (e: FrwError) => e.code === 'BAD_INPUT');
  assert.throws(() => buildDeployConfig({ runDir: idRun, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fixed=0.3'), userModelsDir: userModels }), (e: FrwError) => e.code === 'BAD_INPUT');
  // A fixed rule without its threshold breaks the schema.
  const { threshold: _t, ...ruleless } = config.rule;
  assert.throws(() => parseDeployConfig(JSON.stringify(finalizeConfig({ ...config, rule: ruleless })), 'x.json'), (e: FrwError) => e.code === 'BAD_INPUT' && /threshold/.test(e.message));
});

test('the schema allows exactly the rule kinds, matching modes and model formats the code defines', async () => {
  const { DEPLOY_RULE_KINDS } = await import('../../engine/deploy-config.js');
  const { MATCH_MODES } = await import('../../search/templates.js');
  const { MODEL_FORMATS } = await import('../../models/card.js');
  const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'engine', 'deploy-config.schema.json'), 'utf8'));
  assert.deepEqual(schema.properties.rule.properties.kind.enum, [...DEPLOY_RULE_KINDS]);
  assert.deepEqual(schema.properties.aggregation.enum, [...MATCH_MODES]);
  assert.deepEqual(schema.definitions.card.properties.format.enum, [...MODEL_FORMATS]);
});
