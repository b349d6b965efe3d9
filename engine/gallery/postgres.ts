import pg from 'pg';
import { FrwError } from '../../core/errors.js';
import { ChangeListener } from './pg-listener.js';
import { galleryDbError, isConnectionError, redactUrl } from './pg-errors.js';
import { attendanceRow, groupIdentities, qualityJson, vectorBytes, type RawAttendance } from './rows.js';
import type { AttendanceEntry, AttendanceRow, EnrolVector, FaceQuality, GalleryChanges, GalleryExportRow, GallerySnapshot, GalleryStore, IdentityRow, StoredIdentity } from './types.js';

/**
 * The gallery in PostgreSQL, shared by several engine replicas. Each write is one transaction that also appends to
 * frw_gallery_changes and notifies CHANNEL (delivered at commit). Writers take the change log's table lock first,
 * so change numbers are in commit order — a reader that has seen number N has seen every change before it —
 * at the price of one gallery write at a time, which enrolments (rare, and seconds of embedding each) can pay.
 * Check-ins do not touch the change log and run in parallel.
 *
 * Tables are prefixed frw_ in the connection's search_path: several galleries share one database through
 * `?options=-c%20search_path%3Dsite2` (a schema each).
 */
const CHANNEL = 'frw_gallery_changes';
/** pg_advisory_lock keys: schema creation (two replicas starting at once), and one lock space for check-in de-dup. */
const SCHEMA_LOCK = 873_100;
const CHECKIN_LOCK = 873_101;
/** Every other query: a request fails within this rather than hang on a link that drops packets. */
const QUERY_TIMEOUT_MS = 10_000;
const BULK_READ_TIMEOUT_MS = 15 * 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS frw_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS frw_identities (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS frw_vectors (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, identity_id bigint NOT NULL REFERENCES frw_identities(id) ON DELETE CASCADE, image_sha256 text NOT NULL, vector bytea NOT NULL, quality jsonb, created_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS frw_vectors_identity ON frw_vectors(identity_id);
CREATE TABLE IF NOT EXISTS frw_attendance (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL, identity_id bigint REFERENCES frw_identities(id) ON DELETE SET NULL, name text, score double precision, decision text NOT NULL CHECK (decision IN ('recognised', 'unknown', 'no-face')), image_sha256 text NOT NULL, latency_ms double precision);
CREATE INDEX IF NOT EXISTS frw_attendance_identity_at ON frw_attendance(identity_id, at);
CREATE TABLE IF NOT EXISTS frw_gallery_changes (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, identity_id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now());
`;

// Ids and counts are bigint; JavaScript numbers hold them exactly below 2^53.
const types = { getTypeParser: ((oid: number, format?: string) => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser };

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const IDENTITY_ROWS = 'SELECT i.id, i.name, i.created_at AS "createdAt", i.updated_at AS "updatedAt", COUNT(v.id) AS vectors FROM frw_identities i LEFT JOIN frw_vectors v ON v.identity_id = i.id';
const ATTENDANCE_ROWS = 'SELECT a.id, a.at, a.identity_id AS "identityId", a.name, a.score, a.decision, a.image_sha256 AS "imageSha256", a.latency_ms AS "latencyMs", (SELECT COUNT(*) FROM frw_vectors v WHERE v.identity_id = a.identity_id) AS images FROM frw_attendance a';
const identityRow = (r: Record<string, unknown>) => ({ ...r, createdAt: iso(r.createdAt as Date), updatedAt: iso(r.updatedAt as Date) }) as IdentityRow;
const attendance = (r: Record<string, unknown>) => attendanceRow({ ...r, at: iso(r.at as Date) } as RawAttendance);

export interface PostgresOptions {
  /** Connections in this replica's pool (default 4: check-ins and enrolments; the listener has its own). */
  poolSize?: number;
}

export class PostgresGallery implements GalleryStore {
  readonly kind = 'postgres';
  private listener: ChangeListener | null = null;

  /** Errors name the database while opening (for the operator); once serving they go to API clients, and do not. */
  private serving = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    readonly location: string,
  ) {}

  /** Connect, create the tables if absent, and pin the gallery to one pipeline, as SQLite's store does. */
  static async open(url: string, pipelineKey: string, opts: PostgresOptions = {}): Promise<PostgresGallery> {
    const location = redactUrl(url);
    // Bounded waits: a database behind a link that drops packets fails a request in seconds instead of holding it.
    const clientConfig: pg.ClientConfig = { connectionString: url, types, connectionTimeoutMillis: 5000, query_timeout: QUERY_TIMEOUT_MS, keepAlive: true, keepAliveInitialDelayMillis: 5000, application_name: 'frw-engine' };
    const pool = new pg.Pool({ ...clientConfig, max: opts.poolSize ?? 4 });
    // An idle connection the network or the server dropped: the pool discards it; the next query opens another.
    pool.on('error', () => undefined);
    // A connection lost while checked out emits 'error' on its client too, which would end the process unheard;
    // the query in flight rejects all the same (session maps it and discards the connection).
    pool.on('connect', (c) => c.on('error', () => undefined));
    const store = new PostgresGallery(pool, clientConfig, location);
    try {
      const stored = await store.session(async (c) => {
        await c.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
        try {
          await c.query(SCHEMA);
          await c.query("INSERT INTO frw_meta (key, value) VALUES ('pipelineKey', $1) ON CONFLICT (key) DO NOTHING", [pipelineKey]);
          return (await c.query("SELECT value FROM frw_meta WHERE key = 'pipelineKey'")).rows[0].value as string;
        } finally {
          await c.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]);
        }
      });
      if (stored !== pipelineKey) throw new FrwError('CONFLICT', `gallery ${location} holds vectors of pipeline ${stored.slice(0, 12)}…, not this config's ${pipelineKey.slice(0, 12)}…; use another database or re-enrol`);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return store;
  }

  /** Loaded and serving: from now on errors go to API clients. */
  private get where(): string | null {
    return this.serving ? null : this.location;
  }

  /** One pooled connection for `fn`; a connection that broke is discarded rather than returned to the pool. */
  private async session<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let c: pg.PoolClient;
    try {
      c = await this.pool.connect();
    } catch (e) {
      throw galleryDbError(e, this.where);
    }
    let broken: Error | undefined;
    try {
      return await fn(c);
    } catch (e) {
      const mapped = galleryDbError(e, this.where);
      if (mapped instanceof FrwError && mapped.code === 'UNAVAILABLE') broken = mapped;
      throw mapped;
    } finally {
      c.release(broken);
    }
  }

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    return this.session(async (c) => {
      await c.query(begin);
      try {
        const r = await fn(c);
        await c.query('COMMIT');
        return r;
      } catch (e) {
        // A connection that failed is discarded (the server rolls back); a ROLLBACK would only queue behind it.
        if (!isConnectionError(e)) await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  /** A gallery write: serialised on the change log, recorded in it and notified, all in one transaction. */
  private write<T>(fn: (c: pg.PoolClient) => Promise<{ identityId: number; result: T }>): Promise<T> {
    return this.tx(async (c) => {
      await c.query('LOCK TABLE frw_gallery_changes IN EXCLUSIVE MODE');
      const { identityId, result } = await fn(c);
      const { rows } = await c.query('INSERT INTO frw_gallery_changes (identity_id) VALUES ($1) RETURNING seq', [identityId]);
      await c.query('SELECT pg_notify($1, $2)', [CHANNEL, String(rows[0].seq)]);
      return result;
    });
  }

  enrol(name: string, vectors: EnrolVector[], replace: boolean): Promise<IdentityRow> {
    return this.write(async (c) => {
      const { rows } = await c.query('INSERT INTO frw_identities (name, created_at, updated_at) VALUES ($1, now(), now()) ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at RETURNING id', [name]);
      const id = rows[0].id as number;
      if (replace) await c.query('DELETE FROM frw_vectors WHERE identity_id = $1', [id]);
      await c.query(
        'INSERT INTO frw_vectors (identity_id, image_sha256, vector, quality, created_at) SELECT $1, t.sha, t.vec, t.q::jsonb, now() FROM unnest($2::text[], $3::bytea[], $4::text[]) WITH ORDINALITY AS t(sha, vec, q, n) ORDER BY t.n',
        [id, vectors.map((v) => v.imageSha256), vectors.map((v) => vectorBytes(v.vector)), vectors.map(qualityJson)],
      );
      const row = (await c.query(`${IDENTITY_ROWS} WHERE i.id = $1 GROUP BY i.id`, [id])).rows[0];
      return { identityId: id, result: identityRow(row) };
    });
  }

  async identities(): Promise<IdentityRow[]> {
    // Byte order, as SQLite sorts: the same list whatever the server's collation.
    return this.session(async (c) => (await c.query(`${IDENTITY_ROWS} GROUP BY i.id ORDER BY i.name COLLATE "C"`)).rows.map(identityRow));
  }

  private async people(c: pg.PoolClient, since: number | null, dim: number): Promise<StoredIdentity[]> {
    const filter = since === null ? '' : 'WHERE i.id IN (SELECT identity_id FROM frw_gallery_changes WHERE seq > $1)';
    const args = since === null ? [] : [since];
    // The whole gallery at start can take a while to read (a million people: a minute here): not a request's
    // timeout. A catch-up (since a number) keeps the request timeout, so a stuck one does not hold the next ones.
    const q = (text: string) => c.query(since === null ? ({ text, values: args, query_timeout: BULK_READ_TIMEOUT_MS } as pg.QueryConfig) : { text, values: args });
    const people = (await q(`SELECT i.id, i.name FROM frw_identities i ${filter} ORDER BY i.id`)).rows as Array<{ id: number; name: string }>;
    const rows = (await q(`SELECT v.identity_id AS "identityId", i.name, v.vector, v.quality FROM frw_vectors v JOIN frw_identities i ON i.id = v.identity_id ${filter} ORDER BY v.identity_id, v.id`)).rows as Array<{ identityId: number; name: string; vector: Buffer; quality: FaceQuality | null }>;
    return groupIdentities(rows, dim, people);
  }

  private async lastSeq(c: pg.PoolClient): Promise<number> {
    return (await c.query('SELECT COALESCE(MAX(seq), 0) AS seq FROM frw_gallery_changes')).rows[0].seq as number;
  }

  // REPEATABLE READ: every query of the read sees one snapshot, so vectors and change number agree.
  snapshot(dim: number): Promise<GallerySnapshot> {
    return this.tx(async (c) => ({ seq: await this.lastSeq(c), identities: await this.people(c, null, dim) }), 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  changesSince(seq: number, dim: number): Promise<GalleryChanges> {
    return this.tx(async (c) => {
      const last = await this.lastSeq(c);
      if (last <= seq) return { seq: last, changed: [], removed: [] };
      const touched = (await c.query('SELECT DISTINCT identity_id AS id FROM frw_gallery_changes WHERE seq > $1', [seq])).rows.map((r) => r.id as number);
      const changed = await this.people(c, seq, dim);
      const present = new Set(changed.map((p) => p.id));
      return { seq: last, changed, removed: touched.filter((id) => !present.has(id)) };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  exportRows(): Promise<GalleryExportRow[]> {
    return this.session(async (c) => {
      const { rows } = await c.query('SELECT i.name, v.image_sha256 AS "imageSha256", v.vector, v.quality FROM frw_vectors v JOIN frw_identities i ON i.id = v.identity_id ORDER BY i.name COLLATE "C", v.id');
      return rows.map((r) => ({ name: r.name, imageSha256: r.imageSha256, vector: (r.vector as Buffer).toString('base64'), quality: r.quality }));
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.write(async (c) => {
      if (from !== to && (await c.query('SELECT 1 FROM frw_identities WHERE name = $1', [to])).rowCount) throw new FrwError('CONFLICT', `"${to}" is already enrolled`);
      const { rows } = await c.query('UPDATE frw_identities SET name = $1, updated_at = now() WHERE name = $2 RETURNING id', [to, from]);
      if (rows.length === 0) throw new FrwError('NOT_FOUND', `no enrolled identity "${from}"`);
      return { identityId: rows[0].id as number, result: undefined };
    });
  }

  remove(name: string): Promise<void> {
    return this.write(async (c) => {
      const { rows } = await c.query('DELETE FROM frw_identities WHERE name = $1 RETURNING id', [name]);
      if (rows.length === 0) throw new FrwError('NOT_FOUND', `no enrolled identity "${name}"`);
      return { identityId: rows[0].id as number, result: undefined };
    });
  }

  checkIn(row: AttendanceEntry, windowMs: number): Promise<{ attendance: AttendanceRow; duplicate: boolean }> {
    return this.tx(async (c) => {
      let id: number | undefined;
      const dedupe = windowMs > 0 && row.identityId !== null && row.decision === 'recognised';
      if (dedupe) {
        // Two replicas checking one person in at once: the second waits for the first's commit, then sees its row.
        await c.query('SELECT pg_advisory_xact_lock($1, $2)', [CHECKIN_LOCK, row.identityId! | 0]);
        const prev = await c.query("SELECT id FROM frw_attendance WHERE identity_id = $1 AND decision = 'recognised' AND at > clock_timestamp() - $2 * interval '1 millisecond' ORDER BY id DESC LIMIT 1", [row.identityId, windowMs]);
        id = prev.rows[0]?.id as number | undefined;
      }
      const duplicate = id !== undefined;
      if (!duplicate) {
        // A person another replica deleted a moment ago is logged by name, without the id that no longer exists.
        const ins = await c.query('INSERT INTO frw_attendance (at, identity_id, name, score, decision, image_sha256, latency_ms) VALUES (clock_timestamp(), (SELECT id FROM frw_identities WHERE id = $1), $2, $3, $4, $5, $6) RETURNING id', [row.identityId, row.name, row.score, row.decision, row.imageSha256, row.latencyMs]);
        id = ins.rows[0].id as number;
      }
      return { attendance: attendance((await c.query(`${ATTENDANCE_ROWS} WHERE a.id = $1`, [id])).rows[0]), duplicate };
    });
  }

  attendance(limit: number): Promise<AttendanceRow[]> {
    return this.session(async (c) => (await c.query(`${ATTENDANCE_ROWS} ORDER BY a.id DESC LIMIT $1`, [limit])).rows.map(attendance));
  }

  watch(onChange: () => void, onConnection?: (connected: boolean) => void): void {
    if (this.listener) throw new Error('one watcher per store');
    this.serving = true; // the mirror watches once it has loaded the gallery
    this.listener = new ChangeListener(this.clientConfig, CHANNEL, onChange, onConnection);
    this.listener.start();
  }

  feedConnected(): boolean {
    return this.listener?.connected ?? false;
  }

  async close(): Promise<void> {
    await this.listener?.stop();
    await this.pool.end();
  }
}
