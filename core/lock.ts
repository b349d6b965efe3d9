import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from './errors.js';

/**
 * An exclusive lock file holding the owner's pid. A lock left by a dead process (a crash, kill -9) is taken
 * over; a live owner makes the caller fail fast with CONFLICT instead of interleaving writes.
 */
const heldHere = new Set<string>();
/** How long an empty lock file counts as being written by a live process rather than left by a dead one. */
const EMPTY_LOCK_GRACE_MS = 10_000;

export function acquireLock(lockPath: string, what: string): () => void {
  if (heldHere.has(lockPath)) throw new FrwError('CONFLICT', `${what} is already in use in this process (lock ${lockPath})`, { lockPath });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      heldHere.add(lockPath);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(lockPath);
        fs.rmSync(lockPath, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let text: string;
      let age: number;
      try {
        text = fs.readFileSync(lockPath, 'utf8').trim();
        age = Date.now() - fs.statSync(lockPath).mtimeMs;
      } catch {
        continue; // gone since: try to create it again
      }
      const pid = Number(text);
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new FrwError('CONFLICT', `${what} is in use by process ${pid} (lock ${lockPath})`, { pid, lockPath });
      }
      // An empty lock is one being created this instant (the pid is written just after): live, unless old.
      if (!pid && age < EMPTY_LOCK_GRACE_MS) throw new FrwError('CONFLICT', `${what} is being locked by another process (lock ${lockPath})`, { lockPath });
      // Stale: its owner is gone. Removed only if it is still the file judged stale (see takeOverStale).
      if (!takeOverStale(lockPath, pid)) throw new FrwError('CONFLICT', `${what} was just locked by another process (lock ${lockPath})`, { lockPath });
    }
  }
  throw new FrwError('CONFLICT', `could not take the lock ${lockPath}`);
}

/**
 * Remove a stale lock without the check-then-act race of reading it and deleting it: it is renamed to a name of
 * our own (one rename wins), and only if the renamed file still names the dead owner `stalePid` is it discarded.
 * When another process replaced it in between (a live lock), it is linked back into place and false is returned.
 */
export function takeOverStale(lockPath: string, stalePid: number): boolean {
  const tomb = `${lockPath}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.stale`;
  try {
    fs.renameSync(lockPath, tomb);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true; // another process took it over first: try again
    throw e;
  }
  const got = Number(fs.readFileSync(tomb, 'utf8').trim());
  if (got === stalePid || !got) {
    fs.rmSync(tomb, { force: true });
    return true;
  }
  // We moved a live lock aside: put it back (link fails only if yet another lock exists, which then stands).
  try {
    fs.linkSync(tomb, lockPath);
  } catch {
    /* a newer lock is in place; the moved one's owner will find its file gone when it releases (rm is forced) */
  }
  fs.rmSync(tomb, { force: true });
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** writeSync may write less than asked (large buffers): loop until every byte is out. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Write a file so readers see either the old or the new content, never a torn one: temp file, fsync, rename. `data`
 * may come in chunks (written in order), so a large file need not exist whole in memory first.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | Iterable<Uint8Array>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Same folder as the target so rename is atomic; pid + random so concurrent writers never share a temp file.
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      if (typeof data === 'string') fs.writeSync(fd, data);
      else for (const chunk of data instanceof Uint8Array ? [data] : data) writeAll(fd, chunk);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
