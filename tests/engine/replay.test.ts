import { beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../engine/engine.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../../usecases/export-config.js';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

const ws = tempWorkspace();
const run = path.join(ws, 'identify');
beforeAll(async () => {
  const r = await runCli(['identify', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--modes', 'mean', '--bootstrap', '0', '--fpir', '0.1', '--out', run, '--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws]);
  assert.equal(r.code, 0, r.stderr);
});

/** Enrol the run's gallery, then identify every probe (`parallel` at a time) and compare with the run. */
async function replay(workers: number, parallel: number): Promise<void> {
  const config = finalizeConfig(buildDeployConfig({ runDir: run, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fpir=0.1'), userModelsDir: path.join(ws, 'models') }));
  const engine = await Engine.open({ config, gallery: path.join(tempWorkspace(), 'gallery.db'), modelRoot: MODEL_ROOT, workers });
  try {
    const root = path.join(DATA_ROOT, 'lfw-mini');
    const split = JSON.parse(fs.readFileSync(path.join(run, 'split.json'), 'utf8'));
    for (const g of split.gallery) {
      const res = await engine.enrol(g.identity, g.images.map((p: string) => fs.readFileSync(path.join(root, p))));
      assert.equal(res.enrolled, g.images.length, `${g.identity}: every enrolment image gives a face`);
    }
    assert.equal((await engine.identities()).length, split.gallery.length);
    const lines = fs.readFileSync(path.join(run, 'probes-mobilefacenet-mean.csv'), 'utf8').trim().split('\n').slice(1);
    let recognised = 0;
    let unknown = 0;
    for (let i = 0; i < lines.length; i += parallel) {
      const batch = lines.slice(i, i + parallel).map((l) => l.split(','));
      const answers = await Promise.all(batch.map(([image]) => engine.identify(fs.readFileSync(path.join(root, image)))));
      batch.forEach(([image, , top1, score], k) => {
        const got = answers[k];
        const expected = Number(score) >= config.threshold.similarity ? top1 : null;
        assert.equal(got.identity, expected, `${image}: run decided ${expected ?? 'unknown'} (score ${score}), engine ${got.identity ?? 'unknown'} (score ${got.score}); threshold ${config.threshold.similarity}`);
        assert.equal(got.score, Number(score), `${image}: the same score bit for bit`);
        if (expected) recognised++;
        else unknown++;
      });
    }
    assert.ok(recognised > 0 && unknown > 0, 'both decisions occur');
  } finally {
    await engine.close();
  }
}

test('one truth: the engine with the exported config reproduces the identification run probe by probe (lfw-mini)', async () => {
  await replay(0, 1);
});

test('the same bits from embedding workers under concurrent requests (engine serve runs this way)', async () => {
  await replay(2, 8);
});
