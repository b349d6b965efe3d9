import { test } from 'vitest';
import assert from 'node:assert/strict';
import { FrwError } from '../../core/errors.js';
import { clientErrorOf, scrubPaths } from '../../core/http-errors.js';

test('absolute paths in HTTP error messages are cut to their last part; URLs and relative paths are left alone', () => {
  assert.equal(scrubPaths('dataset "nope" not found (looked at /work/shared/datasets/nope); datasets under /work/shared/datasets: a'), 'dataset "nope" not found (looked at …/nope); datasets under …/datasets: a');
  assert.equal(scrubPaths('cannot read /etc/passwd: EACCES'), 'cannot read …/passwd: EACCES');
  assert.equal(scrubPaths('no engine answered at http://127.0.0.1:9/v1/config'), 'no engine answered at http://127.0.0.1:9/v1/config');
  assert.equal(scrubPaths('path "../x/y" is outside its root'), 'path "../x/y" is outside its root');
});

test('the client errors of the libraries under the routes are named, and anything else is a fault', () => {
  const multer = Object.assign(new Error('Too many files'), { name: 'MulterError', code: 'LIMIT_FILE_COUNT' });
  assert.equal(clientErrorOf(multer)?.code, 'TOO_LARGE');
  assert.equal(clientErrorOf(Object.assign(new Error('request entity too large'), { type: 'entity.too.large' }))?.code, 'TOO_LARGE');
  assert.equal(clientErrorOf(new Error('Unexpected end of form'))?.code, 'BAD_INPUT');
  assert.equal(clientErrorOf(new URIError('URI malformed'))?.code, 'BAD_INPUT');
  assert.equal(clientErrorOf(new FrwError('CONFLICT', 'x'))?.code, 'CONFLICT');
  assert.equal(clientErrorOf(new TypeError('cannot read properties of undefined')), null);
});
