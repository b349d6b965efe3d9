/**
 * What a decision is about, as one key: an image by its path, or an identity pair in either order. A later decision
 * on the same target replaces the earlier one. Apart from decisions.ts so the browser bundle can use it (this file
 * imports nothing).
 */
export function decisionTarget(d: { image?: string; identities?: readonly [string, string] | string[] }): string {
  return d.image !== undefined ? `image:${d.image}` : `identities:${[...d.identities!].sort().join('\u0000')}`;
}
