import { FrwError } from '../../core/errors.js';

/** An integer query parameter in [min, max] (`dflt` when absent); anything else is BAD_INPUT naming it. */
export function queryInt(v: unknown, dflt: number, min: number, max: number, what: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new FrwError('BAD_INPUT', `${what} must be an integer in [${min}, ${max}]`);
  return n;
}
