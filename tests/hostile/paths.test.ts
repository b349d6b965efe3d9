/**
 * Links that would lead out of a root (issue 12): a data root holding `etc-link -> /etc`, a dataset holding a link
 * to a file outside it. Paths are checked again after links are resolved; a dataset's link out is a counted problem.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isFrwError } from '../../core/errors.js';
import { resolveInside } from '../../core/paths.js';
import { resolveConfig } from '../../core/config.js';
import { openDataset } from '../../datasets/resolve.js';
import { lfwImage, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';
import { startWorkbench } from '../helpers/workbench.js';

function dataRoot(): string {
  const root = tempWorkspace('frw-hostile-data-');
  const set = path.join(root, 'people');
  for (const who of ['Colin_Powell', 'Tony_Blair']) {
    fs.mkdirSync(path.join(set, who), { recursive: true });
    for (const n of [1, 2]) fs.copyFileSync(lfwImage(who, n), path.join(set, who, `${who}_${n}.jpg`));
  }
  fs.symlinkSync('/etc', path.join(root, 'etc-link'));
  fs.symlinkSync('/etc/hostname', path.join(set, 'Tony_Blair', 'host.jpg'));
  // A link that stays inside the dataset is an ordinary image.
  fs.symlinkSync(path.join(set, 'Colin_Powell', 'Colin_Powell_1.jpg'), path.join(set, 'Colin_Powell', 'again.jpg'));
  return root;
}

test('resolveInside checks the real path: a link under the root that points elsewhere leads nowhere, and the message names no server path', () => {
  const root = dataRoot();
  assert.throws(() => resolveInside(root, 'etc-link/ssl'), (e) => isFrwError(e, 'OUTSIDE_ROOT') && /leads outside its root through a link/.test((e as Error).message) && !(e as Error).message.includes(root));
  assert.throws(() => resolveInside(root, 'etc-link/not-there/x'), (e) => isFrwError(e, 'OUTSIDE_ROOT'), 'a path below a link out, even one that does not exist');
  assert.equal(resolveInside(root, 'people/Colin_Powell'), path.join(root, 'people', 'Colin_Powell'));
  assert.equal(resolveInside(root, 'people/new-file.json'), path.join(root, 'people', 'new-file.json'), 'a path not yet there, under a real folder');
});

test("a dataset's link to a file outside it is a counted problem, never read; a link inside it is an image", async () => {
  const root = dataRoot();
  const cfg = resolveConfig({ dataRoot: root, modelRoot: MODEL_ROOT, workspace: tempWorkspace(), threads: 1 });
  const m = await openDataset('people', cfg);
  assert.deepEqual(m.problems.filter((p) => p.kind === 'outside-root').map((p) => p.path), ['Tony_Blair/host.jpg']);
  assert.ok(m.images.some((i) => i.path === 'Colin_Powell/again.jpg' && i.sha256 !== ''), 'the link inside is probed like any image');
  assert.ok(!m.images.some((i) => i.path === 'Tony_Blair/host.jpg'));
});

test('the workbench neither lists nor registers what a link under the data root points at', async () => {
  const root = dataRoot();
  const wb = await startWorkbench(resolveConfig({ dataRoot: root, modelRoot: MODEL_ROOT, workspace: tempWorkspace(), threads: 1 }));
  try {
    const names = (await wb.get('/api/datasets')).body.datasets.map((d: { name: string }) => d.name);
    assert.deepEqual(names, ['people']);
    const reg = await wb.send('POST', '/api/datasets', { name: 'etc-ssl', path: 'etc-link/ssl', kind: 'folder' });
    assert.deepEqual([reg.status, reg.body.error.code], [403, 'OUTSIDE_ROOT']);
    assert.equal((await wb.get('/api/datasets/etc-link')).status, 403);
    const thumb = await wb.get(`/api/datasets/people/thumbnail?path=${encodeURIComponent('Tony_Blair/host.jpg')}`);
    assert.equal(thumb.status, 404, 'the link is not among the dataset images: nothing is read through it');
  } finally {
    await wb.close();
  }
});
