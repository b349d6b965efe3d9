import type { FailureReason } from '../core/failures.js';
import type { Box } from '../models/detect/types.js';

/**
 * What became of one enrolment photo: `face` (one face, enrolled), `several-faces` (enrolled: the policy chose one;
 * or refused by policy "reject": `enrolled` false), `no-face`, or `not-usable` (not decodable: see `reason`).
 */
export interface PhotoVerdict {
  image: number;
  verdict: 'face' | 'several-faces' | 'no-face' | 'not-usable';
  enrolled: boolean;
  faces: number | null;
  box: Box | null;
  reason: FailureReason | null;
  message: string | null;
}

/** The verdict on photo `image` that gave a face (`faces` of them; the policy chose the one at `box`). */
export const enrolledVerdict = (image: number, faces: number, box: Box | null): PhotoVerdict => ({ image, verdict: faces > 1 ? 'several-faces' : 'face', enrolled: true, faces, box, reason: null, message: null });

/** The verdict on photo `image` that gave no face to enrol: its failure to acquire. */
export function refusedVerdict(image: number, f: { reason: FailureReason; message: string }): PhotoVerdict {
  const verdict = f.reason === 'multiple-faces' ? 'several-faces' : f.reason === 'no-face' ? 'no-face' : 'not-usable';
  return { image, verdict, enrolled: false, faces: f.reason === 'no-face' ? 0 : null, box: null, ...f };
}

export interface CheckinOptions {
  /** Do not log the same person again within this many seconds (0: log every check-in). */
  dedupeWindowS?: number;
  /** Log photos without a usable face (true, the default); continuous mode sends false, so empty frames leave no row. */
  logNoFace?: boolean;
}
