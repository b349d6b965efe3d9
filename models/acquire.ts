import { FrwError } from '../core/errors.js';
import { acquisitionFailure } from '../core/failures.js';
import { decodeImage, type DecodedImage, type DecodeOptions, type RgbImage } from '../datasets/image.js';
import { alignFace, type AlignOptions } from './align.js';
import type { DetectorCard } from './card.js';
import { detectFaces, type DetectOptions } from './detect/detector.js';
import { chooseFace, type FacePolicy } from './detect/policy.js';
import { scaleDetection, type Detection, type Point } from './detect/types.js';
import type { LoadedModel } from './load.js';
import { resizeRgb } from './tensor.js';

export interface AcquireSettings {
  decode: DecodeOptions;
  detect: DetectOptions;
  policy: FacePolicy;
  align: AlignOptions;
}

/** Quality fields recorded with every face, for breakdowns (grayscale, resolution, face size). */
export interface FaceQuality {
  /** Original image size after EXIF orientation. */
  imageWidth: number;
  imageHeight: number;
  grayscale: boolean;
  /** Detector score of the chosen face (1 in pre-aligned mode). */
  detScore: number;
  /** Face box area / image area, in [0, 1]. */
  faceAreaRatio: number;
  /** Distance between the two eye landmarks in original pixels (NaN in pre-aligned mode). */
  interEyeDistance: number;
}

export interface AcquiredFace {
  aligned: RgbImage;
  /** Faces the detector found (1 in pre-aligned mode). */
  faceCount: number;
  /** The chosen face, in original image pixels; null in pre-aligned mode. */
  detection: Detection | null;
  quality: FaceQuality;
}

/**
 * The outcome of detection and choice for one image, before alignment: everything about the face that does not
 * depend on the embedder, so a face cache can keep it and every embedder can align from it.
 */
export interface LocatedFace {
  faceCount: number;
  /** The chosen face in original image pixels (what is reported and recorded). */
  detection: Detection;
  /**
   * The chosen face's landmarks in working-resolution pixels, exactly as the detector gave them: alignment warps
   * the working image with these, so keeping them (not rescaling `detection` back) keeps embeddings bit-identical.
   */
  workingLandmarks: Point[];
  quality: FaceQuality;
}

/**
 * Image → one aligned face: decode (working resolution), detect, choose one face by policy, align to the
 * template. With `detector` null the image is taken as already aligned (resized to the crop size).
 * Throws acquisition failures (decode reasons, `no-face`, `multiple-faces`) for the caller to count.
 */
export async function acquireFace(input: string | Uint8Array, detector: LoadedModel<DetectorCard> | null, s: AcquireSettings): Promise<AcquiredFace> {
  const dec = await decodeImage(input, s.decode);
  if (!detector) {
    const aligned = await resizeRgb(dec.image, s.align.size, s.align.size);
    return { aligned, faceCount: 1, detection: null, quality: { ...imageQuality(dec), detScore: 1, faceAreaRatio: 1, interEyeDistance: NaN } };
  }
  const located = await locateFace(dec, detector, s);
  return alignLocated(dec, located, s.align);
}

const imageQuality = (dec: DecodedImage) => ({ imageWidth: dec.originalWidth, imageHeight: dec.originalHeight, grayscale: dec.grayscale });

/**
 * Detect faces in a decoded image and choose one by policy, with its quality fields (from the detection and the
 * original image: no embedder involved). Throws `no-face` or `multiple-faces` acquisition failures.
 */
export async function locateFace(dec: DecodedImage, detector: LoadedModel<DetectorCard>, s: Pick<AcquireSettings, 'detect' | 'policy'>): Promise<LocatedFace> {
  const dets = await detectFaces(detector.session, detector.card, dec.image, s.detect);
  if (dets.length === 0) throw acquisitionFailure('no-face', `no face found above score ${s.detect.scoreThreshold ?? detector.card.scoreThreshold} by ${detector.card.id}`);
  const idx = chooseFace(dets, dec.image.width, dec.image.height, s.policy);
  if (idx < 0) throw acquisitionFailure('multiple-faces', `${dets.length} faces found and the policy "${s.policy}" refuses to choose`, { faces: dets.length });
  const chosen = dets[idx];
  const orig = scaleDetection(chosen, 1 / dec.scale);
  const [le, re] = orig.landmarks;
  return {
    faceCount: dets.length,
    detection: orig,
    workingLandmarks: chosen.landmarks,
    quality: {
      ...imageQuality(dec),
      detScore: chosen.score,
      faceAreaRatio: Math.min(1, ((orig.box.x2 - orig.box.x1) * (orig.box.y2 - orig.box.y1)) / (dec.originalWidth * dec.originalHeight)),
      interEyeDistance: Math.hypot(re.x - le.x, re.y - le.y),
    },
  };
}

/**
 * A located face of a decoded image, warped to an embedder's template. Landmarks that give no transform (all at one
 * point) are a face the detector cannot place: a `no-face` failure, decided here for every embedder alike.
 */
export function alignLocated(dec: DecodedImage, face: LocatedFace, align: AlignOptions): AcquiredFace {
  let aligned: RgbImage;
  try {
    aligned = alignFace(dec.image, face.workingLandmarks, align);
  } catch (e) {
    if (e instanceof FrwError && e.code === 'BAD_INPUT') throw acquisitionFailure('no-face', `no usable face: ${e.message}`);
    throw e;
  }
  return { aligned, faceCount: face.faceCount, detection: face.detection, quality: face.quality };
}
