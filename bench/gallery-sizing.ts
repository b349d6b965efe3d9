/**
 * The README's sizing table: for galleries of N people (one 512-d vector each, the default model's size), the
 * memory one replica needs (mirror + search index), the time to load it at start and to build the index, the
 * time to apply one enrolment from the change feed, one identification search, and the size of the database — PostgreSQL (the shared gallery) and SQLite
 * (the embedded default). The vectors are random unit vectors: memory, time and bytes depend on how many there are,
 * not on whose faces they are (recognition quality is measured by `frw eval`/`frw identify` on real faces).
 * The peer is the SQLite replica: the PostgreSQL replica's load time as a ratio of it.
 *
 *   node --import tsx bench/gallery-sizing.ts [--sizes 1000,10000,100000] [--dim 512]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from '../core/paths.js';
import { PostgresGallery } from '../engine/gallery/postgres.js';
import { SqliteGallery } from '../engine/gallery/sqlite.js';
import { startPostgres } from './postgres.js';

const argOf = (n: string, d: string) => (process.argv.includes(n) ? process.argv[process.argv.indexOf(n) + 1] : d);
const SIZES = argOf('--sizes', '1000,10000,100000').split(',').map(Number);
const DIM = Number(argOf('--dim', '512'));
const BATCH = 5000;

function randomUnit(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * DIM);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < DIM; d++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      norm += (out[i * DIM + d] = s / 2 ** 32 - 0.5) ** 2;
    }
    for (let d = 0; d < DIM; d++) out[i * DIM + d] /= Math.sqrt(norm);
  }
  return out;
}

const bytes = (v: Float32Array, i: number) => Buffer.from(v.buffer, v.byteOffset + i * DIM * 4, DIM * 4);
const quality = JSON.stringify({ detScore: 0.9, interEyeDistance: 50 });

/** N people straight into the store's tables, in batches (the engine's one-transaction-per-enrolment path would time the writes, not the sizes). */
async function fillPostgres(url: string, n: number): Promise<void> {
  await (await PostgresGallery.open(url, 'sizing')).close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (let b = 0; b < n; b += BATCH) {
    const m = Math.min(BATCH, n - b);
    const v = randomUnit(m, b + 1);
    const names = Array.from({ length: m }, (_, i) => `person-${b + i}`);
    await c.query('BEGIN');
    const ids = (await c.query('INSERT INTO frw_identities (name, created_at, updated_at) SELECT unnest($1::text[]), now(), now() RETURNING id', [names])).rows.map((r) => r.id);
    await c.query("INSERT INTO frw_vectors (identity_id, image_sha256, vector, quality, created_at) SELECT unnest($1::bigint[]), 'sha', unnest($2::bytea[]), $3::jsonb, now()", [ids, Array.from({ length: m }, (_, i) => bytes(v, i)), quality]);
    await c.query('COMMIT');
  }
  await c.query('VACUUM ANALYZE');
  await c.end();
}

function fillSqlite(file: string, n: number): void {
  const store = SqliteGallery.open(file, 'sizing');
  const ins = store.db.prepare('INSERT INTO identities (name, created_at, updated_at) VALUES (?, ?, ?)');
  const vec = store.db.prepare("INSERT INTO vectors (identity_id, image_sha256, vector, quality, created_at) VALUES (?, 'sha', ?, ?, ?)");
  const now = new Date().toISOString();
  for (let b = 0; b < n; b += BATCH) {
    const m = Math.min(BATCH, n - b);
    const v = randomUnit(m, b + 1);
    store.db.transaction(() => {
      for (let i = 0; i < m; i++) vec.run(Number(ins.run(`person-${b + i}`, now, now).lastInsertRowid), bytes(v, i), quality, now);
    })();
  }
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.db.close();
}

interface ReplicaLoad { identities: number; loadS: number; buildS: number; searchMs: number; changeMs: number; firstChangeMs: number; hits: number; queries: number; mirrorMb: number; replicaMb: number; liveMirrorMb: number; liveReplicaMb: number }
const replica = (location: string): ReplicaLoad => JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'gallery-replica-load.ts'), location, String(DIM)], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 1 << 20 }));

const server = await startPostgres();
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'frw-sizing-'));
const rows: string[] = [];
try {
  for (const n of SIZES) {
    const url = await server.newDatabase();
    let t = performance.now();
    await fillPostgres(url, n);
    const fillPg = (performance.now() - t) / 1000;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const pgBytes = Number((await c.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b);
    const emptyBytes = Number((await c.query("SELECT pg_database_size('template1') AS b")).rows[0].b);
    await c.end();
    const file = path.join(ws, `g-${n}.db`);
    t = performance.now();
    fillSqlite(file, n);
    const fillSq = (performance.now() - t) / 1000;
    const sqBytes = fs.statSync(file).size;
    const p = replica(url);
    const s = replica(file);
    if (p.identities !== n || s.identities !== n) throw new Error(`loaded ${p.identities}/${s.identities} of ${n}`);
    const line = { n, pgMb: (pgBytes - emptyBytes) / 2 ** 20, sqliteMb: sqBytes / 2 ** 20, fillPgS: fillPg, fillSqliteS: fillSq, pg: p, sqlite: s, pgLoadOverSqlite: p.loadS / s.loadS };
    console.log(JSON.stringify(line));
    rows.push(`| ${n.toLocaleString('en')} | ${p.liveReplicaMb.toFixed(0)} live, ${p.replicaMb.toFixed(0)} RSS | ${p.loadS.toFixed(2)} s (SQLite ${s.loadS.toFixed(2)} s) | ${p.buildS.toFixed(2)} s | ${p.changeMs.toFixed(1)} ms (first ${p.firstChangeMs.toFixed(0)} ms) | ${p.searchMs.toFixed(2)} ms (${p.hits}/${p.queries}) | ${line.pgMb.toFixed(1)} MB | ${line.sqliteMb.toFixed(1)} MB |`);
  }
} finally {
  await server.stop();
  fs.rmSync(ws, { recursive: true, force: true });
}
console.log(`\n| people (512-d, 1 photo) | replica memory, MB (PostgreSQL) | load at start (PostgreSQL) | index build | one enrolment applied | one search | PostgreSQL size | SQLite size |\n|---|---|---|---|---|---|---|---|\n${rows.join('\n')}`);
