import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../engine/engine.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../../engine/export.js';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

test('one truth: the engine with the exported config reproduces the identification run probe by probe (lfw-mini)', async () => {
  const ws = tempWorkspace();
  const run = path.join(ws, 'identify');
  const r = await runCli(['identify', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--modes', 'mean', '--bootstrap', '0', '--fpir', '0.1', '--out', run, '--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws]);
  assert.equal(r.code, 0, r.stderr);
  const config = finalizeConfig(buildDeployConfig({ runDir: run, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fpir=0.1'), userModelsDir: path.join(ws, 'models') }));
  const engine = await Engine.open({ config, galleryFile: path.join(ws, 'gallery.db'), modelRoot: MODEL_ROOT });
  try {
    const root = path.join(DATA_ROOT, 'lfw-mini');
    const split = JSON.parse(fs.readFileSync(path.join(run, 'split.json'), 'utf8'));
    for (const g of split.gallery) {
      const res = await engine.enrol(g.identity, g.images.map((p: string) => fs.readFileSync(path.join(root, p))));
      assert.equal(res.enrolled, g.images.length, `${g.identity}: every enrolment image gives a face`);
    }
    assert.equal(engine.identities().length, split.gallery.length);
    const lines = fs.readFileSync(path.join(run, 'probes-mobilefacenet-mean.csv'), 'utf8').trim().split('\n').slice(1);
    let recognised = 0;
    let unknown = 0;
    for (const line of lines) {
      const [image, , top1, score] = line.split(',');
      const expected = Number(score) >= config.threshold.similarity ? top1 : null;
      const got = await engine.identify(fs.readFileSync(path.join(root, image)));
      assert.equal(got.identity, expected, `${image}: run decided ${expected ?? "unknown"} (score ${score}), engine ${got.identity ?? "unknown"} (score ${got.score}); threshold ${config.threshold.similarity}`);
      assert.equal(got.score, Number(score), `${image}: the same score bit for bit`);
      if (expected) recognised++;
      else unknown++;
    }
    assert.ok(recognised > 0 && unknown > 0, 'both decisions occur');
  } finally {
    await engine.close();
  }
});
