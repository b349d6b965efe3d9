import { test } from 'vitest';
import assert from 'node:assert/strict';
import { auditGroups, groupSums, templatesOf } from '../../../experiments/audit/groups.js';
import { findIdentityPairs } from '../../../experiments/audit/identity-pairs.js';
import { imageNeighbours } from '../../../experiments/audit/neighbours.js';
import { dot } from '../../../search/dot.js';
import { createIndexFactory } from '../../../search/indexes.js';
import { photos, synthInput } from './fixtures.js';

// Forty people; P07 also filed as "P07_alias" (one person, two names); an unknown photo of P12.
const people = Array.from({ length: 40 }, (_, k) => `P${String(k).padStart(2, '0')}`);
const input = synthInput([
  ...people.flatMap((p, k) => photos(p, 1 + (k % 4))),
  ...photos('P07', 3, 'P07_alias', 50),
  { path: 'unknown/visitor.jpg', label: 'unknown', person: 'P12', unknown: true },
  { path: 'unknown/stranger.jpg', label: 'unknown', person: 'nobody', unknown: true },
]);

async function pairs(level: number, top = 5) {
  const g = auditGroups(input.manifest);
  const t = templatesOf(groupSums(input.vectors, input.dim, input.ok, g), input.dim);
  const make = await createIndexFactory('exact');
  const nb = await imageNeighbours(input.vectors, input.dim, input.ok, 5, make);
  return { g, t, f: await findIdentityPairs(input.vectors, input.dim, input.ok, g, t, nb, make, { level, top, templateK: 5 }) };
}

test('one person under two names ranks first among identity pairs; the unknown photo of an enrolled person first among unknowns', async () => {
  const { g, f } = await pairs(0.8);
  const first = f.known.ranked[0];
  assert.deepEqual([g.names[first.a], g.names[first.b]].sort(), ['P07', 'P07_alias']);
  assert.ok(first.flagged && first.templateSimilarity >= 0.8, String(first.templateSimilarity));
  assert.equal(f.known.flaggedCount, 1, 'no two different people are that alike');
  assert.ok(f.known.ranked.every((r) => !r.unknownSide));
  const u = f.unknown.ranked[0];
  assert.deepEqual([g.names[u.a], g.names[u.b]].sort(), ['P12', 'unknown/visitor.jpg']);
  assert.ok(u.unknownSide && u.flagged);
  assert.equal(f.unknown.flaggedCount, 1, 'the stranger matches nobody');
  for (let k = 1; k < f.known.ranked.length; k++) assert.ok(f.known.ranked[k - 1].templateSimilarity >= f.known.ranked[k].templateSimilarity);
  assert.equal(f.known.ranked.length, 5, 'unflagged pairs fill the ranking up to top');
});

test('each candidate is measured exactly: template cosine and the closest image pair over every image of both', async () => {
  const { g, t, f } = await pairs(0.8, 30);
  const { vectors, dim, ok } = input;
  const members = (x: number) => Array.from(g.members.subarray(g.start[x], g.start[x + 1])).filter((i) => ok[i]);
  for (const r of [...f.known.ranked, ...f.unknown.ranked]) {
    assert.ok(r.a < r.b);
    assert.ok(Math.abs(r.templateSimilarity - dot(t.vectors, r.a * dim, t.vectors, r.b * dim, dim)) < 1e-9);
    let best = -Infinity;
    for (const i of members(r.a)) for (const j of members(r.b)) best = Math.max(best, dot(vectors, i * dim, vectors, j * dim, dim));
    assert.equal(r.closest.similarity, best);
    assert.equal(dot(vectors, r.closest.imageA * dim, vectors, r.closest.imageB * dim, dim), best);
    assert.equal(g.groupOf[r.closest.imageA], r.a);
    assert.equal([r.imagesA, r.imagesB].join(), [members(r.a).length, members(r.b).length].join());
  }
  // A level no pair reaches flags none, and the ranking is still given.
  const none = (await pairs(1.01)).f;
  assert.equal(none.known.flaggedCount + none.unknown.flaggedCount, 0);
  assert.equal(none.known.ranked.length, 5);
});
