import { FrwError, errorMessage } from '../../core/errors.js';

/**
 * PostgreSQL's failures in the project's vocabulary: a value the client sent that the database refuses (a NUL in a name) is
 * BAD_INPUT; a server that cannot be reached, refuses us, is full, read-only (a standby after fail-over), timed
 * out or went away mid-query is UNAVAILABLE (the request fails, nothing half-written: every write is one
 * transaction; only a COMMIT that timed out leaves the client unsure). Anything else (a bug, a schema someone
 * altered) is left as it is and surfaces as INTERNAL. Names taken or missing are checked by the store itself.
 */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code)) return true;
    // 08: connection exception; 57P0x: the server shutting down or restarting; 28: authentication; 3D000: no database;
    // 53: out of resources (too many connections); 57014: cancelled (timeout); 55P03: lock not available; 40:
    // serialisation failure or deadlock (retryable); 25006: read-only transaction (a standby).
    if (/^(08|57P0|28|53|40)/.test(code) || ['3D000', '57014', '55P03', '25006'].includes(code)) return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Query read timeout/i.test(errorMessage(e));
}

/** Values a client sent that PostgreSQL refuses: a NUL or invalid UTF-8 (22021), an untranslatable character (22P05). */
const CLIENT_VALUE_ERRORS = new Set(['22021', '22P05']);

/**
 * `location` names the database for the operator (opening it, from the CLI or at start); null once serving, when
 * the message goes to API clients, who need not learn the database's host, user or name.
 */
export function galleryDbError(e: unknown, location: string | null): unknown {
  if (e instanceof FrwError) return e;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && CLIENT_VALUE_ERRORS.has(code)) return new FrwError('BAD_INPUT', `the gallery database refused a value: ${errorMessage(e)}`, undefined, { cause: e });
  if (isConnectionError(e)) return new FrwError('UNAVAILABLE', `the gallery database${location ? ` (${location})` : ''} is unavailable: ${errorMessage(e)}`, undefined, { cause: e });
  return e;
}

/** A URL fit for logs and errors: its password replaced, wherever the URL carries one. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (/pass/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
