import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { sha256Files } from '../core/hash.js';
import { packageDir } from '../core/paths.js';
import type { ModelCard } from './card.js';

/**
 * Where a card's `file` lives: `npm:<pkg>/<path>` inside the installed package (checkpoints that npm packages
 * ship are never copied), an absolute path (a user's checkpoint), else relative to the model root.
 */
export function resolveModelFile(card: Pick<ModelCard, 'file' | 'id'>, modelRoot: string): string {
  let abs: string;
  if (card.file.startsWith('npm:')) {
    const spec = card.file.slice(4);
    const parts = spec.split('/');
    const pkgLen = spec.startsWith('@') ? 2 : 1;
    const pkg = parts.slice(0, pkgLen).join('/');
    const rest = parts.slice(pkgLen).join('/');
    abs = path.join(packageDir(pkg), rest);
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

/** The files whose bytes make up a model, in digest order: the file itself, or a TF.js model.json and its shards. */
export function modelFiles(abs: string, format: ModelCard['format']): string[] {
  if (format === 'onnx') return [abs];
  let json: { weightsManifest?: Array<{ paths: string[] }> };
  try {
    json = JSON.parse(fs.readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new FrwError('BAD_INPUT', `cannot parse TF.js model.json ${abs}: ${(e as Error).message}`);
  }
  const dir = path.dirname(abs);
  return [abs, ...(json.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => path.join(dir, p)))];
}

/** sha256 identifying a model's exact weights (see ModelCard.sha256). */
export function modelDigest(abs: string, format: ModelCard['format']): Promise<string> {
  return sha256Files(modelFiles(abs, format));
}
