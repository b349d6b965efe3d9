import { test } from 'vitest';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', tempWorkspace()];

test('frw model show counts the shipped GhostFaceNet; count-ghostfacenet reproduces the published FLOPs', async () => {
  const show = await runCli(['model', 'show', 'ghostfacenet-w0.5-s2', ...roots]);
  assert.equal(show.code, 0, show.stderr);
  const card = JSON.parse(show.stdout);
  assert.equal(card.format, 'keras-h5');
  assert.equal(card.cost.parameters, 722_364); // shared/README.md
  // GhostFaceNets (IEEE Access 2023): GhostFaceNetV1 stride 1, 215.65 MFLOPs.
  const count = await runCli(['model', 'count-ghostfacenet', '--width', '1.3', '--stride', '1', ...roots]);
  assert.equal(count.code, 0, count.stderr);
  assert.match(count.stdout, /215\.65 MFLOPs/);
  const bad = await runCli(['model', 'count-ghostfacenet', '--stride', '3', ...roots]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /stride must be 1 or 2/);
});
