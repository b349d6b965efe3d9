/** Geometry shared by detectors, the face-choice policy and alignment. Coordinates are pixels of the image given. */
export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** One detected face: box, detector score in [0,1], five landmarks in the ArcFace order
 * (left eye, right eye, nose tip, left mouth corner, right mouth corner — "left" as seen in the image). */
export interface Detection {
  box: Box;
  score: number;
  landmarks: Point[];
}

export const boxArea = (b: Box): number => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);

export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** Greedy non-maximum suppression: keep the best-scoring box, drop those overlapping it above `iouThreshold`. */
export function nms(dets: Detection[], iouThreshold: number): Detection[] {
  const sorted = [...dets].sort((p, q) => q.score - p.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.every((k) => iou(k.box, d.box) <= iouThreshold)) kept.push(d);
  }
  return kept;
}

/** Map a detection through x' = x * s + dx (same for y): used to undo letterboxing and working-resolution scaling. */
export function scaleDetection(d: Detection, s: number, dx = 0, dy = 0): Detection {
  const p = (q: Point): Point => ({ x: q.x * s + dx, y: q.y * s + dy });
  return {
    score: d.score,
    box: { x1: d.box.x1 * s + dx, y1: d.box.y1 * s + dy, x2: d.box.x2 * s + dx, y2: d.box.y2 * s + dy },
    landmarks: d.landmarks.map(p),
  };
}
