/**
 * One error class for the whole project. `code` is stable and machine-readable; the HTTP layer maps it to a
 * status in one place, the CLI prints `message` and exits non-zero.
 */
export type ErrorCode =
  | 'BAD_INPUT' // malformed arguments, configs, cards, CSVs
  | 'NOT_FOUND' // a dataset, model, file or run that does not exist
  | 'OUTSIDE_ROOT' // a path that escapes its root (path traversal)
  | 'UNSUPPORTED' // a format, layout or runtime we do not handle
  | 'MODEL_MISMATCH' // a card that disagrees with the model file it describes
  | 'INTEGRITY' // a sha256 or checksum that does not match
  | 'CONFLICT' // a lock held by another process, a concurrent write
  | 'EMPTY_INPUT' // a metric asked of no data
  | 'NOT_MEASURABLE' // a quantity the data cannot back (e.g. FMR below 1/N)
  | 'NOT_COMPARABLE' // results of different data, protocols or pair lists, asked to be ranked together
  | 'UNAUTHORIZED' // a missing or wrong API key
  | 'TOO_LARGE' // an upload over the size cap, or a run over the memory this machine has
  | 'CANCELLED' // a job stopped at the user's request
  | 'UNAVAILABLE' // another service (a running engine) did not answer
  | 'RATE_LIMITED' // over a request-rate or concurrency limit: retry later
  | 'NOT_READY' // a service still starting (model, gallery, index) or shutting down: retry elsewhere or later
  | 'INTERNAL';

export class FrwError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FrwError';
    this.code = code;
    this.details = details;
  }
}

export function isFrwError(e: unknown, code?: ErrorCode): e is FrwError {
  return e instanceof FrwError && (code === undefined || e.code === code);
}

/** Message of any thrown value, for logs and counted failures. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
