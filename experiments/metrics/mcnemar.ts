/**
 * Exact McNemar test of two models scored on the same comparisons (docs/metrics.md, "Comparing two models on the
 * same comparisons"). Each model decides every comparison at its own threshold for the same rule; only the
 * comparisons where the two decisions differ carry evidence. Under "the models are equally accurate" each such
 * comparison is equally likely to favour either model, so the count that favours A is Binomial(n_discordant, 1/2).
 */
import { FrwError } from '../../core/errors.js';
import { incompleteBeta } from './beta.js';
import { checkLevel } from './checks.js';

/**
 * Two models on the same comparisons of one kind (genuine or impostor): index i of every array is comparison i.
 * Each model's threshold is given per comparison, so a rule that picks one threshold per fold (LFW 10-fold) fits
 * as well as one threshold for all (fill the array).
 */
export interface PairedComparisons {
  readonly scoreA: ArrayLike<number>;
  readonly scoreB: ArrayLike<number>;
  readonly thresholdA: ArrayLike<number>;
  readonly thresholdB: ArrayLike<number>;
}

export interface McNemarTest {
  /** Comparisons A decided correctly and B wrongly (n10), and the reverse (n01): the discordant ones. */
  readonly onlyA: number;
  readonly onlyB: number;
  readonly bothCorrect: number;
  readonly bothWrong: number;
  readonly comparisons: number;
  /** Accuracy of A minus accuracy of B over these comparisons: (onlyA - onlyB) / comparisons. */
  readonly accuracyDifference: number;
  /** Two-sided exact binomial p-value of onlyA among onlyA + onlyB at 1/2 (1 when no decision differs). */
  readonly pValue: number;
  readonly level: number;
  /** 'a' or 'b' when p < 1 - level (the one with more discordant wins); null: no difference backed by this data. */
  readonly better: 'a' | 'b' | null;
  readonly method: string;
}

/**
 * Two-sided exact binomial test of k successes in n trials at p = 1/2, as scipy.stats.binomtest(k, n, 0.5)
 * computes it: the probability of every outcome no likelier than k. By symmetry that is 2·P(X <= min(k, n-k)),
 * capped at 1 (exactly 1 when k = n/2). P(X <= j) = I_{1/2}(n - j, j + 1), from the incomplete beta, which keeps
 * full relative precision in the far tail. n = 0 gives 1 (no evidence either way). Ties: not applicable (counts).
 */
export function binomialTestHalf(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new FrwError('BAD_INPUT', `trials must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new FrwError('BAD_INPUT', `successes must be an integer in [0, ${n}], got ${k}`);
  const j = Math.min(k, n - k);
  if (n === 0 || 2 * j === n) return 1;
  return Math.min(1, 2 * incompleteBeta(0.5, n - j, j + 1).lower);
}

/**
 * Exact McNemar test (two-sided, exact binomial on the discordant counts; McNemar 1947, the exact form of
 * Edwards / Fagerland et al. 2013). A genuine comparison is decided correctly when its score is >= the model's
 * threshold (accept iff s >= t, docs/metrics.md), an impostor one when its score is < the threshold. A comparison
 * a model could not score (NaN: a failure to acquire) is refused: the caller keeps the comparisons both scored.
 * Ties: a score equal to its threshold is an accept, as everywhere in the project.
 */
export function mcnemarTest(genuine: PairedComparisons, impostor: PairedComparisons, level = 0.95): McNemarTest {
  checkLevel(level);
  const counts = { onlyA: 0, onlyB: 0, bothCorrect: 0, bothWrong: 0 };
  tally(genuine, true, counts, 'genuine');
  tally(impostor, false, counts, 'impostor');
  const n = counts.onlyA + counts.onlyB + counts.bothCorrect + counts.bothWrong;
  if (n === 0) throw new FrwError('EMPTY_INPUT', 'no comparisons to test');
  const pValue = binomialTestHalf(counts.onlyA, counts.onlyA + counts.onlyB);
  const better = pValue < 1 - level ? (counts.onlyA > counts.onlyB ? 'a' : 'b') : null;
  return { ...counts, comparisons: n, accuracyDifference: (counts.onlyA - counts.onlyB) / n, pValue, level, better, method: 'exact McNemar (two-sided binomial test of the discordant comparisons at 1/2)' };
}

function tally(c: PairedComparisons, genuine: boolean, counts: { onlyA: number; onlyB: number; bothCorrect: number; bothWrong: number }, what: string): void {
  const n = c?.scoreA?.length;
  if (typeof n !== 'number' || c.scoreB?.length !== n || c.thresholdA?.length !== n || c.thresholdB?.length !== n) {
    throw new FrwError('BAD_INPUT', `${what}: scoreA, scoreB, thresholdA and thresholdB must be arrays of one length`);
  }
  for (let i = 0; i < n; i++) {
    const [sa, sb, ta, tb] = [c.scoreA[i], c.scoreB[i], c.thresholdA[i], c.thresholdB[i]];
    if (Number.isNaN(sa) || Number.isNaN(sb)) throw new FrwError('BAD_INPUT', `${what} comparison #${i}: a score is NaN (a failure to acquire); keep the comparisons both models scored`);
    if (Number.isNaN(ta) || Number.isNaN(tb)) throw new FrwError('BAD_INPUT', `${what} comparison #${i}: a threshold is NaN`);
    const okA = (sa >= ta) === genuine;
    const okB = (sb >= tb) === genuine;
    if (okA && okB) counts.bothCorrect++;
    else if (okA) counts.onlyA++;
    else if (okB) counts.onlyB++;
    else counts.bothWrong++;
  }
}
