/**
 * Closed-set identification: rank-1 accuracy and the CMC curve (docs/metrics.md, "Open-set identification (1:N)").
 * Input: for each mated probe the 1-based rank of its mate in the returned candidate list, with 0 meaning "the
 * mate is not in the returned list" (a list cut at L candidates gives 0 for a mate below rank L). No threshold
 * applies: a mate at rank k counts at rank k whatever its score. Non-mated probes play no part.
 */
import { FrwError } from '../../core/errors.js';
import { checkLevel } from './checks.js';
import { clopperPearson } from './confidence.js';
import type { Interval } from './types.js';

/** Mate ranks: 1-based rank of each mated probe's mate, 0 = not in the returned candidates. */
export type MateRanks = Int32Array | ArrayLike<number>;

/** Rank-1 (closed-set) identification accuracy with its Clopper-Pearson interval. */
export interface Rank1Accuracy {
  /** hits / probes */
  readonly estimate: number;
  /** Mated probes whose mate is ranked first. */
  readonly hits: number;
  readonly probes: number;
  readonly interval: Interval;
}

/** The cumulative match characteristic: accuracy[i] = share of mated probes with mate rank in 1..rank[i]. */
export interface CmcCurve {
  /** 1, 2, ..., maxRank */
  readonly rank: Int32Array;
  readonly accuracy: Float64Array;
  /** Cumulative count of probes with mate rank <= rank[i]. */
  readonly hits: Int32Array;
  readonly probes: number;
}

/**
 * Rank-1 accuracy = #{mate rank = 1}/N_mated, threshold ignored (closed set), with the Clopper-Pearson interval
 * at `level` (default 0.95). Ties: the rank is taken as given; a search that ranks a tied non-mate score first
 * (the caller's tie rule) is a miss here. Throws EMPTY_INPUT for no probes, BAD_INPUT for a rank not an integer >= 0.
 */
export function rank1Accuracy(mateRank: MateRanks, options: { level?: number } = {}): Rank1Accuracy {
  const level = checkLevel(options.level ?? 0.95);
  const ranks = checkRanks(mateRank);
  let hits = 0;
  for (let i = 0; i < ranks.length; i++) if (ranks[i] === 1) hits++;
  return { estimate: hits / ranks.length, hits, probes: ranks.length, interval: clopperPearson(hits, ranks.length, level) };
}

/**
 * CMC(k) = #{1 <= mate rank <= k}/N_mated for k = 1..maxRank (default 20): non-decreasing, CMC(1) = rank-1
 * accuracy; a mate not returned (0) or ranked beyond maxRank counts at no k. Ties: as rank1Accuracy (ranks as
 * given). O(n + maxRank). Throws EMPTY_INPUT for no probes, BAD_INPUT for bad ranks or maxRank.
 */
export function cmc(mateRank: MateRanks, maxRank = 20): CmcCurve {
  if (!Number.isInteger(maxRank) || maxRank < 1 || maxRank > 0x7fffffff) throw new FrwError('BAD_INPUT', `maxRank must be a positive integer, got ${String(maxRank)}`);
  const ranks = checkRanks(mateRank);
  const hits = new Int32Array(maxRank);
  for (let i = 0; i < ranks.length; i++) {
    const r = ranks[i];
    if (r >= 1 && r <= maxRank) hits[r - 1]++;
  }
  const rank = new Int32Array(maxRank);
  const accuracy = new Float64Array(maxRank);
  for (let k = 0; k < maxRank; k++) {
    if (k > 0) hits[k] += hits[k - 1];
    rank[k] = k + 1;
    accuracy[k] = hits[k] / ranks.length;
  }
  return { rank, accuracy, hits, probes: ranks.length };
}

function checkRanks(mateRank: MateRanks): ArrayLike<number> {
  if (mateRank == null || typeof mateRank.length !== 'number') throw new FrwError('BAD_INPUT', 'mateRank must be an array of 1-based ranks (0 = mate not returned)');
  if (mateRank.length === 0) throw new FrwError('EMPTY_INPUT', 'no mated probes: rank-k accuracy is undefined');
  for (let i = 0; i < mateRank.length; i++) {
    const r = mateRank[i];
    if (!Number.isInteger(r) || r < 0) throw new FrwError('BAD_INPUT', `mate rank #${i} is ${r}; ranks are integers >= 1, or 0 when the mate is not returned`, { index: i });
  }
  return mateRank;
}
