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
 * Resolve `rel` inside `root`, refusing anything that escapes it (`..`, absolute paths, symlink-free check).
 * Use it for every path that comes from a user, a CSV or an HTTP request.
 */
export function resolveInside(root: string, rel: string): string {
  if (rel.includes('\0')) throw new FrwError('BAD_INPUT', `path contains a NUL byte: ${JSON.stringify(rel)}`);
  const absRoot = path.resolve(root);
  const abs = path.resolve(absRoot, rel);
  if (abs !== absRoot && !abs.startsWith(absRoot + path.sep)) {
    throw new FrwError('OUTSIDE_ROOT', `path ${JSON.stringify(rel)} is outside ${absRoot}`, { root: absRoot, path: rel });
  }
  return abs;
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
