import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { FrwError } from '../../core/errors.js';
import { PROJECT_ROOT } from '../../core/paths.js';
import { attendanceRow, groupIdentities, qualityJson, vectorBytes, type RawAttendance } from './rows.js';
import type { AttendanceEntry, AttendanceRow, EnrolVector, GalleryChanges, GalleryExportRow, GallerySnapshot, GalleryStore, IdentityRow, StoredIdentity } from './types.js';

/**
 * The gallery in one SQLite file, the embedded default (WAL, synchronous FULL: a committed transaction survives a
 * crash or power loss, so an acknowledged enrolment is never lost). Vectors are float32 BLOBs. SQLite has one
 * writer at a time, so change numbers (AUTOINCREMENT) are in commit order as the contract asks.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identities (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (id INTEGER PRIMARY KEY, identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE, image_sha256 TEXT NOT NULL, vector BLOB NOT NULL, quality TEXT, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS vectors_identity ON vectors(identity_id);
CREATE TABLE IF NOT EXISTS attendance (id INTEGER PRIMARY KEY, at TEXT NOT NULL, identity_id INTEGER REFERENCES identities(id) ON DELETE SET NULL, name TEXT, score REAL, decision TEXT NOT NULL, image_sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS gallery_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, identity_id INTEGER NOT NULL, at TEXT NOT NULL);
`;

const IDENTITY_ROWS = 'SELECT i.id, i.name, i.created_at AS createdAt, i.updated_at AS updatedAt, COUNT(v.id) AS vectors FROM identities i LEFT JOIN vectors v ON v.identity_id = i.id';
const ATTENDANCE_ROWS = 'SELECT a.id, a.at, a.identity_id AS identityId, a.name, a.score, a.decision, a.image_sha256 AS imageSha256, a.latency_ms AS latencyMs, (SELECT COUNT(*) FROM vectors v WHERE v.identity_id = a.identity_id) AS images FROM attendance a';

export class SqliteGallery implements GalleryStore {
  readonly kind = 'sqlite';
  private constructor(
    readonly db: BetterSqlite3.Database,
    readonly location: string,
  ) {}

  /** Open (creating) the store and pin it to one pipeline: vectors of another model/preprocessing never mix in. */
  static open(file: string, pipelineKey: string): SqliteGallery {
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
    return new SqliteGallery(db, path.resolve(file));
  }

  private changed(identityId: number, at: string): void {
    this.db.prepare('INSERT INTO gallery_changes (identity_id, at) VALUES (?, ?)').run(identityId, at);
  }

  async enrol(name: string, vectors: EnrolVector[], replace: boolean): Promise<IdentityRow> {
    const now = new Date().toISOString();
    const tx = this.db.transaction(() => {
      this.db.prepare('INSERT INTO identities (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET updated_at = excluded.updated_at').run(name, now, now);
      const { id } = this.db.prepare('SELECT id FROM identities WHERE name = ?').get(name) as { id: number };
      if (replace) this.db.prepare('DELETE FROM vectors WHERE identity_id = ?').run(id);
      const ins = this.db.prepare('INSERT INTO vectors (identity_id, image_sha256, vector, quality, created_at) VALUES (?, ?, ?, ?, ?)');
      for (const v of vectors) ins.run(id, v.imageSha256, vectorBytes(v.vector), qualityJson(v), now);
      this.changed(id, now);
      return id;
    });
    const id = tx.immediate();
    return this.db.prepare(`${IDENTITY_ROWS} WHERE i.id = ? GROUP BY i.id`).get(id) as IdentityRow;
  }

  async identities(): Promise<IdentityRow[]> {
    return this.db.prepare(`${IDENTITY_ROWS} GROUP BY i.id ORDER BY i.name`).all() as IdentityRow[];
  }

  /** Everyone, or those changed after a change number, with their vectors. */
  private people(since: number | null, dim: number): StoredIdentity[] {
    const filter = since === null ? '' : 'WHERE i.id IN (SELECT identity_id FROM gallery_changes WHERE seq > ?)';
    const args = since === null ? [] : [since];
    const people = this.db.prepare(`SELECT i.id, i.name FROM identities i ${filter} ORDER BY i.id`).all(...args) as Array<{ id: number; name: string }>;
    const rows = this.db.prepare(`SELECT v.identity_id AS identityId, i.name AS name, v.vector AS vector, v.quality AS quality FROM vectors v JOIN identities i ON i.id = v.identity_id ${filter} ORDER BY v.identity_id, v.id`).all(...args) as Array<{ identityId: number; name: string; vector: Buffer; quality: string | null }>;
    return groupIdentities(rows.map((r) => ({ ...r, quality: r.quality ? JSON.parse(r.quality) : null })), dim, people);
  }

  private lastSeq(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM gallery_changes').get() as { seq: number }).seq;
  }

  async snapshot(dim: number): Promise<GallerySnapshot> {
    // One read transaction: the vectors and the change number are of the same moment.
    return this.db.transaction(() => ({ seq: this.lastSeq(), identities: this.people(null, dim) }))();
  }

  async changesSince(seq: number, dim: number): Promise<GalleryChanges> {
    return this.db.transaction(() => {
      const touched = (this.db.prepare('SELECT DISTINCT identity_id AS id FROM gallery_changes WHERE seq > ?').all(seq) as Array<{ id: number }>).map((r) => r.id);
      const last = this.lastSeq();
      if (touched.length === 0) return { seq: last, changed: [], removed: [] };
      const changed = this.people(seq, dim);
      const present = new Set(changed.map((c) => c.id));
      return { seq: last, changed, removed: touched.filter((id) => !present.has(id)) };
    })();
  }

  async exportRows(): Promise<GalleryExportRow[]> {
    const rows = this.db.prepare('SELECT i.name AS name, v.image_sha256 AS imageSha256, v.vector AS vector, v.quality AS quality FROM vectors v JOIN identities i ON i.id = v.identity_id ORDER BY i.name, v.id').all() as Array<{ name: string; imageSha256: string; vector: Buffer; quality: string | null }>;
    return rows.map((r) => ({ name: r.name, imageSha256: r.imageSha256, vector: r.vector.toString('base64'), quality: r.quality ? JSON.parse(r.quality) : null }));
  }

  async rename(from: string, to: string): Promise<void> {
    this.db.transaction(() => {
      if (from !== to && this.db.prepare('SELECT 1 FROM identities WHERE name = ?').get(to)) throw new FrwError('CONFLICT', `"${to}" is already enrolled`);
      const now = new Date().toISOString();
      const row = this.db.prepare('UPDATE identities SET name = ?, updated_at = ? WHERE name = ? RETURNING id').get(to, now, from) as { id: number } | undefined;
      if (!row) throw new FrwError('NOT_FOUND', `no enrolled identity "${from}"`);
      this.changed(row.id, now);
    }).immediate();
  }

  async remove(name: string): Promise<void> {
    this.db.transaction(() => {
      const row = this.db.prepare('DELETE FROM identities WHERE name = ? RETURNING id').get(name) as { id: number } | undefined;
      if (!row) throw new FrwError('NOT_FOUND', `no enrolled identity "${name}"`);
      this.changed(row.id, new Date().toISOString());
    }).immediate();
  }

  async checkIn(row: AttendanceEntry, windowMs: number): Promise<{ attendance: AttendanceRow; duplicate: boolean }> {
    const tx = this.db.transaction(() => {
      const now = new Date();
      if (windowMs > 0 && row.identityId !== null && row.decision === 'recognised') {
        const since = new Date(now.getTime() - windowMs).toISOString();
        const prev = this.db.prepare("SELECT id FROM attendance WHERE identity_id = ? AND decision = 'recognised' AND at > ? ORDER BY id DESC LIMIT 1").get(row.identityId, since) as { id: number } | undefined;
        if (prev) return { id: prev.id, duplicate: true };
      }
      // A person deleted a moment ago (by another process) is logged by name, without the id that no longer exists.
      const r = this.db.prepare('INSERT INTO attendance (at, identity_id, name, score, decision, image_sha256, latency_ms) VALUES (?, (SELECT id FROM identities WHERE id = ?), ?, ?, ?, ?, ?)').run(now.toISOString(), row.identityId, row.name, row.score, row.decision, row.imageSha256, row.latencyMs);
      return { id: Number(r.lastInsertRowid), duplicate: false };
    });
    const { id, duplicate } = tx.immediate();
    return { attendance: attendanceRow(this.db.prepare(`${ATTENDANCE_ROWS} WHERE a.id = ?`).get(id) as RawAttendance), duplicate };
  }

  async attendance(limit: number): Promise<AttendanceRow[]> {
    return (this.db.prepare(`${ATTENDANCE_ROWS} ORDER BY a.id DESC LIMIT ?`).all(limit) as RawAttendance[]).map(attendanceRow);
  }

  watch(): void {
    // One file: writers on this host are seen by polling changesSince (engine/gallery/mirror.ts).
  }

  feedConnected(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
