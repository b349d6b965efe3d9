import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import { openDataset } from '../../datasets/resolve.js';
import { DEFAULT_FMR_TARGETS, DEFAULT_RULES } from '../../experiments/evaluate.js';
import { defaultPipelines } from '../../pipeline/specs.js';
import { runEvaluation } from '../../usecases/evaluate.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

test('an exact all-pairs pass that would not fit in memory is refused before any embedding, saying what it needs and what fits', async () => {
  const ws = tempWorkspace();
  // The project's workspace for LFW's manifest (hashed once per machine), a fresh one for anything written.
  const cfg = resolveConfig({ dataRoot: DATA_ROOT, modelRoot: MODEL_ROOT }, {});
  const manifest = await openDataset('lfw', cfg, {});
  const spec = { protocol: 'all-pairs' as const, pipelines: defaultPipelines(['mobilefacenet'], false, cfg), seed: 1, evaluation: { fmrTargets: DEFAULT_FMR_TARGETS, rules: DEFAULT_RULES, seed: 1, bootstrap: 0, level: 0.95, view: 'similarity' as const } };
  const embeddingsRoot = path.join(ws, 'cache', 'embeddings');
  const run = runEvaluation(manifest, spec, { embeddingsRoot, modelRoot: MODEL_ROOT, workers: 1, memoryBytes: 2 ** 30 });
  await assert.rejects(run, (e: Error & { code?: string }) => {
    assert.equal(e.code, 'TOO_LARGE');
    assert.match(e.message, /all pairs of 13,233 images are 87,549,528 comparisons: scoring every one exactly needs about 1\.3 GiB of memory \(16 bytes a pair\), more than three quarters of the 1\.0 GiB here; give --impostor-sample N/);
    return true;
  });
  assert.ok(!fs.existsSync(embeddingsRoot), 'refused before any embedding');
});
