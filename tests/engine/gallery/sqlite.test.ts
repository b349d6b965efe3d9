import { test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteGallery } from '../../../engine/gallery/sqlite.js';
import { PROJECT_ROOT } from '../../../core/paths.js';
import { tempWorkspace } from '../../helpers/shared.js';
import { galleryContract } from './contract.js';

const Database = createRequire(path.join(PROJECT_ROOT, 'package.json'))('better-sqlite3') as typeof BetterSqlite3;

galleryContract('SQLite', {
  open: async (key, location) => SqliteGallery.open(location ?? path.join(tempWorkspace(), 'g.db'), key),
  age: async (store, ms) => {
    const db = (store as SqliteGallery).db;
    for (const r of db.prepare('SELECT id, at FROM attendance').all() as Array<{ id: number; at: string }>) db.prepare('UPDATE attendance SET at = ? WHERE id = ?').run(new Date(Date.parse(r.at) - ms).toISOString(), r.id);
  },
});

test('SQLite: a gallery made before latency and the change log were recorded gets both; its old rows say null', async () => {
  const file = path.join(tempWorkspace(), 'old.db');
  const db = new Database(file);
  db.exec("CREATE TABLE attendance (id INTEGER PRIMARY KEY, at TEXT NOT NULL, identity_id INTEGER, name TEXT, score REAL, decision TEXT NOT NULL, image_sha256 TEXT NOT NULL); INSERT INTO attendance (at, name, score, decision, image_sha256) VALUES ('2026-01-01T00:00:00.000Z', NULL, NULL, 'no-face', 'cd')");
  db.close();
  const store = SqliteGallery.open(file, 'key');
  try {
    const [old] = await store.attendance(10);
    assert.deepEqual([old.latencyMs, old.distance, old.images, old.decision], [null, null, null, 'no-face']);
    assert.deepEqual(await store.changesSince(0, 4), { seq: 0, changed: [], removed: [] });
  } finally {
    await store.close();
  }
});
