import { test } from 'vitest';
import assert from 'node:assert/strict';
import { startCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

/** Start `frw workbench --demo` (what `npm start` runs) and collect its stderr until `until` matches. */
async function serve(ws: string, until: RegExp) {
  const child = startCli(['workbench', '--port', '0', '--demo', '--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws]);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const deadline = Date.now() + 300_000;
  while (!until.test(err) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err)?.[1];
  return { child, err: () => err, url };
}

test('npm start serves the workbench with the demo run ready on a first start, and stops cleanly', async () => {
  const ws = tempWorkspace();
  const first = await serve(ws, /demo ready|demo failed/);
  assert.ok(first.url, first.err());
  assert.match(first.err(), /demo ready: http:\/\/127\.0\.0\.1:\d+\/#\/explorer\?run=lfw-mini-pairs-/);
  const runs = ((await (await fetch(`${first.url}api/runs`)).json()) as { runs: Array<{ dataset: string; models: string[] }> }).runs;
  assert.deepEqual([runs.length, runs[0].dataset, runs[0].models], [1, 'lfw-mini', ['fr-feature']]);
  first.child.kill('SIGTERM');
  assert.equal(await new Promise((r) => first.child.once('exit', r)), 0);

  // A second start finds the run and prepares nothing.
  const second = await serve(ws, /open http/);
  await new Promise((r) => setTimeout(r, 1000));
  assert.doesNotMatch(second.err(), /demo/);
  assert.equal(((await (await fetch(`${second.url}api/jobs`)).json()) as { jobs: unknown[] }).jobs.length, 0);
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
});
