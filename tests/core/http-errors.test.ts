import { test } from 'vitest';
import assert from 'node:assert/strict';
import { FrwError } from '../../core/errors.js';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { clientErrorOf, errorMiddleware, scrubPaths } from '../../core/http-errors.js';

test('absolute paths in HTTP error messages are cut to their last part; URLs and relative paths are left alone', () => {
  assert.equal(scrubPaths('dataset "nope" not found (looked at /work/shared/datasets/nope); datasets under /work/shared/datasets: a'), 'dataset "nope" not found (looked at …/nope); datasets under …/datasets: a');
  assert.equal(scrubPaths('cannot read /etc/passwd: EACCES'), 'cannot read …/passwd: EACCES');
  assert.equal(scrubPaths('no engine answered at http://127.0.0.1:9/v1/config'), 'no engine answered at http://127.0.0.1:9/v1/config');
  assert.equal(scrubPaths('path "../x/y" is outside its root'), 'path "../x/y" is outside its root');
  // A JSON pointer naming a config field is kept: the field is what the message must name.
  assert.equal(scrubPaths('  - /pipeline/embedder/output/dim must be integer'), '  - /pipeline/embedder/output/dim must be integer');
});

test('the client errors of the libraries under the routes are named, and anything else is a fault', () => {
  const multer = Object.assign(new Error('Too many files'), { name: 'MulterError', code: 'LIMIT_FILE_COUNT' });
  assert.equal(clientErrorOf(multer)?.code, 'TOO_LARGE');
  assert.equal(clientErrorOf(Object.assign(new Error('request entity too large'), { type: 'entity.too.large' }))?.code, 'TOO_LARGE');
  assert.equal(clientErrorOf(new Error('Unexpected end of form'))?.code, 'BAD_INPUT');
  assert.equal(clientErrorOf(new URIError('URI malformed'))?.code, 'BAD_INPUT');
  assert.equal(clientErrorOf(new FrwError('CONFLICT', 'x'))?.code, 'CONFLICT');
  assert.equal(clientErrorOf(new Error('Request aborted'))?.code, 'BAD_INPUT', 'a client gone mid-upload');
  assert.equal(clientErrorOf(Object.assign(new Error('Not Found'), { status: 404, expose: true }))?.code, 'NOT_FOUND');
  assert.equal(clientErrorOf(new TypeError('cannot read properties of undefined')), null);
});

test('a fault is answered 500 with a request id, and logged on the server under the same id', async () => {
  const app = express();
  app.get('/boom', () => {
    throw new TypeError('cannot read properties of undefined');
  });
  app.use(errorMiddleware);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (logged.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`);
    const body = (await r.json()) as { error: { code: string; message: string; requestId: string } };
    assert.equal(r.status, 500);
    assert.deepEqual([body.error.code, body.error.message], ['INTERNAL', 'internal error'], 'no internals to the client');
    assert.match(body.error.requestId, /^[0-9a-f]{12}$/);
    assert.ok(logged.some((l) => l.includes(`request ${body.error.requestId} GET /boom failed: TypeError: cannot read properties of undefined`)), logged.join(''));
  } finally {
    process.stderr.write = write;
    server.close();
  }
});
