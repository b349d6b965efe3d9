import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { FrwError } from '../core/errors.js';
import { PROJECT_ROOT } from '../core/paths.js';
import { scoreToL2Distance } from '../experiments/metrics/distance.js';

/**
 * The engine's persistent gallery and attendance log in SQLite (WAL, synchronous FULL: a committed transaction
 * survives a crash or power loss, so an acknowledged enrolment is never lost). Vectors are float32 BLOBs.
 */
export interface IdentityRow {
  id: number;
  name: string;
  vectors: number;
  createdAt: string;
  updatedAt: string;
}

export interface GalleryExport {
  format: 'fr-workbench-gallery';
  version: 1;
  /** Vectors only mean something under the pipeline that made them. */
  pipelineKey: string;
  identities: Array<{ name: string; vectors: Array<{ imageSha256: string; vector: string; quality: unknown }> }>;
}

export interface AttendanceRow {
  id: number;
  at: string;
  /** The enrolled person's id (null for unknown, no face, or a person deleted since). */
  identityId: number | null;
  name: string | null;
  score: number | null;
  /** L2 distance of the score (sqrt(2 - 2s)), the unit the check-in app shows beside the deployed threshold. */
  distance: number | null;
  decision: 'recognised' | 'unknown' | 'no-face';
  imageSha256: string;
  /** How many photos the person has enrolled now (null when no enrolled person). */
  images: number | null;
  /** The check-in's processing time on the engine, ms (null for rows logged before it was recorded). */
  latencyMs: number | null;
}

/** What a check-in logs; `at` and `id` are the store's. */
export type AttendanceEntry = Pick<AttendanceRow, 'identityId' | 'name' | 'score' | 'decision' | 'imageSha256' | 'latencyMs'>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identities (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (id INTEGER PRIMARY KEY, identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE, image_sha256 TEXT NOT NULL, vector BLOB NOT NULL, quality TEXT, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS vectors_identity ON vectors(identity_id);
CREATE TABLE IF NOT EXISTS attendance (id INTEGER PRIMARY KEY, at TEXT NOT NULL, identity_id INTEGER REFERENCES identities(id) ON DELETE SET NULL, name TEXT, score REAL, decision TEXT NOT NULL, image_sha256 TEXT NOT NULL);
`;

export class GalleryStore {
  private constructor(readonly db: BetterSqlite3.Database) {}

  /** Open (creating) the store and pin it to one pipeline: vectors of another model/preprocessing never mix in. */
  static open(file: string, pipelineKey: string): GalleryStore {
    const Database = createRequire(path.join(PROJECT_ROOT, 'package.json'))('better-sqlite3') as typeof BetterSqlite3;
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    // Galleries made before a column existed get it (NULL in their old rows).
    const cols = (db.prepare('PRAGMA table_info(attendance)').all() as Array<{ name: string }>).map((c) => c.name);
    if (!cols.includes('latency_ms')) db.exec('ALTER TABLE attendance ADD COLUMN latency_ms REAL');
    const row = db.prepare('SELECT value FROM meta WHERE key = ?').get('pipelineKey') as { value: string } | undefined;
    if (row && row.value !== pipelineKey) {
      db.close();
      throw new FrwError('CONFLICT', `gallery ${file} holds vectors of pipeline ${row.value.slice(0, 12)}…, not this config's ${pipelineKey.slice(0, 12)}…; use another gallery or re-enrol`);
    }
    if (!row) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('pipelineKey', pipelineKey);
    return new GalleryStore(db);
  }

  /**
   * Add vectors to a person, creating them if new, in one transaction. With `replace` their old vectors go
   * (re-enrolment). Concurrent enrolments of one name serialise on SQLite's write lock.
   */
  enrol(name: string, vectors: Array<{ vector: Float32Array; imageSha256: string; quality: unknown }>, replace: boolean): IdentityRow {
    const now = new Date().toISOString();
    const tx = this.db.transaction(() => {
      this.db.prepare('INSERT INTO identities (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET updated_at = excluded.updated_at').run(name, now, now);
      const { id } = this.db.prepare('SELECT id FROM identities WHERE name = ?').get(name) as { id: number };
      if (replace) this.db.prepare('DELETE FROM vectors WHERE identity_id = ?').run(id);
      const ins = this.db.prepare('INSERT INTO vectors (identity_id, image_sha256, vector, quality, created_at) VALUES (?, ?, ?, ?, ?)');
      for (const v of vectors) ins.run(id, v.imageSha256, Buffer.from(v.vector.buffer, v.vector.byteOffset, v.vector.byteLength), JSON.stringify(v.quality ?? null), now);
      return id;
    });
    const id = tx.immediate();
    return this.identity(id)!;
  }

  identity(id: number): IdentityRow | undefined {
    return this.db.prepare('SELECT i.id, i.name, i.created_at AS createdAt, i.updated_at AS updatedAt, COUNT(v.id) AS vectors FROM identities i LEFT JOIN vectors v ON v.identity_id = i.id WHERE i.id = ? GROUP BY i.id').get(id) as IdentityRow | undefined;
  }

  identities(): IdentityRow[] {
    return this.db.prepare('SELECT i.id, i.name, i.created_at AS createdAt, i.updated_at AS updatedAt, COUNT(v.id) AS vectors FROM identities i LEFT JOIN vectors v ON v.identity_id = i.id GROUP BY i.id ORDER BY i.name').all() as IdentityRow[];
  }

  /** Every vector with its owner, for building the search index. */
  allVectors(dim: number): Array<{ identityId: number; name: string; vector: Float32Array; quality: { detScore: number; interEyeDistance: number } | null }> {
    const rows = this.db.prepare('SELECT v.identity_id AS identityId, i.name AS name, v.vector AS vector, v.quality AS quality FROM vectors v JOIN identities i ON i.id = v.identity_id ORDER BY v.identity_id, v.id').all() as Array<{ identityId: number; name: string; vector: Buffer; quality: string | null }>;
    return rows.map((r) => {
      if (r.vector.byteLength !== dim * 4) throw new FrwError('INTEGRITY', `a stored vector of ${r.name} has ${r.vector.byteLength / 4} values, the model gives ${dim}`);
      return { identityId: r.identityId, name: r.name, vector: new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)), quality: r.quality ? JSON.parse(r.quality) : null };
    });
  }

  /** Every identity with its vectors (base64 float32) and their quality: a portable gallery file. */
  exportGallery(pipelineKey: string): GalleryExport {
    const rows = this.db.prepare('SELECT i.name AS name, v.image_sha256 AS imageSha256, v.vector AS vector, v.quality AS quality FROM vectors v JOIN identities i ON i.id = v.identity_id ORDER BY i.name, v.id').all() as Array<{ name: string; imageSha256: string; vector: Buffer; quality: string | null }>;
    const byName = new Map<string, GalleryExport['identities'][number]>();
    for (const r of rows) {
      const e = byName.get(r.name) ?? { name: r.name, vectors: [] };
      e.vectors.push({ imageSha256: r.imageSha256, vector: r.vector.toString('base64'), quality: r.quality ? JSON.parse(r.quality) : null });
      byName.set(r.name, e);
    }
    return { format: 'fr-workbench-gallery', version: 1, pipelineKey, identities: [...byName.values()] };
  }

  rename(from: string, to: string): void {
    if (from !== to && this.db.prepare('SELECT 1 FROM identities WHERE name = ?').get(to)) throw new FrwError('CONFLICT', `"${to}" is already enrolled`);
    const r = this.db.prepare('UPDATE identities SET name = ?, updated_at = ? WHERE name = ?').run(to, new Date().toISOString(), from);
    if (r.changes === 0) throw new FrwError('NOT_FOUND', `no enrolled identity "${from}"`);
  }

  remove(name: string): void {
    const r = this.db.prepare('DELETE FROM identities WHERE name = ?').run(name);
    if (r.changes === 0) throw new FrwError('NOT_FOUND', `no enrolled identity "${name}"`);
  }

  logAttendance(row: AttendanceEntry): AttendanceRow {
    return this.checkIn(row, 0).attendance;
  }

  /**
   * Log a check-in, unless the same person was already recognised less than `windowMs` ago: then nothing is logged
   * and their earlier row comes back with `duplicate`. Checked and written in one transaction, so two clients (or
   * two tabs in continuous mode) checking the same person in at once log one row. Unknowns are never merged.
   */
  checkIn(row: AttendanceEntry, windowMs: number): { attendance: AttendanceRow; duplicate: boolean } {
    const tx = this.db.transaction(() => {
      const now = new Date();
      if (windowMs > 0 && row.identityId !== null && row.decision === 'recognised') {
        const since = new Date(now.getTime() - windowMs).toISOString();
        const prev = this.db.prepare("SELECT id FROM attendance WHERE identity_id = ? AND decision = 'recognised' AND at > ? ORDER BY id DESC LIMIT 1").get(row.identityId, since) as { id: number } | undefined;
        if (prev) return { id: prev.id, duplicate: true };
      }
      const r = this.db.prepare('INSERT INTO attendance (at, identity_id, name, score, decision, image_sha256, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?)').run(now.toISOString(), row.identityId, row.name, row.score, row.decision, row.imageSha256, row.latencyMs);
      return { id: Number(r.lastInsertRowid), duplicate: false };
    });
    const { id, duplicate } = tx.immediate();
    return { attendance: this.attendanceRows('WHERE a.id = ?', id)[0], duplicate };
  }

  /** The newest `limit` rows, newest first. */
  attendance(limit = 1000): AttendanceRow[] {
    return this.attendanceRows('ORDER BY a.id DESC LIMIT ?', limit);
  }

  private attendanceRows(tail: string, arg: number): AttendanceRow[] {
    const rows = this.db.prepare(`SELECT a.id, a.at, a.identity_id AS identityId, a.name, a.score, a.decision, a.image_sha256 AS imageSha256, a.latency_ms AS latencyMs, (SELECT COUNT(*) FROM vectors v WHERE v.identity_id = a.identity_id) AS images FROM attendance a ${tail}`).all(arg) as Array<Omit<AttendanceRow, 'distance'>>;
    return rows.map((r) => ({ ...r, images: r.identityId === null ? null : r.images, distance: r.score === null ? null : scoreToL2Distance(r.score) }));
  }

  close(): void {
    this.db.close();
  }
}
