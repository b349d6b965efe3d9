import crypto from 'node:crypto';
import fs from 'node:fs';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { FrwError, type ErrorCode } from './errors.js';
import type { Logger } from './log.js';

/** The one place FrwError codes become HTTP statuses. */
export const STATUS: Record<ErrorCode, number> = {
  BAD_INPUT: 400,
  NOT_FOUND: 404,
  OUTSIDE_ROOT: 403,
  UNSUPPORTED: 415,
  MODEL_MISMATCH: 422,
  INTEGRITY: 409,
  CONFLICT: 409,
  EMPTY_INPUT: 422,
  NOT_MEASURABLE: 422,
  NOT_COMPARABLE: 422,
  UNAUTHORIZED: 401,
  TOO_LARGE: 413,
  CANCELLED: 409,
  UNAVAILABLE: 502,
  RATE_LIMITED: 429,
  NOT_READY: 503,
  INTERNAL: 500,
};

/** multer's limits and form errors, each a client mistake with its code. */
const MULTER: Record<string, { code: ErrorCode; message: string }> = {
  LIMIT_FILE_SIZE: { code: 'TOO_LARGE', message: 'upload over the size cap' },
  LIMIT_FILE_COUNT: { code: 'TOO_LARGE', message: 'too many files in one request' },
  LIMIT_PART_COUNT: { code: 'TOO_LARGE', message: 'too many parts in the form' },
  LIMIT_FIELD_COUNT: { code: 'TOO_LARGE', message: 'too many fields in the form' },
  LIMIT_FIELD_VALUE: { code: 'TOO_LARGE', message: 'a form field is over its size cap' },
  LIMIT_FIELD_KEY: { code: 'TOO_LARGE', message: 'a form field name is too long' },
  LIMIT_UNEXPECTED_FILE: { code: 'BAD_INPUT', message: 'a file in a field this route does not take, or more files than it takes' },
  LIMIT_FIELD_NESTING: { code: 'BAD_INPUT', message: 'nested form field names are not taken' },
  LIMIT_FIELD_ARRAY_INDEX: { code: 'BAD_INPUT', message: 'form field names with array indices are not taken' },
  INVALID_FIELD_NAME: { code: 'BAD_INPUT', message: 'a form field name is not valid' },
  MISSING_FIELD_NAME: { code: 'BAD_INPUT', message: 'a form part has no field name' },
};

/** body-parser's errors (express.json, express.text), by their `type`. */
const BODY: Record<string, { code: ErrorCode; message: string }> = {
  'entity.parse.failed': { code: 'BAD_INPUT', message: 'malformed JSON body' },
  'entity.too.large': { code: 'TOO_LARGE', message: 'request body over its size cap' },
  'entity.verify.failed': { code: 'BAD_INPUT', message: 'request body refused' },
  'encoding.unsupported': { code: 'UNSUPPORTED', message: 'unsupported content encoding' },
  'charset.unsupported': { code: 'UNSUPPORTED', message: 'unsupported charset' },
  'request.aborted': { code: 'BAD_INPUT', message: 'the request was aborted before its body arrived' },
  'request.size.invalid': { code: 'BAD_INPUT', message: 'the body is not the length its header says' },
};

/**
 * Any error thrown while handling a request, as an FrwError when it is the client's doing (multipart, URI, body
 * size, JSON), so it is answered 4xx with a code; null for a fault of ours.
 */
export function clientErrorOf(err: unknown): FrwError | null {
  if (err instanceof FrwError) return err;
  const e = err as { name?: string; code?: string; type?: string; status?: number; message?: string };
  if (e?.name === 'MulterError' && e.code && MULTER[e.code]) return new FrwError(MULTER[e.code].code, MULTER[e.code].message);
  if (e?.type && BODY[e.type]) return new FrwError(BODY[e.type].code, BODY[e.type].message);
  // busboy's malformed multipart (no boundary, cut off, a broken part header).
  if (/^(Multipart: Boundary not found|Unexpected end of form|Malformed part header|Unexpected end of multipart data)/i.test(e?.message ?? '')) return new FrwError('BAD_INPUT', `malformed multipart body: ${e.message}`);
  if (/Unsupported content type/i.test(e?.message ?? '')) return new FrwError('UNSUPPORTED', 'send the images as multipart/form-data');
  // The client hung up mid-upload: nothing of ours failed (and nobody is left to read the answer).
  if (/^Request (aborted|closed)$/.test(e?.message ?? '') || e?.code === 'STREAM_DESTROYED' || e?.code === 'ECONNRESET') return new FrwError('BAD_INPUT', 'the request was abandoned before its body arrived');
  // Library errors that carry their own client status (send's 404 for a file gone since, 416 for a bad range).
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && (e as { expose?: boolean }).expose !== false) return new FrwError(e.status === 404 ? 'NOT_FOUND' : 'BAD_INPUT', e.message ?? 'bad request');
  // A path segment that is not valid percent-encoding (express answers it with a URIError, status 400).
  if (err instanceof URIError || (e?.status === 400 && /URI/i.test(e?.message ?? ''))) return new FrwError('BAD_INPUT', 'the request path is not valid percent-encoding');
  return null;
}

/**
 * Structured JSON errors: {error: {code, message, details?}}; never a stack trace to the client. Every 5xx is
 * logged on the server with a request id that the answer carries, so a report can be matched to its log line.
 */
export const errorMiddleware: ErrorRequestHandler = (err, req, res, _next) => {
  const known = clientErrorOf(err);
  const status = known ? STATUS[known.code] : 500;
  if (status >= 500) {
    const requestId = requestIdOf(res);
    logFault(requestId, req, res, err);
    res.status(status).json({ error: { code: known?.code ?? 'INTERNAL', message: known ? scrubPaths(known.message) : 'internal error', requestId } });
    return;
  }
  res.status(status).json({ error: { code: known!.code, message: scrubPaths(known!.message), details: scrubDetails(known!.details) } });
};

/**
 * Absolute paths in a message sent over HTTP are cut to their last part ("…/lfw-mini"): a client learns which
 * file or dataset, never where this machine keeps it. The CLI prints the same errors whole.
 */
export function scrubPaths(message: string): string {
  return message.replace(/(?<=^|[\s"'`(\[=])(?:\/[^\s/"'`,;:()\]]+){2,}\/?/g, (p) => (isMachinePath(p) ? `…/${p.replace(/\/$/, '').split('/').pop()}` : p));
}

/** A path on this machine (its first folder exists at /), not a JSON pointer such as /pipeline/embedder/output. */
const topLevel = new Map<string, boolean>();
function isMachinePath(p: string): boolean {
  const first = p.split('/')[1];
  if (!topLevel.has(first)) topLevel.set(first, fs.existsSync(`/${first}`));
  return topLevel.get(first)!;
}

function scrubDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details) return details;
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, typeof v === 'string' ? scrubPaths(v) : v]));
}

/**
 * The request's id: the one `requestLog` gave it (and sent as X-Request-Id), else a new one (an app without the
 * structured log, such as the workbench). A log line and an error answer of one request carry the same id.
 */
export function requestIdOf(res: Response): string {
  if (typeof res.locals.requestId !== 'string') res.locals.requestId = crypto.randomBytes(6).toString('hex');
  return res.locals.requestId as string;
}

/**
 * Give every request an id (X-Request-Id on the answer) and a child logger carrying it (`res.locals.log`), and log
 * one JSON line when it ends: method, path (no query: it may hold names), status, duration, and whether the client
 * went away first. Never headers or bodies (API keys, photos).
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdOf(res);
    res.setHeader('x-request-id', requestId);
    const child = log.child({ requestId });
    res.locals.log = child;
    const t0 = performance.now();
    const where = pathOf(req); // now: routers rewrite req.url on the way down
    res.once('close', () => {
      const line = { method: req.method, path: where, status: res.statusCode, ms: Math.round(performance.now() - t0), abandoned: !res.writableFinished };
      if (res.statusCode >= 500) child.warn(line, 'request failed');
      else child.info(line, 'request');
    });
    next();
  };
}

/** The request's path, without its query (which may hold names), cut to 200 characters. */
const pathOf = (req: Request) => req.originalUrl.split('?')[0].slice(0, 200);

function logFault(id: string, req: Request, res: Response, err: unknown): void {
  // An FrwError is a known condition (an engine that did not answer): its message says it; anything else gets its stack.
  const what = err instanceof FrwError ? `${err.code}: ${err.message}` : err instanceof Error ? (err.stack ?? err.message) : String(err);
  const log = res.locals.log as Logger | undefined;
  if (log) {
    const line = { method: req.method, path: pathOf(req), code: err instanceof FrwError ? err.code : 'INTERNAL', err: what };
    if (err instanceof FrwError) log.warn(line, 'request refused');
    else log.error(line, 'request fault');
    return;
  }
  process.stderr.write(`[${new Date().toISOString()}] request ${id} ${req.method} ${req.originalUrl.slice(0, 200)} failed: ${what}\n`);
}

/** Aborted when the client goes away before its answer is sent: the server stops that request's work. */
export function abandonedSignal(req: Request, res: Response): AbortSignal {
  const ac = new AbortController();
  // Gone already (while its upload was read): aborted from the start. (req.destroyed only says the body was read.)
  if (res.closed || req.socket.destroyed) ac.abort();
  else
    res.once('close', () => {
      if (!res.writableFinished) ac.abort();
    });
  return ac.signal;
}
