import { test } from 'vitest';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { isFrwError } from '../../../core/errors.js';
import { inFlightLimiter, rateLimiter } from '../../../engine/api/limits.js';

/** A response stand-in: headers set, and the 'finish'/'close' events the limiter listens for. */
function res() {
  const e = new EventEmitter() as EventEmitter & { headers: Record<string, string>; set: (k: string, v: string) => unknown };
  e.headers = {};
  e.set = (k, v) => (e.headers[k] = v);
  return e;
}
const call = (mw: ReturnType<typeof rateLimiter>, key = 'k') => {
  const r = res();
  let err: unknown = 'not called';
  mw({ header: () => key } as never, r as never, (e?: unknown) => (err = e));
  return { err, r };
};

test('rate limit: a burst is taken, the request over it is refused (RATE_LIMITED, Retry-After), tokens come back with time', () => {
  let t = 0;
  const mw = rateLimiter({ maxInFlight: 1, ratePerSecond: 2, burst: 3 }, (req) => req.header('x-api-key') as string, () => t);
  for (let i = 0; i < 3; i++) assert.equal(call(mw).err, undefined);
  const over = call(mw);
  assert.ok(isFrwError(over.err, 'RATE_LIMITED'));
  assert.equal(over.r.headers['retry-after'], '1');
  assert.equal(call(mw, 'other').err, undefined, 'another key has its own bucket');
  t = 500; // half a second at 2/s: one token back
  assert.equal(call(mw).err, undefined);
  assert.ok(isFrwError(call(mw).err, 'RATE_LIMITED'));
});

test('in-flight limit: the request over it is refused at once; a slot comes back when the work settles, not when the client leaves', () => {
  const mw = inFlightLimiter({ maxInFlight: 2, ratePerSecond: 1, burst: 1 });
  const run = () => {
    const r = res() as ReturnType<typeof res> & { locals: Record<string, () => void> };
    r.locals = {};
    let err: unknown = 'not called';
    mw({} as never, r as never, (e?: unknown) => (err = e));
    return { err, release: () => r.locals.releaseSlot(), r };
  };
  const a = run();
  const b = run();
  assert.deepEqual([a.err, b.err], [undefined, undefined]);
  assert.ok(isFrwError(run().err, 'RATE_LIMITED'));
  b.r.emit('close'); // the client hung up: its work still runs, so its slot is still taken
  assert.ok(isFrwError(run().err, 'RATE_LIMITED'));
  a.release();
  a.release(); // released once however often it is called
  assert.equal(run().err, undefined);
  assert.ok(isFrwError(run().err, 'RATE_LIMITED'));
});
