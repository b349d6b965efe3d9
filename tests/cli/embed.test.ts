import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DATASET_KINDS } from '../../datasets/manifest.js';
import { EmbeddingCache } from '../../pipeline/embedding-cache.js';
import { runCli, startCli } from '../helpers/cli.js';
import { DATA_ROOT, lfwImage, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

const roots = (ws: string) => ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];

test('kill -9 mid-run, rerun: only the missing images are computed and nothing is lost', async () => {
  const ws = tempWorkspace();
  const args = ['embed', '--dataset', 'lfw-mini', '--model', 'mobilefacenet', '--json', ...roots(ws)];
  const child = startCli(args);
  const cacheRoot = path.join(ws, 'cache', 'embeddings', 'mobilefacenet');
  // Wait until some batches are durable, then kill without warning.
  const deadline = Date.now() + 120_000;
  let logFile = '';
  while (Date.now() < deadline) {
    const dirs = fs.existsSync(cacheRoot) ? fs.readdirSync(cacheRoot) : [];
    logFile = dirs.length ? EmbeddingCache.logPath(path.join(cacheRoot, dirs[0])) : '';
    if (logFile && fs.existsSync(logFile) && EmbeddingCache.openForRead(path.dirname(logFile)).entries.size >= 40) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const before = EmbeddingCache.openForRead(path.dirname(logFile)).entries.size;
  assert.ok(before >= 40 && before < 191, `killed mid-run with ${before} entries`);
  assert.ok(fs.existsSync(path.join(path.dirname(logFile), 'entries.lock')), 'the dead run left its lock behind');

  const rerun = await runCli(args);
  assert.equal(rerun.code, 0, rerun.stderr);
  const summary = JSON.parse(rerun.stdout);
  assert.equal(summary.cached, before);
  assert.equal(summary.computed, 191 - before);
  assert.equal(summary.embedded + summary.fta.count, 191);
  assert.equal(summary.pending, 0);
});

test('Ctrl-C mid-run: the images not reached are pending, not failures to acquire', async () => {
  const ws = tempWorkspace();
  const child = startCli(['embed', '--dataset', 'lfw-mini', '--model', 'mobilefacenet', '--threads', '1', '--json', ...roots(ws)]);
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const cacheRoot = path.join(ws, 'cache', 'embeddings', 'mobilefacenet');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const dirs = fs.existsSync(cacheRoot) ? fs.readdirSync(cacheRoot) : [];
    const dir = dirs.length ? path.join(cacheRoot, dirs[0]) : '';
    if (dir && fs.existsSync(EmbeddingCache.logPath(dir)) && EmbeddingCache.openForRead(dir).entries.size >= 16) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGINT');
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 130);
  const s = JSON.parse(stdout);
  assert.ok(s.pending > 0 && s.pending < 191, `pending ${s.pending}`);
  assert.equal(s.fta.count, 0, 'lfw-mini has a face in every image: an interruption is no failure to acquire');
  assert.equal(s.images, s.embedded + s.fta.count + s.pending);
});

test('a second model on the same images detects none of them: faces come from the workspace face cache', async () => {
  const ws = tempWorkspace();
  const set = path.join(ws, 'set');
  for (const [name, n] of [['Colin_Powell', 1], ['Colin_Powell', 2], ['Tony_Blair', 1], ['Tony_Blair', 2]] as const) {
    fs.mkdirSync(path.join(set, name), { recursive: true });
    fs.copyFileSync(lfwImage(name, n), path.join(set, name, `${n}.jpg`));
  }
  fs.writeFileSync(path.join(set, 'Tony_Blair', 'notes.jpg'), 'not an image');
  const first = await runCli(['embed', '--dataset', set, '--model', 'fr-feature', ...roots(ws)]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /faces: 0 from the face cache · 4 detected now \(read-write\)/);
  const second = await runCli(['embed', '--dataset', set, '--model', 'mobilefacenet', ...roots(ws)]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /faces: 5 from the face cache · 0 detected now \(read-only\)/);
  assert.match(second.stdout, /failures to acquire 1 \(20\.00%\): not-an-image 1/, 'the failure is counted for this model too');
  assert.ok(fs.readdirSync(path.join(ws, 'cache', 'faces')).length === 1, 'one face cache folder, under the workspace');
});

test('bad arguments exit 2 with a message naming what is wrong', async () => {
  const ws = tempWorkspace();
  const noDataset = await runCli(['embed', '--dataset', 'no-such-set', ...roots(ws)]);
  assert.equal(noDataset.code, 2);
  assert.match(noDataset.stderr, /no-such-set/);
  assert.match(noDataset.stderr, /lfw-mini/, 'lists the datasets that exist');
  const noModel = await runCli(['embed', '--dataset', 'lfw-mini', '--model', 'nope', ...roots(ws)]);
  assert.equal(noModel.code, 2);
  assert.match(noModel.stderr, /no model card "nope"; known: .*fr-feature/);
  const missing = await runCli(['dataset', 'inspect', path.join(ws, 'not-there'), ...roots(ws)]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /not-there/);
  const badSize = await runCli(['embed', '--dataset', 'lfw-mini', '--det-size', '100', ...roots(ws)]);
  assert.equal(badSize.code, 2);
  assert.match(badSize.stderr, /multiple of 32/);
  const badKind = await runCli(['dataset', 'inspect', 'lfw-mini', '--kind', 'folders', ...roots(ws)]);
  assert.deepEqual([badKind.code, badKind.stderr.includes(`--kind must be one of ${DATASET_KINDS.join(', ')}; got "folders"`)], [2, true], badKind.stderr);
  const badPolicy = await runCli(['embed', '--dataset', 'lfw-mini', '--policy', 'biggest', ...roots(ws)]);
  assert.deepEqual([badPolicy.code, /central-largest/.test(badPolicy.stderr)], [2, true], badPolicy.stderr);
});

test('dataset inspect --json and model list --json describe the real data and cards', async () => {
  const ws = tempWorkspace();
  const inspect = await runCli(['dataset', 'inspect', 'five-celeb', '--json', ...roots(ws)]);
  assert.equal(inspect.code, 0, inspect.stderr);
  const s = JSON.parse(inspect.stdout);
  assert.equal(s.images, 118); // five-celeb: 19 + 22 + 26 + 24 + 27 files (find | wc -l)
  const models = await runCli(['model', 'list', '--json', ...roots(ws)]);
  const ids = JSON.parse(models.stdout).map((c: { id: string }) => c.id);
  for (const id of ['fr-feature', 'mobilefacenet', 'human-mobileface', 'scrfd-2.5g', 'scrfd-500m', 'yunet']) assert.ok(ids.includes(id), id);
});
