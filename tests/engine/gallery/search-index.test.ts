import { test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { GalleryMirror } from '../../../engine/gallery/mirror.js';
import { GalleryIndex, type IndexSettings } from '../../../engine/gallery/search-index.js';
import { SqliteGallery } from '../../../engine/gallery/sqlite.js';
import type { StoredIdentity } from '../../../engine/gallery/types.js';
import { rankIdentities } from '../../../search/vector-index.js';
import { tempWorkspace } from '../../helpers/shared.js';
import { unitRows } from '../../helpers/vectors.js';

const DIM = 16;
const person = (id: number, name: string, n: number, seed: number): StoredIdentity => {
  const v = unitRows(n, DIM, seed);
  return { id, name, vectors: Array.from({ length: n }, (_, k) => ({ vector: v.slice(k * DIM, (k + 1) * DIM), quality: { detScore: 0.5 + 0.1 * k, interEyeDistance: 30 } })) };
};

/** Top identity (name) and score of each query, as the engine ranks them. */
function answers(index: GalleryIndex, queries: Float32Array): Array<[string | null, number]> {
  const ranked = rankIdentities(index.search.search(queries, index.rowsForTop1), index.gallery, 1);
  return Array.from(ranked.identity, (slot, q) => [slot < 0 ? null : index.gallery.identities[slot], ranked.score[q]]);
}

for (const settings of [
  { dim: DIM, aggregation: 'raw', search: 'flat' },
  { dim: DIM, aggregation: 'mean', search: 'flat' },
  { dim: DIM, aggregation: 'quality', search: 'exact' },
] as IndexSettings[]) {
  test(`an index changed person by person answers as one built afresh (${settings.aggregation}, ${settings.search})`, () => {
    let people = Array.from({ length: 40 }, (_, i) => person(i + 1, `p${i}`, 1 + (i % 3), i + 1));
    const live = new GalleryIndex(people, settings);
    const queries = unitRows(60, DIM, 999);
    const steps: Array<{ changed: StoredIdentity[]; removed: number[] }> = [
      { changed: [person(41, 'new', 2, 500)], removed: [] }, // a new person
      { changed: [person(5, 'p4', 4, 501)], removed: [] }, // re-enrolled with other photos
      { changed: [], removed: [1, 17, 40] }, // deleted, among them the first and last rows
      { changed: [{ ...people.find((p) => p.id === 9)!, name: 'p8 renamed' }, person(42, 'another', 1, 502)], removed: [3] },
      { changed: [person(17, 'back', 2, 503)], removed: [] }, // an id seen again (SQLite may reuse the largest)
    ];
    for (const s of steps) {
      live.apply(s.changed, s.removed);
      const gone = new Set([...s.removed, ...s.changed.map((p) => p.id)]);
      people = [...people.filter((p) => !gone.has(p.id)), ...s.changed];
      const fresh = new GalleryIndex(people, settings);
      assert.deepEqual(answers(live, queries), answers(fresh, queries));
      assert.equal(live.search.size, fresh.search.size);
      // Raw rows are the photos themselves: each person's photo finds them (a template of random vectors need not).
      if (settings.aggregation === 'raw') for (const p of people) assert.equal(answers(live, p.vectors[0].vector)[0][0], p.name);
    }
    assert.equal(new GalleryIndex([], settings).search.size, 0);
  });
}

test('removing many people at once (past FAISS in-place removal: emptied and refilled) answers as one built afresh', () => {
  const settings: IndexSettings = { dim: DIM, aggregation: 'raw', search: 'flat' };
  const people = Array.from({ length: 200 }, (_, i) => person(i + 1, `p${i}`, 1, i + 1));
  const live = new GalleryIndex(people, settings);
  const removed = people.filter((p) => p.id % 2 === 0).map((p) => p.id); // 100 people, 100 rows
  const added = [person(1000, 'late', 2, 777)];
  live.apply(added, removed);
  const kept = [...people.filter((p) => p.id % 2 === 1), ...added];
  const queries = unitRows(50, DIM, 4242);
  assert.deepEqual(answers(live, queries), answers(new GalleryIndex(kept, settings), queries));
  assert.equal(live.search.size, 102);
});

test('the mirror names who changed since a version, as they are now, and says when it cannot', async () => {
  const store = SqliteGallery.open(path.join(tempWorkspace(), 'g.db'), 'key');
  const mirror = await GalleryMirror.load(store, 4);
  try {
    const v0 = mirror.currentVersion;
    const ada = await store.enrol('Ada', [{ vector: unitRows(1, 4, 1), imageSha256: 'a', quality: null }], false);
    const bob = await store.enrol('Bob', [{ vector: unitRows(1, 4, 2), imageSha256: 'b', quality: null }], false);
    await mirror.sync();
    await store.remove('Bob');
    await mirror.sync();
    const changed = mirror.changedSince(v0)!;
    assert.deepEqual(changed.map((c) => [c.id, c.person?.name]).sort(), [[ada.id, 'Ada'], [bob.id, undefined]]);
    assert.deepEqual(mirror.changedSince(mirror.currentVersion), []);
    assert.equal(mirror.changedSince(mirror.currentVersion + 1), null);
  } finally {
    mirror.stop();
    await store.close();
  }
});
