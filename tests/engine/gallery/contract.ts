import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { EnrolVector, GalleryStore } from '../../../engine/gallery/types.js';
import { unitRows } from '../../helpers/vectors.js';

/**
 * The contract every gallery store keeps (engine/gallery/types.ts), run on SQLite (sqlite.test.ts) and on
 * PostgreSQL (postgres.test.ts) with the same expectations: what a replica's mirror, the engine and the API rely on.
 * `open` opens a store on a fresh, empty gallery each time it is called with no location, or reopens `location`.
 */
export interface StoreFactory {
  open(pipelineKey: string, location?: string): Promise<GalleryStore & { location: string }>;
  /** Make every attendance row older by `ms` (the store's own clock decides de-duplication). */
  age(store: GalleryStore, ms: number): Promise<void>;
}

const DIM = 8;
const vecs = (n: number, seed: number): EnrolVector[] => {
  const rows = unitRows(n, DIM, seed);
  return Array.from({ length: n }, (_, k) => ({ vector: rows.slice(k * DIM, (k + 1) * DIM), imageSha256: `sha-${seed}-${k}`, quality: { detScore: 0.9, interEyeDistance: 40 + k } }));
};
const entry = (identityId: number | null, name: string | null = null) => ({ identityId, name, score: identityId ? 0.8 : 0.1, decision: identityId ? ('recognised' as const) : ('unknown' as const), imageSha256: 'ab', latencyMs: 12.5 });
const code = (c: string) => (e: Error & { code?: string }) => e.code === c;

export function galleryContract(kind: string, f: StoreFactory): void {
  const withStore = (name: string, fn: (s: GalleryStore) => Promise<void>) =>
    test(`${kind}: ${name}`, async () => {
      const s = await f.open('key');
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    });

  withStore('enrolment creates a person, adds photos, replaces them, and lists people in byte order with counts', async (s) => {
    const ada = await s.enrol('Ada', vecs(2, 1), false);
    assert.deepEqual([ada.name, ada.vectors], ['Ada', 2]);
    assert.match(ada.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal((await s.enrol('Ada', vecs(1, 2), false)).vectors, 3);
    const again = await s.enrol('Ada', vecs(1, 3), true);
    assert.deepEqual([again.id, again.vectors], [ada.id, 1]);
    await s.enrol('bob', vecs(1, 4), false);
    await s.enrol('Zoë', vecs(1, 5), false);
    assert.deepEqual((await s.identities()).map((i) => [i.name, i.vectors]), [['Ada', 1], ['Zoë', 1], ['bob', 1]].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)));
  });

  withStore('a snapshot gives every vector bit for bit with its quality, and the change number it is current to', async (s) => {
    const empty = await s.snapshot(DIM);
    assert.deepEqual(empty, { seq: 0, identities: [] });
    const sent = vecs(3, 7);
    const ada = await s.enrol('Ada', sent, false);
    const snap = await s.snapshot(DIM);
    assert.ok(snap.seq > 0);
    assert.equal(snap.identities.length, 1);
    const [p] = snap.identities;
    assert.deepEqual([p.id, p.name], [ada.id, 'Ada']);
    assert.deepEqual(p.vectors.map((v) => Array.from(v.vector)), sent.map((v) => Array.from(v.vector)));
    assert.deepEqual(p.vectors.map((v) => v.quality), sent.map((v) => v.quality));
    await assert.rejects(s.snapshot(DIM * 2), code('INTEGRITY'));
  });

  withStore('changes after a number name each person touched as they are now, or gone; none after the last', async (s) => {
    const ada = await s.enrol('Ada', vecs(1, 1), false);
    const bob = await s.enrol('Bob', vecs(1, 2), false);
    const mark = (await s.snapshot(DIM)).seq;
    assert.deepEqual(await s.changesSince(mark, DIM), { seq: mark, changed: [], removed: [] });
    await s.enrol('Ada', vecs(2, 3), false);
    await s.rename('Ada', 'Ada L.');
    await s.remove('Bob');
    const c = await s.changesSince(mark, DIM);
    assert.ok(c.seq >= mark + 3);
    assert.deepEqual(c.changed.map((p) => [p.id, p.name, p.vectors.length]), [[ada.id, 'Ada L.', 3]]);
    assert.deepEqual(c.removed, [bob.id]);
    assert.deepEqual(await s.changesSince(c.seq, DIM), { seq: c.seq, changed: [], removed: [] });
    // From the start, the changes are the whole gallery.
    const all = await s.changesSince(0, DIM);
    assert.deepEqual(all.changed.map((p) => p.name), ['Ada L.']);
  });

  withStore('rename and remove refuse what does not exist or is taken, and change nothing then', async (s) => {
    await s.enrol('Ada', vecs(1, 1), false);
    await s.enrol('Bob', vecs(1, 2), false);
    const seq = (await s.snapshot(DIM)).seq;
    await assert.rejects(s.rename('Ada', 'Bob'), code('CONFLICT'));
    await assert.rejects(s.rename('Nobody', 'X'), code('NOT_FOUND'));
    await assert.rejects(s.remove('Nobody'), code('NOT_FOUND'));
    assert.equal((await s.changesSince(seq, DIM)).changed.length, 0);
    assert.deepEqual((await s.identities()).map((i) => i.name), ['Ada', 'Bob']);
  });

  withStore('check-in: a repeat within the window is the earlier row, unknowns never merge, window 0 logs all, the window passes', async (s) => {
    const ada = await s.enrol('Ada', vecs(1, 1), false);
    const first = await s.checkIn(entry(ada.id, 'Ada'), 60_000);
    assert.equal(first.duplicate, false);
    assert.deepEqual([first.attendance.identityId, first.attendance.name, first.attendance.images, first.attendance.latencyMs, first.attendance.decision], [ada.id, 'Ada', 1, 12.5, 'recognised']);
    assert.ok(Math.abs(first.attendance.distance! - Math.sqrt(2 - 2 * 0.8)) < 1e-12);
    const again = await s.checkIn(entry(ada.id, 'Ada'), 60_000);
    assert.deepEqual([again.duplicate, again.attendance.id], [true, first.attendance.id]);
    assert.equal((await s.checkIn(entry(null), 60_000)).duplicate, false);
    assert.equal((await s.checkIn(entry(null), 60_000)).duplicate, false);
    assert.equal((await s.checkIn(entry(ada.id, 'Ada'), 0)).duplicate, false);
    assert.equal((await s.attendance(100)).length, 4);
    await f.age(s, 120_000);
    assert.equal((await s.checkIn(entry(ada.id, 'Ada'), 60_000)).duplicate, false);
  });

  withStore('check-ins of one person sent at once log one row; enrolments of one name at once make one person', async (s) => {
    const ada = await s.enrol('Ada', vecs(1, 1), false);
    // Every pooled connection opened first, so the check-ins below really run side by side.
    await Promise.all(Array.from({ length: 8 }, () => s.identities()));
    const answers = await Promise.all(Array.from({ length: 6 }, () => s.checkIn(entry(ada.id, 'Ada'), 60_000)));
    assert.equal(answers.filter((a) => !a.duplicate).length, 1);
    assert.equal(new Set(answers.map((a) => a.attendance.id)).size, 1);
    await Promise.all(Array.from({ length: 5 }, (_, k) => s.enrol('Bob', vecs(1, 10 + k), false)));
    assert.deepEqual((await s.identities()).map((i) => [i.name, i.vectors]), [['Ada', 1], ['Bob', 5]]);
  });

  withStore('the log is newest first, bounded, and keeps a deleted person\'s rows without them', async (s) => {
    const ada = await s.enrol('Ada', vecs(2, 1), false);
    for (let k = 0; k < 3; k++) await s.checkIn({ ...entry(null), latencyMs: k }, 0);
    await s.checkIn(entry(ada.id, 'Ada'), 0);
    const rows = await s.attendance(3);
    assert.deepEqual(rows.map((r) => r.decision), ['recognised', 'unknown', 'unknown']);
    assert.ok(rows[0].id > rows[1].id && rows[1].id > rows[2].id);
    assert.ok(!Number.isNaN(Date.parse(rows[0].at)));
    assert.deepEqual([rows[1].images, rows[1].identityId, rows[1].latencyMs], [null, null, 2]);
    await s.remove('Ada');
    const [kept] = await s.attendance(1);
    assert.deepEqual([kept.id, kept.identityId, kept.name, kept.images], [rows[0].id, null, 'Ada', null]);
    // A replica that recognised her just before the deletion reached it logs her by name, without the gone id.
    const late = await s.checkIn(entry(ada.id, 'Ada'), 60_000);
    assert.deepEqual([late.duplicate, late.attendance.identityId, late.attendance.name, late.attendance.decision], [false, null, 'Ada', 'recognised']);
  });

  withStore('the export rows are every vector by name then enrolment, base64 float32 with its photo hash and quality', async (s) => {
    const b = vecs(1, 2);
    const a = vecs(2, 1);
    await s.enrol('Bob', b, false);
    await s.enrol('Ada', a, false);
    const rows = await s.exportRows();
    assert.deepEqual(rows.map((r) => [r.name, r.imageSha256]), [['Ada', 'sha-1-0'], ['Ada', 'sha-1-1'], ['Bob', 'sha-2-0']]);
    assert.equal(rows[0].vector, Buffer.from(a[0].vector.buffer, a[0].vector.byteOffset, a[0].vector.byteLength).toString('base64'));
    assert.deepEqual(rows[2].quality, b[0].quality);
  });

  test(`${kind}: a gallery is pinned to its pipeline: reopened under another, it is refused and left as it was`, async () => {
    const s = await f.open('key-a');
    await s.enrol('Ada', vecs(1, 1), false);
    const location = s.location;
    await s.close();
    await assert.rejects(f.open('key-b', location), code('CONFLICT'));
    const back = await f.open('key-a', location);
    try {
      assert.deepEqual((await back.identities()).map((i) => i.name), ['Ada']);
    } finally {
      await back.close();
    }
  });
}
