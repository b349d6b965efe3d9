import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresGallery } from '../../../engine/gallery/postgres.js';
import type { GalleryStore } from '../../../engine/gallery/types.js';
import { cuttableLink, freePort, startPostgres, viaPort, type TestPostgres } from '../../helpers/postgres.js';
import { unitRows } from '../../helpers/vectors.js';
import { galleryContract } from './contract.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

/** Each store's URL (its `location` hides a password, and the tests need to reach the same database). */
const urls = new WeakMap<GalleryStore, string>();
const open = async (key: string, url?: string) => {
  const u = url ?? (await server.newDatabase());
  const s = await PostgresGallery.open(u, key);
  urls.set(s, u);
  return Object.assign(s, { location: u });
};
async function sql(url: string, text: string, args: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, args)).rows;
  } finally {
    await c.end();
  }
}

galleryContract('PostgreSQL', {
  open: (key, location) => open(key, location),
  age: async (store, ms) => void (await sql(urls.get(store)!, "UPDATE frw_attendance SET at = at - $1 * interval '1 millisecond'", [ms])),
});

const one = (seed: number) => [{ vector: unitRows(1, 8, seed), imageSha256: `s${seed}`, quality: null }];
const until = async (what: string, ok: () => boolean, ms = 1000) => {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
};

test('PostgreSQL: two replicas on one database: a write on one is pushed to the other, whose catch-up gives it', async () => {
  const url = await server.newDatabase();
  // Opened together on an empty database: the schema is created once (the advisory lock), neither fails.
  const [a, b] = await Promise.all([open('key', url), open('key', url)]);
  try {
    let told = 0;
    b.watch(() => told++);
    await until('B listening', () => b.feedConnected());
    const seq = (await b.snapshot(8)).seq;
    told = 0;
    const ada = await a.enrol('Ada', one(1), false);
    await until('B told of the enrolment', () => told > 0);
    const c = await b.changesSince(seq, 8);
    assert.deepEqual(c.changed.map((p) => [p.id, p.name]), [[ada.id, 'Ada']]);
    // Check-ins of one person on both replicas at once (their pools' connections opened first): one row.
    await Promise.all([a, b].flatMap((s) => Array.from({ length: 4 }, () => s.identities())));
    const both = await Promise.all([a, b, a, b].map((s) => s.checkIn({ identityId: ada.id, name: 'Ada', score: 0.9, decision: 'recognised', imageSha256: 'x', latencyMs: 1 }, 60_000)));
    assert.equal(both.filter((r) => !r.duplicate).length, 1);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('PostgreSQL: a replica whose link is cut misses nothing: refused as UNAVAILABLE while cut, told on reconnection, caught up by number', async () => {
  const url = await server.newDatabase();
  const link = await cuttableLink(server.host, server.port);
  const a = await open('key', url);
  const b = await open('key', viaPort(url, link.port));
  try {
    let told = 0;
    b.watch(() => told++);
    await until('B listening', () => b.feedConnected());
    const seq = (await b.snapshot(8)).seq;
    await link.cut();
    await until('B sees its listener gone', () => !b.feedConnected());
    const ada = await a.enrol('Ada', one(1), false); // B is not listening: this notification never reaches it
    await a.rename('Ada', 'Ada L.');
    await assert.rejects(b.identities(), (e: Error & { code?: string }) => e.code === 'UNAVAILABLE' && !e.message.includes('password'));
    told = 0;
    await link.restore();
    const ms = await until('B reconnected and told to catch up', () => told > 0 && b.feedConnected());
    const c = await b.changesSince(seq, 8);
    assert.deepEqual(c.changed.map((p) => [p.id, p.name]), [[ada.id, 'Ada L.']]);
    assert.ok(ms < 1000, `reconnected ${Math.round(ms)} ms after the link came back`);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await link.close();
  }
});

test('PostgreSQL: a server that cannot be reached is UNAVAILABLE at open, naming it without its password', async () => {
  const port = await freePort();
  for (const url of [`postgres://frw:s3cret-pass@127.0.0.1:${port}/nowhere`, `postgres://frw@127.0.0.1:${port}/nowhere?password=s3cret-pass`]) {
    const err = await PostgresGallery.open(url, 'key').then(
      () => assert.fail('opened'),
      (e: Error & { code?: string }) => e,
    );
    assert.equal(err.code, 'UNAVAILABLE');
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.ok(!err.message.includes('s3cret-pass'), err.message);
  }
});

test('PostgreSQL: a connection lost mid-transaction fails that request as UNAVAILABLE, and the store carries on', async () => {
  const url = await server.newDatabase();
  const s = await open('key', url);
  s.watch(() => undefined); // serving, as under a mirror: errors no longer name the database
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  try {
    const ada = await s.enrol('Ada', one(1), false);
    // Another session holds Ada's check-in lock, so the check-in below waits inside its transaction.
    await holder.query('SELECT pg_advisory_lock(873101, $1)', [ada.id]);
    // Its outcome is caught at once: it may fail while the test is still terminating the backends.
    const pending = s.checkIn({ identityId: ada.id, name: 'Ada', score: 0.9, decision: 'recognised', imageSha256: 'x', latencyMs: 1 }, 60_000).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    const waiting = async () => Number((await holder.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'frw-engine' AND wait_event_type = 'Lock'")).rows[0].n);
    for (let i = 0; (await waiting()) === 0; i++) {
      assert.ok(i < 200, 'the check-in never waited on the lock');
      await new Promise((r) => setTimeout(r, 10));
    }
    await holder.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'frw-engine' AND datname = current_database()");
    const failed = await pending;
    assert.ok(failed && failed.code === 'UNAVAILABLE' && !failed.message.includes(url), String(failed));
    assert.deepEqual((await s.identities()).map((i) => i.name), ['Ada']);
    // Values PostgreSQL refuses (a NUL) are the client's mistake, not the server's.
    await assert.rejects(s.remove('A\u0000da'), (e: Error & { code?: string }) => e.code === 'BAD_INPUT');
  } finally {
    await holder.end();
    await s.close();
  }
});
