import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makePairOnlySet } from '../helpers/pair-set.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

const roots = (ws: string) => ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];

test('frw dataset inspect on a pair-only folder: the layout, its pair count and every problem; --pairs names the sheet', async () => {
  const ws = tempWorkspace();
  const made = makePairOnlySet(path.join(ws, 'flat'), { same: 3, different: 4 }, 'verified.csv');
  fs.appendFileSync(made.sheet, 'img001.jpg,absent.jpg,Yes\n../escape.jpg,img002.jpg,No\n');
  // Two pair sheets side by side: detection will not guess, the flag decides.
  fs.writeFileSync(path.join(made.dir, 'draft.csv'), 'img1,img2,match\nimg001.jpg,img002.jpg,1\n');
  const guessed = await runCli(['dataset', 'inspect', made.dir, ...roots(ws)]);
  assert.equal(guessed.code, 2);
  assert.match(guessed.stderr, /several pair sheets \(draft\.csv, verified\.csv\): name one with --pairs/);

  const r = await runCli(['dataset', 'inspect', made.dir, '--pairs', 'verified.csv', ...roots(ws)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^flat \(pairs: a flat image folder and a pair sheet\)/);
  assert.match(r.stdout, new RegExp(`images {6}${made.personOf.size} \\(${made.personOf.size} decodable`));
  assert.match(r.stdout, /identities {2}none named/);
  assert.match(r.stdout, /pairs {7}7 \(3 same, 4 different\) from verified\.csv/);
  assert.match(r.stdout, /problems {4}2\n {2}bad-row \(1\)\n {4}verified\.csv:10: path "\.\.\/escape\.jpg" is outside the dataset folder\n {2}missing-file \(1\)\n {4}absent\.jpg: named on verified\.csv:9/);

  const json = await runCli(['dataset', 'inspect', made.dir, '--pairs', 'verified.csv', '--json', ...roots(ws)]);
  const s = JSON.parse(json.stdout);
  assert.deepEqual([s.kind, s.identitiesNamed, s.pairs.total, s.problems.length], ['pairs', false, 7, 2]);

  const wrong = await runCli(['dataset', 'inspect', made.dir, '--pairs', 'verified.csv', '--kind', 'folder', ...roots(ws)]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /a pair sheet \(--pairs\) makes a pairs dataset; --kind says folder/);
});
