import { test } from 'vitest';
import assert from 'node:assert/strict';
import { auditGroups, groupSums, templatesOf } from '../../../experiments/audit/groups.js';
import { nearestOtherGroup } from '../../../experiments/audit/neighbours.js';
import { findOutliers, leaveOneOut } from '../../../experiments/audit/outliers.js';
import { createIndexFactory } from '../../../search/indexes.js';
import { close, python } from '../metrics/helpers.js';
import { photos, synthInput, type SynthImage } from './fixtures.js';

// Eight people with 2–6 photos, one of B's photos filed under A, one unknown, one image without a face.
const images: SynthImage[] = [
  ...photos('A', 5),
  { path: 'A/A_0099.jpg', label: 'A', person: 'B' },
  ...photos('B', 4),
  ...photos('C', 6),
  ...photos('D', 2),
  ...photos('E', 3),
  ...photos('F', 3),
  ...photos('G', 4),
  ...photos('H', 1),
  { path: 'unknown/u1.jpg', label: 'unknown', person: 'U', unknown: true },
  { path: 'C/C_0050.jpg', label: 'C', person: 'C', noFace: true },
];
const input = synthInput(images);
const idx = (p: string) => input.manifest.images.findIndex((r) => r.path === p);

test('groups: each identity one group, each unknown image a group of its own; sums and templates from embedded images only', () => {
  const g = auditGroups(input.manifest);
  assert.equal(g.names.length, 9 + 0, 'A–H and one unknown');
  assert.equal(g.unknown[g.groupOf[idx('unknown/u1.jpg')]], 1);
  const c = g.groupOf[idx('C/C_0001.jpg')];
  assert.equal(g.start[c + 1] - g.start[c], 7, 'C holds 7 images, the one without a face included');
  const s = groupSums(input.vectors, input.dim, input.ok, g);
  assert.equal(s.counts[c], 6, 'but 6 embedded');
  const t = templatesOf(s, input.dim);
  let norm = 0;
  for (let k = 0; k < input.dim; k++) norm += t.vectors[c * input.dim + k] ** 2;
  close(norm, 1, 1e-6, 'templates are unit vectors');
});

test('leave-one-out similarity equals the cosine to the normalised mean of the other images (numpy); NaN without others', () => {
  const g = auditGroups(input.manifest);
  const loo = leaveOneOut(input.vectors, input.dim, input.ok, g, groupSums(input.vectors, input.dim, input.ok, g));
  const n = input.manifest.images.length;
  const ref = python(
    `v = inp["v"].reshape(${n}, ${input.dim}); gr = inp["g"].astype(int); ok = inp["ok"] > 0
res = np.full(${n}, np.nan)
for i in range(${n}):
    others = [j for j in range(${n}) if j != i and gr[j] == gr[i] and ok[j]]
    if ok[i] and others and inp["unk"][i] == 0:
        t = v[others].sum(0); t /= np.linalg.norm(t); res[i] = v[i] @ t
out["loo"] = res`,
    { v: Float64Array.from(input.vectors), g: Float64Array.from(g.groupOf), ok: Float64Array.from(input.ok), unk: Float64Array.from(g.groupOf, (x) => g.unknown[x]) },
  );
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(ref.loo[i])) assert.ok(Number.isNaN(loo[i]), `${input.manifest.images[i].path} has no leave-one-out similarity`);
    else close(loo[i], ref.loo[i], 1e-5, input.manifest.images[i].path);
  }
  assert.ok(Number.isNaN(loo[idx('H/H_0001.jpg')]) && Number.isNaN(loo[idx('unknown/u1.jpg')]) && Number.isNaN(loo[idx('C/C_0050.jpg')]));
});

test('the photo filed under the wrong name is the first outlier, flagged, with its true identity as the nearest other', async () => {
  const g = auditGroups(input.manifest);
  const s = groupSums(input.vectors, input.dim, input.ok, g);
  const t = templatesOf(s, input.dim);
  const loo = leaveOneOut(input.vectors, input.dim, input.ok, g, s);
  const nearest = await nearestOtherGroup(input.vectors, input.dim, input.ok, g, t, await createIndexFactory('exact'));
  const f = findOutliers(loo, g, s.counts, nearest, { zCut: 3.5, top: 5 });
  const first = f.ranked[0];
  assert.equal(input.manifest.images[first.image].path, 'A/A_0099.jpg');
  assert.ok(first.flagged && first.zSet <= -3.5, `z ${first.zSet}`);
  assert.equal(g.names[first.nearest!.group], 'B');
  assert.ok(first.closerToOther);
  assert.equal(first.identityImages, 6);
  assert.ok(first.zIdentity !== null && first.zIdentity < -3.5);
  assert.equal(f.flaggedCount, 1, 'nothing else is that far from its identity');
  assert.equal(f.ranked.length, 5, 'unflagged rows fill the ranking up to top');
  assert.ok(f.ranked.slice(1).every((r) => !r.flagged && r.looSimilarity >= first.looSimilarity));
  // Every image's nearest other group is never its own, and D (2 photos) gets no within-identity z.
  nearest.group.forEach((gr, i) => input.ok[i] && assert.notEqual(gr, g.groupOf[i]));
  const dRow = findOutliers(loo, g, s.counts, nearest, { zCut: 3.5, top: 100 }).ranked.find((r) => g.names[r.group] === 'D')!;
  assert.equal(dRow.zIdentity, null);
});

test('a stricter cut flags nothing; a looser one flags more, most unusual first', async () => {
  const g = auditGroups(input.manifest);
  const s = groupSums(input.vectors, input.dim, input.ok, g);
  const loo = leaveOneOut(input.vectors, input.dim, input.ok, g, s);
  const nearest = await nearestOtherGroup(input.vectors, input.dim, input.ok, g, templatesOf(s, input.dim), await createIndexFactory('exact'));
  assert.equal(findOutliers(loo, g, s.counts, nearest, { zCut: 1000, top: 0 }).ranked.length, 0);
  const loose = findOutliers(loo, g, s.counts, nearest, { zCut: 0.5, top: 0 });
  assert.ok(loose.flaggedCount > 1);
  for (let k = 1; k < loose.ranked.length; k++) assert.ok(loose.ranked[k - 1].looSimilarity <= loose.ranked[k].looSimilarity);
});
