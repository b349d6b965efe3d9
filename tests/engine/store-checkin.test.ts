import { test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { GalleryStore } from '../../engine/store.js';
import { PROJECT_ROOT } from '../../core/paths.js';
import { tempWorkspace } from '../helpers/shared.js';
import { unitRows } from '../helpers/vectors.js';

const Database = createRequire(path.join(PROJECT_ROOT, 'package.json'))('better-sqlite3') as typeof BetterSqlite3;
const entry = (identityId: number | null, decision: 'recognised' | 'unknown' = identityId ? 'recognised' : 'unknown') => ({ identityId, name: identityId ? 'Ada' : null, score: identityId ? 0.8 : 0.1, decision, imageSha256: 'ab', latencyMs: 12.5 });

test('the log drops a repeat of one person within the window, never merges unknowns, and logs everything at window 0', () => {
  const store = GalleryStore.open(path.join(tempWorkspace(), 'g.db'), 'key');
  const ada = store.enrol('Ada', [{ vector: unitRows(1, 4, 1), imageSha256: 'x', quality: null }], false);
  const first = store.checkIn(entry(ada.id), 60_000);
  assert.equal(first.duplicate, false);
  assert.deepEqual([first.attendance.identityId, first.attendance.images, first.attendance.latencyMs], [ada.id, 1, 12.5]);
  assert.ok(Math.abs(first.attendance.distance! - Math.sqrt(2 - 2 * 0.8)) < 1e-12);
  const again = store.checkIn(entry(ada.id), 60_000);
  assert.deepEqual([again.duplicate, again.attendance.id], [true, first.attendance.id]);
  assert.equal(store.checkIn(entry(null), 60_000).duplicate, false);
  assert.equal(store.checkIn(entry(null), 60_000).duplicate, false);
  assert.equal(store.checkIn(entry(ada.id), 0).duplicate, false);
  assert.equal(store.attendance().length, 4);
  // Outside the window (the earlier row made older than it): logged again.
  store.db.prepare('UPDATE attendance SET at = ?').run(new Date(Date.now() - 120_000).toISOString());
  assert.equal(store.checkIn(entry(ada.id), 60_000).duplicate, false);
  store.close();
});

test('a gallery made before latency was recorded gets the column; its old rows say null', () => {
  const file = path.join(tempWorkspace(), 'old.db');
  const db = new Database(file);
  db.exec("CREATE TABLE attendance (id INTEGER PRIMARY KEY, at TEXT NOT NULL, identity_id INTEGER, name TEXT, score REAL, decision TEXT NOT NULL, image_sha256 TEXT NOT NULL); INSERT INTO attendance (at, name, score, decision, image_sha256) VALUES ('2026-01-01T00:00:00.000Z', NULL, NULL, 'no-face', 'cd')");
  db.close();
  const store = GalleryStore.open(file, 'key');
  const [old] = store.attendance();
  assert.deepEqual([old.latencyMs, old.distance, old.images, old.decision], [null, null, null, 'no-face']);
  store.close();
});
