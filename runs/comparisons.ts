import crypto from 'node:crypto';
import { canonicalJson, sha256Hex } from '../core/hash.js';
import type { ComparisonSet } from '../experiments/protocols.js';

/**
 * What a run records to prove which comparisons it scored, so runs written apart can be lined up only when they
 * scored the same ones (runs/like-for-like.ts). A listed set is hashed pair by pair; streamed all-pairs scored every
 * pair of the manifest, which the manifest hash alone fixes.
 */
export type PairListRecord = { kind: 'listed'; sha256: string; count: number; method: string } | { kind: 'every-pair'; method: string };

export const PAIR_LIST_METHOD = 'sha256 over one line "image_a<TAB>image_b<TAB>same<TAB>fold<LF>" per comparison in scoring order (manifest paths; fold empty without folds)';

/** The pair-list record of a run's comparisons (`set` null: streamed all-pairs); `imagePaths` are the manifest's. */
export function pairListRecord(set: ComparisonSet | null, imagePaths: readonly string[]): PairListRecord {
  if (!set) return { kind: 'every-pair', method: 'every genuine and impostor pair of the manifest (streamed all-pairs): the manifest hash fixes them' };
  const h = crypto.createHash('sha256');
  for (let k = 0; k < set.same.length; k++) h.update(`${imagePaths[set.a[k]]}\t${imagePaths[set.b[k]]}\t${set.same[k]}\t${set.fold ? set.fold[k] : ''}\n`);
  return { kind: 'listed', sha256: h.digest('hex'), count: set.same.length, method: PAIR_LIST_METHOD };
}

/** The identification split's content (split.json's gallery, mated and non-mated probes) as one sha256. */
export function splitHashOf(split: { gallery: unknown; mated: unknown; nonMated: unknown }): string {
  return sha256Hex(canonicalJson({ gallery: split.gallery, mated: split.mated, nonMated: split.nonMated }));
}
