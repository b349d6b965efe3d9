import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../core/paths.js';
import { resolveConfig } from '../../core/config.js';

// On the whole of LFW, in the default workspace like the acceptance test in tests/cli/eval.test.ts (which runs
// first and leaves mobilefacenet's LFW embeddings cached; alone, this test embeds them, about 7 minutes).
test('the threshold-transfer notebook runs on LFW and writes its page: ten folds per target, each with an interval', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'notebooks-ts/threshold-transfer.ts', '--model', 'mobilefacenet', '--targets', '0.01,0.00001'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 900_000 });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith('FMR ≤ 0.01:'));
  assert.ok(line, r.stdout);
  assert.equal(line.split('thresholds ')[1].split(';')[0].trim().split(' ').length, 10);
  const file = path.join(resolveConfig({}, process.env).workspace, 'notebooks', 'threshold-transfer-lfw-mobilefacenet.html');
  const html = fs.readFileSync(file, 'utf8');
  assert.match(html, /held-out FMR \[95%\]/);
  // 1e-5 needs 100,000 impostor pairs on the tuning folds; nine LFW folds have 2,700: said, not hidden.
  assert.match(html, /FMR ≤ 0.00001[\s\S]*?Not measurable/);
  assert.match(html, /vegaEmbed/);
});
