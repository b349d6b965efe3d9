import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FrwError } from './errors.js';

/** The project root: the folder holding package.json, whether running from source (tsx) or from dist/. */
export const PROJECT_ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // core/ in source, dist/core/ when compiled.
  return path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '..', '..') : path.resolve(here, '..');
})();

/**
 * Resolve `rel` inside `root`, refusing anything that escapes it: `..`, absolute paths, and links — the check is
 * made again on the real path (links resolved, for the part of the path that exists), so a symlink under a root
 * that points elsewhere (`data/etc-link -> /etc`) leads nowhere. Use it for every path that comes from a user, a
 * CSV or an HTTP request. Messages name the path as given, not the root's location on this machine.
 */
export function resolveInside(root: string, rel: string): string {
  if (rel.includes('\0')) throw new FrwError('BAD_INPUT', `path contains a NUL byte: ${JSON.stringify(rel)}`);
  const absRoot = path.resolve(root);
  const abs = path.resolve(absRoot, rel);
  if (!within(absRoot, abs)) throw new FrwError('OUTSIDE_ROOT', `path ${JSON.stringify(rel)} is outside its root`, { path: rel });
  if (!within(realOf(absRoot), realOf(abs))) throw new FrwError('OUTSIDE_ROOT', `path ${JSON.stringify(rel)} leads outside its root through a link`, { path: rel });
  return abs;
}

/** Whether `p` is `root` or below it (both absolute). */
export const within = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** The real path of `p`: links resolved for its longest existing prefix, the rest appended as it is. */
export function realOf(p: string): string {
  const rest: string[] = [];
  let head = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...rest.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return p;
      rest.push(path.basename(head));
      head = parent;
    }
  }
}

/** Folder of an installed npm package, for files it ships (model weights, browser builds), whatever its "exports". */
export function packageDir(pkg: string): string {
  const req = createRequire(path.join(PROJECT_ROOT, 'package.json'));
  try {
    return path.dirname(req.resolve(`${pkg}/package.json`));
  } catch {
    // Packages whose "exports" hide package.json: fall back to the conventional location.
    return path.join(PROJECT_ROOT, 'node_modules', pkg);
  }
}
