import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { acquireLock, takeOverStale } from '../../core/lock.js';
import { tempWorkspace } from '../helpers/shared.js';

// A pid that no process has: above Linux's default pid_max.
const DEAD = 4_194_304 + 17;

test('a stale lock is taken over; one that another process took in the meantime is left in place (no check-then-act race)', () => {
  const lock = path.join(tempWorkspace(), 'x.lock');
  fs.writeFileSync(lock, String(DEAD));
  const release = acquireLock(lock, 'x');
  assert.equal(fs.readFileSync(lock, 'utf8'), String(process.pid));
  release();
  // The race: we judged the lock stale (owner DEAD), but before our takeover another live process replaced it.
  fs.writeFileSync(lock, String(process.ppid));
  assert.equal(takeOverStale(lock, DEAD), false, 'not ours to remove');
  assert.equal(fs.readFileSync(lock, 'utf8'), String(process.ppid), 'the live lock is back in place');
  assert.deepEqual(fs.readdirSync(path.dirname(lock)), ['x.lock'], 'no tomb left behind');
  // And the lock that really is stale goes.
  fs.writeFileSync(lock, String(DEAD));
  assert.equal(takeOverStale(lock, DEAD), true);
  assert.equal(fs.existsSync(lock), false);
});
