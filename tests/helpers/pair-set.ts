import fs from 'node:fs';
import path from 'node:path';
import { DATA_ROOT } from './shared.js';

export interface PairOnlySet {
  dir: string;
  sheet: string;
  /** Sheet rows as written (after the header), with the person behind each file. */
  rows: Array<{ x: string; y: string; same: boolean }>;
  /** New flat file name → the LFW person it shows (what the set itself no longer says). */
  personOf: Map<string, string>;
}

/**
 * A pair-only set made from lfw-mini: the images of its first `same` genuine and `different` impostor pairs copied
 * flat under `dir` as img001.jpg, img002.jpg… (names that say nothing of the person), and a
 * `file_x,file_y,Decision` sheet with Yes/No decided from the true identities (the LFW folder names), as deepface's
 * test set is laid out.
 */
export function makePairOnlySet(dir: string, counts: { same: number; different: number }, sheetName = 'master.csv'): PairOnlySet {
  const src = path.join(DATA_ROOT, 'lfw-mini');
  const listed = fs.readFileSync(path.join(src, 'pairs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const person = (p: string) => p.split('/')[0];
  const pick = (same: boolean, n: number) => listed.filter(([a, b]) => (person(a) === person(b)) === same).slice(0, n);
  const chosen = [...pick(true, counts.same), ...pick(false, counts.different)];
  const flat = new Map<string, string>();
  const personOf = new Map<string, string>();
  fs.mkdirSync(dir, { recursive: true });
  for (const p of chosen.flatMap(([a, b]) => [a, b])) {
    if (flat.has(p)) continue;
    const name = `img${String(flat.size + 1).padStart(3, '0')}.jpg`;
    flat.set(p, name);
    personOf.set(name, person(p));
    fs.copyFileSync(path.join(src, p), path.join(dir, name));
  }
  const rows = chosen.map(([a, b]) => ({ x: flat.get(a)!, y: flat.get(b)!, same: person(a) === person(b) }));
  const sheet = path.join(dir, sheetName);
  fs.writeFileSync(sheet, ['file_x,file_y,Decision', ...rows.map((r) => `${r.x},${r.y},${r.same ? 'Yes' : 'No'}`)].join('\n') + '\n');
  return { dir, sheet, rows, personOf };
}
