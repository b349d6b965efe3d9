import { writeFileAtomic } from '../core/lock.js';

/**
 * How numbers and text are written into run folders, in one place: JSON keeps ±Infinity and NaN as strings (JSON
 * has no such numbers, and null would hide what they were), CSV quotes a field only when it must (RFC 4180).
 * Scores are written with String(x), the shortest text that reads back to the same double, so a reader rebuilds
 * exactly the metrics the run computed.
 */
export function jsonNumbers(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return v;
}

/** The inverse of jsonNumbers, for typed reads: "Infinity", "-Infinity" and "NaN" become the numbers again. */
export function reviveNumbers(_key: string, v: unknown): unknown {
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return Number.NaN;
  return v;
}

/** One CSV field: quoted when it holds a comma, a quote or a line break; null is an empty field. */
export function csvField(s: string | null): string {
  if (s === null) return '';
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A JSON file written atomically; `pretty` for the records people read (run.json), compact for chart data. */
export function writeJsonFile(file: string, value: unknown, pretty = true): void {
  writeFileAtomic(file, JSON.stringify(value, jsonNumbers, pretty ? 2 : undefined) + '\n');
}

/** A CSV file written atomically from a header and rows of already-formatted fields. */
export function writeCsvFile(file: string, header: readonly string[], rows: Iterable<ReadonlyArray<string | number>>): void {
  const lines = [header.map((h) => csvField(h)).join(',')];
  for (const r of rows) lines.push(r.map((f) => (typeof f === 'number' ? String(f) : csvField(f))).join(','));
  writeFileAtomic(file, lines.join('\n') + '\n');
}
