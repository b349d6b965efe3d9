/**
 * Pair sheets: a CSV naming two images per row and whether they show the same person (deepface's test set:
 * `file_x,file_y,Decision` with Yes/No). The column names and decision spellings accepted are defined here once;
 * identity-folder sets (their root pairs.csv) and pair-only sets (datasets/pairs.ts) read the same vocabulary.
 */
import path from 'node:path';
import { FrwError, isFrwError } from '../core/errors.js';
import { resolveInside, within } from '../core/paths.js';
import { parseCsv } from './csv.js';
import type { DatasetPair, ManifestProblem } from './manifest.js';

/** Header names (case-insensitive) of the two image columns, as pairs that go together. */
export const PAIR_IMAGE_COLUMNS = [['file_x', 'file_y'], ['img1', 'img2'], ['image1', 'image2'], ['a', 'b'], ['left', 'right']] as const;
/** Header names (case-insensitive) of the decision column. */
export const PAIR_DECISION_COLUMNS = ['decision', 'same', 'label', 'match', 'is_same'] as const;
/** Decision spellings (case-insensitive): the first list means the same person, the second different people. */
export const SAME_WORDS = ['yes', '1', 'true', 'same'] as const;
export const DIFFERENT_WORDS = ['no', '0', 'false', 'different'] as const;

const ACCEPTED_DECISIONS = 'yes/no, 1/0, true/false or same/different (any case)';

/** true / false for an accepted decision spelling, undefined for anything else (the caller says what that means). */
export function parseDecision(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if ((SAME_WORDS as readonly string[]).includes(t)) return true;
  if ((DIFFERENT_WORDS as readonly string[]).includes(t)) return false;
  return undefined;
}

/** Where a header keeps the two images and the decision, with the header's own spelling of the decision column. */
export interface PairColumns {
  x: number;
  y: number;
  decision: number;
  decisionName: string;
}

/**
 * Find the pair columns in a header row, or say why not: none of the accepted names, or several candidates for one
 * role (a sheet with both `same` and `label` is ambiguous, and guessing would flip every decision if wrong).
 */
export function pairColumns(header: readonly string[]): PairColumns | { why: string } {
  const names = header.map((h) => h.trim().toLowerCase());
  const images = PAIR_IMAGE_COLUMNS.filter(([x, y]) => names.includes(x) && names.includes(y));
  const decisions = PAIR_DECISION_COLUMNS.filter((d) => names.includes(d));
  const accepted = `image columns ${PAIR_IMAGE_COLUMNS.map((p) => p.join('/')).join(', ')} and a decision column ${PAIR_DECISION_COLUMNS.join(', ')}`;
  const got = JSON.stringify(header.join(','));
  if (images.length !== 1 || decisions.length !== 1) {
    const what = images.length > 1 ? `several image column pairs (${images.map((p) => p.join('/')).join(', ')})` : decisions.length > 1 ? `several decision columns (${decisions.join(', ')})` : 'no accepted column names';
    return { why: `the header ${got} has ${what}; a pair sheet names ${accepted}` };
  }
  const decision = names.indexOf(decisions[0]);
  return { x: names.indexOf(images[0][0]), y: names.indexOf(images[0][1]), decision, decisionName: header[decision].trim() };
}

/** A sheet's pairs with the line each came from, and the rows that could not be used. */
export interface PairSheet {
  pairs: DatasetPair[];
  /** 1-based line of pairs[i] in the sheet. */
  lines: number[];
  problems: ManifestProblem[];
}

const MAX_LISTED = 10;

/**
 * Read a pair sheet whose image paths are relative to `root`. Throws BAD_INPUT when the header has no pair columns
 * or the decision column holds a value that is not an accepted spelling: a whole sheet of unknown meaning is refused
 * (the message names the column, its values and the first line that has one). Rows that are malformed (an open
 * quote, too few fields, an empty cell, one image twice, a pair listed before) or name a path outside `root` become
 * 'bad-row' problems (`<file>:<line>`); a path that leaves `root` through a link is 'outside-root'. Never reads an
 * image: whether the files exist is the caller's to check.
 */
export function parsePairSheet(text: string, fileName: string, root: string): PairSheet {
  const rows = parseCsv(text);
  const head = rows[0];
  if (!head || head.error) throw new FrwError('BAD_INPUT', `${fileName}: the first line must be a header naming the pair columns${head?.error ? ` (${head.error})` : ''}`);
  const cols = pairColumns(head.fields);
  if ('why' in cols) throw new FrwError('BAD_INPUT', `${fileName}: ${cols.why}`);
  checkDecisions(rows.slice(1), cols, fileName);

  const out: PairSheet = { pairs: [], lines: [], problems: [] };
  const bad = (line: number, message: string) => out.problems.push({ kind: 'bad-row', path: `${fileName}:${line}`, message });
  const seen = new Map<string, number>();
  const need = Math.max(cols.x, cols.y, cols.decision) + 1;
  for (const row of rows.slice(1)) {
    if (row.error) { bad(row.line, row.error); continue; }
    if (row.fields.length < need) { bad(row.line, `expected at least ${need} fields, got ${row.fields.length}`); continue; }
    const [x, y, d] = [cols.x, cols.y, cols.decision].map((i) => row.fields[i].trim());
    if (!x || !y || !d) { bad(row.line, `empty cell: each row needs two images and a ${cols.decisionName}`); continue; }
    const [ra, rb] = [inside(root, x), inside(root, y)];
    const refused = [ra, rb].find((r) => typeof r !== 'string');
    if (refused && typeof refused !== 'string') {
      if (refused.link) out.problems.push({ kind: 'outside-root', path: refused.link, message: `named on ${fileName}:${row.line}: a link to a file outside the dataset; not read` });
      else bad(row.line, refused.why);
      continue;
    }
    const [a, b] = [ra as string, rb as string];
    if (a === b) { bad(row.line, `both images are ${a}: a pair compares two images`); continue; }
    const key = a < b ? `${a}\0${b}` : `${b}\0${a}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) { bad(row.line, `the pair ${a} – ${b} is already listed on line ${earlier}`); continue; }
    seen.set(key, row.line);
    out.pairs.push({ a, b, same: parseDecision(d)! });
    out.lines.push(row.line);
  }
  return out;
}

/**
 * A sheet cell as a dataset-relative, forward-slash path; or why not: `..`, an absolute path elsewhere or the root
 * itself (`why`), or a path that stays inside by its text but leaves through a link (`link`: its relative path).
 */
function inside(root: string, cell: string): string | { why: string; link?: string } {
  const absRoot = path.resolve(root);
  const lexical = path.resolve(absRoot, cell);
  const rel = path.relative(absRoot, lexical).split(path.sep).join('/');
  if (!within(absRoot, lexical)) return { why: `path ${JSON.stringify(cell)} is outside the dataset folder` };
  if (rel === '') return { why: `path ${JSON.stringify(cell)} names the dataset folder itself` };
  try {
    resolveInside(absRoot, cell);
  } catch (e) {
    if (isFrwError(e, 'OUTSIDE_ROOT')) return { why: '', link: rel };
    return { why: (e as Error).message };
  }
  return rel;
}

/** Every non-empty decision must be an accepted spelling; otherwise the sheet means something we cannot read. */
function checkDecisions(body: ReturnType<typeof parseCsv>, cols: PairColumns, fileName: string): void {
  const values = new Set<string>();
  let firstBad: { value: string; line: number } | undefined;
  const bad = new Set<string>();
  for (const row of body) {
    const v = row.error ? '' : (row.fields[cols.decision] ?? '').trim();
    if (v === '') continue;
    values.add(v);
    if (parseDecision(v) !== undefined) continue;
    bad.add(v);
    firstBad ??= { value: v, line: row.line };
  }
  if (!firstBad) return;
  const list = (s: Set<string>) => [...s].slice(0, MAX_LISTED).map((v) => JSON.stringify(v)).join(', ') + (s.size > MAX_LISTED ? `, … (${s.size} in all)` : '');
  throw new FrwError(
    'BAD_INPUT',
    `${fileName}: column "${cols.decisionName}" must hold ${ACCEPTED_DECISIONS}; it holds ${list(bad)}, first on line ${firstBad.line} (${JSON.stringify(firstBad.value)}); values found: ${list(values)}`,
    { column: cols.decisionName, line: firstBad.line, values: [...values], unrecognised: [...bad] },
  );
}
