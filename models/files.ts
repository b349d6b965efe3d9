import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { sha256Files } from '../core/hash.js';
import { packageDir, resolveInside } from '../core/paths.js';
import type { ModelCard } from './card.js';

/** `npm:<pkg>/<path>` (a scoped `@scope/pkg` included) split into the package and the path's parts inside it. */
function npmSpec(file: string): { pkg: string; rest: string[] } {
  const parts = file.slice(4).split('/');
  const pkgLen = parts[0].startsWith('@') ? 2 : 1;
  return { pkg: parts.slice(0, pkgLen).join('/'), rest: parts.slice(pkgLen) };
}

/**
 * Where a card's `file` lives: `npm:<pkg>/<path>` inside the installed package (checkpoints that npm packages
 * ship are never copied), an absolute path (a user's checkpoint), else relative to the model root.
 */
export function resolveModelFile(card: Pick<ModelCard, 'file' | 'id'>, modelRoot: string): string {
  let abs: string;
  if (card.file.startsWith('npm:')) {
    const { pkg, rest } = npmSpec(card.file);
    abs = path.join(packageDir(pkg), ...rest);
  } else if (path.isAbsolute(card.file)) {
    abs = card.file;
  } else {
    abs = path.resolve(modelRoot, card.file);
  }
  if (!fs.existsSync(abs)) {
    throw new FrwError('NOT_FOUND', `model file for "${card.id}" not found: ${abs}${card.file.startsWith('npm:') ? ' (is the npm package installed?)' : ''}`, { file: abs });
  }
  return abs;
}

/**
 * resolveModelFile for a card that came from a deployment config (loaded, or pushed over HTTP): the file must lie
 * inside the model root — links resolved — or be a checkpoint registered in the workspace (`registered`, real
 * paths of the user cards' files), or ship in an npm package. Anything else, `../` or `/etc/passwd` included, is
 * refused without saying whether it exists; messages name the card's field as written, never a server path.
 */
export function confinedModelFile(card: Pick<ModelCard, 'file' | 'id'>, modelRoot: string, registered: readonly string[]): string {
  const realOrNull = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return null;
    }
  };
  const plainFile = (p: string) => fs.statSync(p).isFile();
  const refuse = () => new FrwError('OUTSIDE_ROOT', `model.file "${card.file}" of ${card.id} is not under the model root, an installed package or a checkpoint registered in the workspace; a config may name only those`, { field: 'file' });
  if (card.file.startsWith('npm:')) {
    // Inside the named package, whatever `..` or links the rest holds.
    const { pkg, rest } = npmSpec(card.file);
    if (rest.includes('..') || rest.includes('') || !/^(@[\w.-]+\/)?[\w.-]+$/.test(pkg)) throw refuse();
    const pkgRoot = realOrNull(packageDir(pkg));
    const real = realOrNull(path.join(packageDir(pkg), ...rest));
    if (pkgRoot && real && real.startsWith(pkgRoot + path.sep) && plainFile(real)) return real;
    throw refuse();
  }
  const abs = path.isAbsolute(card.file) ? card.file : path.resolve(modelRoot, card.file);
  const real = realOrNull(abs);
  const root = realOrNull(modelRoot) ?? path.resolve(modelRoot);
  // A plain file only: a folder or a device (…/dev/zero) would be read or hashed without end.
  if (real !== null && (real.startsWith(root + path.sep) || registered.includes(real)) && plainFile(real)) return real;
  // A plain name under the model root that is not there is only missing; anything reaching elsewhere is refused.
  const plainName = !path.isAbsolute(card.file) && !card.file.split(/[\\/]/).includes('..');
  if (plainName && real === null) throw new FrwError('NOT_FOUND', `model.file "${card.file}" of ${card.id} is not installed under the model root`, { field: 'file' });
  throw refuse();
}

/** The files whose bytes make up a model, in digest order: the file itself, or a TF.js model.json and its shards. */
export function modelFiles(abs: string, format: ModelCard['format']): string[] {
  if (format === 'onnx' || format === 'keras-h5') return [abs];
  let json: { weightsManifest?: Array<{ paths: string[] }> };
  try {
    json = JSON.parse(fs.readFileSync(abs, 'utf8'));
  } catch {
    // The parser's message quotes the file's first bytes: not for a client to read.
    throw new FrwError('BAD_INPUT', `${path.basename(abs)} is not a TF.js model.json (not valid JSON)`);
  }
  const dir = path.dirname(abs);
  // Shards beside model.json only: a manifest naming ../ or an absolute path is not a model of ours.
  return [abs, ...(json.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => resolveInside(dir, p)))];
}

/**
 * Digests already computed in this process (or handed to a worker thread by its parent), by file and stamp: a model
 * is hashed once however many times it is checked and loaded (a config check, the in-thread sessions, each
 * worker). A file whose size, mtime, ctime, inode or device changed is hashed again, so a replaced file is still
 * caught (ctime changes on every write, whatever a copy tool does to mtime).
 */
export interface DigestMemo {
  [files: string]: { stamps: string; sha256: string };
}
const memo: DigestMemo = {};
/** Hashes under way, so concurrent checks of one file (workers starting together) share one read. */
const inFlight = new Map<string, Promise<string>>();

const stampsOf = (files: readonly string[]) =>
  files.map((f) => {
    const st = fs.statSync(f);
    return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`;
  }).join('|');

/** The digests this process knows, for a worker thread's start-up (rememberDigests there). */
export const knownDigests = (): DigestMemo => ({ ...memo });
export const rememberDigests = (known: DigestMemo | undefined): void => void Object.assign(memo, known ?? {});

/** sha256 identifying a model's exact weights (see ModelCard.sha256). */
export async function modelDigest(abs: string, format: ModelCard['format']): Promise<string> {
  const files = modelFiles(abs, format);
  const key = files.join('\0');
  // Stamped before hashing: a file changed while it was read gets a new stamp and is hashed again next time.
  const stamps = stampsOf(files);
  const hit = memo[key];
  if (hit && hit.stamps === stamps) return hit.sha256;
  const pending = inFlight.get(`${key}\0${stamps}`);
  if (pending) return pending;
  const run = sha256Files(files).then((sha256) => {
    memo[key] = { stamps, sha256 };
    return sha256;
  }).finally(() => inFlight.delete(`${key}\0${stamps}`));
  inFlight.set(`${key}\0${stamps}`, run);
  return run;
}
