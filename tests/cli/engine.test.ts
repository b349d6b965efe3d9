import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, lfwImage, tempWorkspace } from '../helpers/shared.js';

test('frw engine keeps its gallery in the workspace (not the current folder): enrol, then check in from a fresh process', async () => {
  const ws = tempWorkspace();
  const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];
  const run = path.join(ws, 'run');
  const ev = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run, ...roots]);
  assert.equal(ev.code, 0, ev.stderr);
  const config = path.join(ws, 'deploy.json');
  const ex = await runCli(['export-config', '--run', run, '--model', 'mobilefacenet', '--rule', 'eer', '--out', config, ...roots]);
  assert.equal(ex.code, 0, ex.stderr);
  const enrol = await runCli(['engine', 'enroll', 'Serena Williams', lfwImage('Serena_Williams', 1), '--config', config, ...roots]);
  assert.equal(enrol.code, 0, enrol.stderr);
  assert.ok(fs.existsSync(path.join(ws, 'engine', 'gallery.db')), 'the gallery is <workspace>/engine/gallery.db');
  const checkin = await runCli(['engine', 'checkin', lfwImage('Serena_Williams', 2), '--config', config, ...roots]);
  assert.equal(checkin.code, 0, checkin.stderr);
  assert.equal(JSON.parse(checkin.stdout).identity, 'Serena Williams');
});
