import { FrwError } from '../../core/errors.js';
import { boxArea, type Detection } from './types.js';

/**
 * Which face an image stands for when the detector finds several (about 16% of LFW images hold more than one).
 * - `central-largest`: area minus twice the squared offset of the box centre from the image centre (InsightFace's
 *   rule for `max_num`): the subject of a centred crop, or the dominant face of a photo.
 * - `largest`: biggest box. - `central`: box centre nearest the image centre. - `score`: highest detector score.
 * - `reject`: several faces is a failure (for enrolment, where a wrong face would poison the gallery).
 */
export const FACE_POLICIES = ['central-largest', 'largest', 'central', 'score', 'reject'] as const;
export type FacePolicy = (typeof FACE_POLICIES)[number];

export function parseFacePolicy(v: string): FacePolicy {
  if (!(FACE_POLICIES as readonly string[]).includes(v)) {
    throw new FrwError('BAD_INPUT', `unknown face policy "${v}"; use one of ${FACE_POLICIES.join(', ')}`);
  }
  return v as FacePolicy;
}

/** Index of the chosen detection, or -1 for `reject` with several faces. `dets` must be non-empty. */
export function chooseFace(dets: readonly Detection[], imageWidth: number, imageHeight: number, policy: FacePolicy): number {
  if (dets.length === 0) throw new FrwError('INTERNAL', 'chooseFace needs at least one detection');
  if (dets.length === 1) return 0;
  const cx = imageWidth / 2;
  const cy = imageHeight / 2;
  const offset2 = (d: Detection) => ((d.box.x1 + d.box.x2) / 2 - cx) ** 2 + ((d.box.y1 + d.box.y2) / 2 - cy) ** 2;
  const value: Record<Exclude<FacePolicy, 'reject'>, (d: Detection) => number> = {
    'central-largest': (d) => boxArea(d.box) - 2 * offset2(d),
    largest: (d) => boxArea(d.box),
    central: (d) => -offset2(d),
    score: (d) => d.score,
  };
  if (policy === 'reject') return -1;
  let best = 0;
  for (let i = 1; i < dets.length; i++) if (value[policy](dets[i]) > value[policy](dets[best])) best = i;
  return best;
}
