/**
 * The check-in app's client of the engine's /v1 API. The API key is typed once per browser session and kept in
 * sessionStorage (gone when the tab closes); it travels only as the X-API-Key header, never in a URL. Response
 * types are the engine's own (type-only imports, erased by the bundler).
 */
import type { EnrolResult, PhotoVerdict, Recognition } from '../../engine.js';
import type { AttendanceRow, IdentityRow } from '../../gallery/types.js';

export type { EnrolResult, PhotoVerdict, Recognition, AttendanceRow, IdentityRow };
export type CheckinResult = Recognition & { attendance: AttendanceRow | null; duplicate: boolean };

const KEY = 'frw-engine-api-key';

export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (key: string): void => sessionStorage.setItem(KEY, key),
  clear: (): void => sessionStorage.removeItem(KEY),
};

/** An error the engine answered ({error: {code, message, details}}), or a network failure (code NETWORK). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Said by every call that met a 401: the app asks for the key again. */
export const UNAUTHORIZED_EVENT = 'frw-unauthorized';

async function call<T>(method: string, route: string, body?: FormData | object): Promise<T> {
  const headers: Record<string, string> = { 'x-api-key': apiKey.get() ?? '' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(`/v1${route}`, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `the engine could not be reached: ${(e as Error).message}`);
  }
  if (res.status === 204) return undefined as T;
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
    const err = json?.error ?? {};
    throw new ApiError(res.status, err.code ?? 'HTTP', err.message ?? `HTTP ${res.status}`, err.details);
  }
  return json as T;
}

const images = (photos: Blob[], fields: Record<string, string> = {}): FormData => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  photos.forEach((p, i) => f.append('image', p, p instanceof File ? p.name : `frame-${i + 1}.jpg`));
  return f;
};

export const api = {
  checkin: (photo: Blob, opts: { dedupeS?: number; logNoFace?: boolean } = {}) =>
    call<CheckinResult>('POST', '/checkin', images([photo], { dedupe_s: String(opts.dedupeS ?? 0), log_no_face: String(opts.logNoFace ?? true) })),
  enrol: (name: string, photos: Blob[]) => call<EnrolResult>('POST', '/enroll', images(photos, { name })),
  identities: () => call<{ identities: IdentityRow[] }>('GET', '/identities'),
  rename: (from: string, to: string) => call<{ ok: true }>('PATCH', `/identities/${encodeURIComponent(from)}`, { name: to }),
  remove: (name: string) => call<void>('DELETE', `/identities/${encodeURIComponent(name)}`),
  attendance: (limit = 200) => call<{ attendance: AttendanceRow[] }>('GET', `/attendance?limit=${limit}`),
  /** Any authenticated call proves the key: the smallest one. */
  checkKey: () => call<{ attendance: AttendanceRow[] }>('GET', '/attendance?limit=1'),
};

export const fmt = {
  num: (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? '—' : x.toFixed(digits)),
  ms: (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x)} ms`),
  time: (iso: string) => new Date(iso).toLocaleTimeString(),
};
