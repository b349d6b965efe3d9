/** Argument checks shared by the metrics, so every module words its BAD_INPUT errors the same way. */
import { FrwError } from '../../core/errors.js';

/** Throws BAD_INPUT unless `t` is a number other than NaN (±Infinity are valid thresholds). */
export function checkThreshold(t: unknown, what = 'threshold'): number {
  if (typeof t !== 'number' || Number.isNaN(t)) throw new FrwError('BAD_INPUT', `${what} must be a number (±Infinity allowed), got ${String(t)}`);
  return t;
}

/** Throws BAD_INPUT unless 0 < level < 1. */
export function checkLevel(level: unknown): number {
  if (typeof level !== 'number' || !(level > 0 && level < 1)) throw new FrwError('BAD_INPUT', `confidence level must be in (0, 1), got ${String(level)}`);
  return level;
}

/** Throws BAD_INPUT unless `x` is a finite number >= 0. */
export function checkNonNegative(x: unknown, what: string): number {
  if (typeof x !== 'number' || !(x >= 0) || !Number.isFinite(x)) throw new FrwError('BAD_INPUT', `${what} must be a finite number >= 0, got ${String(x)}`);
  return x;
}
