import type { RgbImage } from '../../datasets/image.js';
import type { DetectorCard } from '../card.js';
import type { InferenceSession } from '../runtime/types.js';
import { letterbox } from '../tensor.js';
import { decodeScrfd, decodeYunet } from './decode.js';
import { nms, scaleDetection, type Detection } from './types.js';

export interface DetectOptions {
  /** Override the card's network input [width, height] (e.g. 640 for small faces in group photos). */
  size?: [number, number];
  scoreThreshold?: number;
}

/**
 * Face detection as stages: letterbox + normalise (card-driven) → session run → family decoder → NMS → back to
 * image pixels. Returns detections sorted by score, best first.
 */
export async function detectFaces(session: InferenceSession, card: DetectorCard, img: RgbImage, opts: DetectOptions = {}): Promise<Detection[]> {
  const [w, h] = opts.size ?? card.input.size;
  const lb = await letterbox(img, w, h, card.input);
  const outputs = await session.run({ [card.input.name]: { data: lb.tensor, dims: [1, 3, h, w] } });
  const params = { inputWidth: w, inputHeight: h, scoreThreshold: opts.scoreThreshold ?? card.scoreThreshold };
  const raw = card.family === 'scrfd' ? decodeScrfd(Object.values(outputs), params) : decodeYunet(outputs, params);
  return nms(raw, card.nmsThreshold).map((d) => scaleDetection(d, 1 / lb.scale));
}
