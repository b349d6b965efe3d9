import { FrwError } from './errors.js';

/**
 * Allowed values are each defined once, as a `const` tuple beside the concept they name (FACE_POLICIES, MATCH_MODES,
 * PROTOCOLS, …), and checked with this at every edge (CLI flag, HTTP body, file on disk): an unknown value is a
 * BAD_INPUT that lists what is allowed, never an `undefined` further down.
 */
export function oneOf<const T extends readonly string[]>(allowed: T, value: unknown, what: string): T[number] {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T[number];
  throw new FrwError('BAD_INPUT', `${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`, { allowed: [...allowed] });
}

/** A comma-separated (or already split) list of allowed values, at least one. */
export function listOf<const T extends readonly string[]>(allowed: T, value: unknown, what: string): Array<T[number]> {
  const items = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;
  if (!Array.isArray(items) || items.length === 0) throw new FrwError('BAD_INPUT', `${what} must name at least one of ${allowed.join(', ')}`);
  return items.map((v) => oneOf(allowed, v, what));
}
