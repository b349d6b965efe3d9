import { FrwError, errorMessage } from '../../core/errors.js';

/**
 * PostgreSQL's failures in the project's vocabulary: a name taken is CONFLICT; a server that cannot be reached,
 * refuses us, or went away mid-query is UNAVAILABLE (the request fails, nothing half-written: every write is one
 * transaction). Anything else (a bug, a schema someone altered) is left as it is and surfaces as INTERNAL.
 */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code)) return true;
    // 08: connection exception; 57P0x: the server shutting down or restarting; 28: authentication; 3D000: no database.
    if (/^(08|57P0|28)/.test(code) || code === '3D000') return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(errorMessage(e));
}

export function galleryDbError(e: unknown, location: string): unknown {
  if (e instanceof FrwError) return e;
  if (isConnectionError(e)) return new FrwError('UNAVAILABLE', `the gallery database (${location}) cannot be reached: ${errorMessage(e)}`, undefined, { cause: e });
  return e;
}

/** A URL fit for logs and errors: its password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
