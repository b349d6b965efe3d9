import type { RequestHandler } from 'express';
import { FrwError } from '../../core/errors.js';

/**
 * How much work the engine's HTTP API takes on at once, each a setting of `frw engine serve`: a flood of requests
 * is refused (429 with Retry-After) instead of queueing without bound, in memory, behind the embedding workers.
 */
export interface RequestLimits {
  /** Image requests (enrol, identify, check-in) being decoded, embedded or searched at once. */
  maxInFlight: number;
  /** Sustained requests per second per API key (token bucket), and the burst above it. */
  ratePerSecond: number;
  burst: number;
}

export const DEFAULT_LIMITS: RequestLimits = { maxInFlight: 32, ratePerSecond: 50, burst: 100 };

/** The token bucket of one key: refilled at ratePerSecond up to burst; a request takes one token. */
export function rateLimiter(limits: RequestLimits, keyOf: (req: Parameters<RequestHandler>[0]) => string, now: () => number = Date.now): RequestHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (req, res, next) => {
    const key = keyOf(req);
    const t = now();
    const b = buckets.get(key) ?? { tokens: limits.burst, at: t };
    b.tokens = Math.min(limits.burst, b.tokens + ((t - b.at) / 1000) * limits.ratePerSecond);
    b.at = t;
    buckets.set(key, b);
    if (b.tokens < 1) {
      res.set('retry-after', String(Math.ceil((1 - b.tokens) / limits.ratePerSecond)));
      next(new FrwError('RATE_LIMITED', `over ${limits.ratePerSecond} requests per second for this key; retry later`));
      return;
    }
    b.tokens -= 1;
    next();
  };
}

/**
 * At most maxInFlight image requests at once; the one over it is refused at once, before its body is read. A slot
 * is held until the request's work has settled (`releaseSlot` in res.locals, called by the route when its handler
 * ends), not until its client hangs up: uploading and hanging up must not start unbounded work.
 */
export function inFlightLimiter(limits: RequestLimits): RequestHandler {
  let running = 0;
  return (_req, res, next) => {
    if (running >= limits.maxInFlight) {
      res.set('retry-after', '1');
      next(new FrwError('RATE_LIMITED', `${limits.maxInFlight} image requests are already being processed; retry shortly`));
      return;
    }
    running++;
    let done = false;
    res.locals.releaseSlot = () => {
      if (!done) (done = true), running--;
    };
    next();
  };
}
