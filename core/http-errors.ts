import type { ErrorRequestHandler } from 'express';
import { FrwError, type ErrorCode } from './errors.js';

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
  UNAUTHORIZED: 401,
  TOO_LARGE: 413,
  CANCELLED: 409,
  UNAVAILABLE: 502,
  INTERNAL: 500,
};

/** Structured JSON errors: {error: {code, message, details?}}; never a stack trace to the client. */
export const errorMiddleware: ErrorRequestHandler = (err, _req, res, _next) => {
  // multer reports an over-size upload with its own error; it is ours to name.
  if ((err as { code?: string }).code === 'LIMIT_FILE_SIZE') err = new FrwError('TOO_LARGE', `upload over the size cap: ${(err as Error).message}`);
  // body-parser's malformed JSON, likewise.
  if ((err as { type?: string }).type === 'entity.parse.failed') err = new FrwError('BAD_INPUT', `malformed JSON body: ${(err as Error).message}`);
  if (err instanceof FrwError) {
    res.status(STATUS[err.code]).json({ error: { code: err.code, message: err.message, details: err.details } });
    return;
  }
  res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
};
