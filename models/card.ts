import { FrwError } from '../core/errors.js';
import { KERAS_ARCHITECTURES, type KerasArchitecture } from './keras/architecture.js';

/**
 * Model cards: everything that makes a checkpoint produce the numbers it was measured with. Models differ by card,
 * never by subclass. Cards are JSON (models/cards/*.json shipped, <workspace>/models/*.json added by users).
 */
export const MODEL_FORMATS = ['onnx', 'tfjs-graph', 'tfjs-layers', 'keras-h5'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];
export const MODEL_TASKS = ['embedding', 'detection'] as const;
export type Layout = 'NCHW' | 'NHWC';
export type ChannelOrder = 'RGB' | 'BGR';

/** How pixels become the input tensor: value = (pixel − mean[c]) / std[c], channels in `channelOrder`. */
export interface PixelSpec {
  layout: Layout;
  channelOrder: ChannelOrder;
  /** Per channel, in the model's channel order. */
  mean: [number, number, number];
  std: [number, number, number];
}

interface CardBase {
  id: string;
  name: string;
  /** `file.onnx` under the model root, `npm:<package>/<path>` inside node_modules, or an absolute path. */
  file: string;
  /** sha256 of the model file (for TF.js: of model.json followed by its weight shards in manifest order). */
  sha256: string;
  format: ModelFormat;
  licence: string;
  provenance: string;
  notes?: string;
}

export interface EmbedderCard extends CardBase {
  task: 'embedding';
  input: PixelSpec & { name: string; /** Including the batch dimension; -1 where free. */ shape: number[] };
  output: { name: string; dim: number };
  /** The aligned crop the model expects: ArcFace template scaled to `size`, with `margin` on each side. */
  alignment: { size: number; margin: number };
  /** What the shipping team measured (shared/README.md); shown beside our own numbers, never used as results. */
  reference?: Record<string, string | number>;
  /**
   * keras-h5 only: build this architecture in code and take only the weights from the file (needed for weights-only
   * files). Without it the file's own model_config is built.
   */
  architecture?: KerasArchitecture;
}

export interface DetectorCard extends CardBase {
  task: 'detection';
  family: 'scrfd' | 'yunet';
  input: PixelSpec & { name: string; /** Network input [width, height] the image is letterboxed to. */ size: [number, number] };
  scoreThreshold: number;
  nmsThreshold: number;
}

export type ModelCard = EmbedderCard | DetectorCard;

/** Validate untrusted JSON as a card, listing every problem at once. */
export function parseCard(json: unknown, source: string): ModelCard {
  const errs: string[] = [];
  const o = (json ?? {}) as Record<string, unknown>;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FrwError('BAD_INPUT', `${source}: a model card must be a JSON object`);
  const str = (k: string, obj = o, at = '') => {
    if (typeof obj[k] !== 'string' || (obj[k] as string).length === 0) errs.push(`${at}${k} must be a non-empty string`);
  };
  const num = (k: string, obj: Record<string, unknown>, at: string, min = -Infinity) => {
    if (typeof obj[k] !== 'number' || !Number.isFinite(obj[k]) || (obj[k] as number) < min) errs.push(`${at}${k} must be a number >= ${min}`);
  };
  const oneOf = (k: string, vals: readonly string[], obj = o, at = '') => {
    if (!vals.includes(obj[k] as string)) errs.push(`${at}${k} must be one of ${vals.join(', ')} (got ${JSON.stringify(obj[k])})`);
  };
  const triple = (k: string, obj: Record<string, unknown>, at: string, positive: boolean) => {
    const v = obj[k];
    if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x) || (positive && x <= 0))) {
      errs.push(`${at}${k} must be 3 ${positive ? 'positive ' : ''}numbers`);
    }
  };
  for (const k of ['id', 'name', 'file', 'licence', 'provenance']) str(k);
  if (typeof o.id === 'string' && !/^[a-z0-9][a-z0-9._-]*$/.test(o.id)) errs.push('id must be lowercase letters, digits, ".", "_" or "-"');
  if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) errs.push('sha256 must be 64 lowercase hex digits');
  oneOf('task', MODEL_TASKS);
  oneOf('format', MODEL_FORMATS);
  const input = (o.input ?? {}) as Record<string, unknown>;
  if (typeof o.input !== 'object' || o.input === null) errs.push('input must be an object');
  str('name', input, 'input.');
  oneOf('layout', ['NCHW', 'NHWC'], input, 'input.');
  oneOf('channelOrder', ['RGB', 'BGR'], input, 'input.');
  triple('mean', input, 'input.', false);
  triple('std', input, 'input.', true);
  if (o.task === 'embedding') {
    const shape = input.shape;
    if (!Array.isArray(shape) || shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
      errs.push('input.shape must be 4 integers (batch first; -1 for a free batch)');
    }
    const output = (o.output ?? {}) as Record<string, unknown>;
    str('name', output, 'output.');
    num('dim', output, 'output.', 1);
    const al = (o.alignment ?? {}) as Record<string, unknown>;
    num('size', al, 'alignment.', 16);
    num('margin', al, 'alignment.', 0);
    if (o.architecture !== undefined) {
      const a = (o.architecture ?? {}) as Record<string, unknown>;
      if (o.format !== 'keras-h5') errs.push('architecture is for keras-h5 cards only');
      oneOf('name', KERAS_ARCHITECTURES, a, 'architecture.');
      if (typeof a.width !== 'number' || !(a.width > 0 && a.width <= 4)) errs.push('architecture.width must be a number in (0, 4]');
      if (a.stride !== 1 && a.stride !== 2) errs.push('architecture.stride must be 1 or 2');
    }
  } else if (o.task === 'detection') {
    oneOf('family', ['scrfd', 'yunet']);
    const size = input.size;
    if (!Array.isArray(size) || size.length !== 2 || size.some((d) => !Number.isInteger(d) || d < 32 || d % 32 !== 0)) {
      errs.push('input.size must be [width, height], multiples of 32');
    }
    num('scoreThreshold', o, '', 0);
    num('nmsThreshold', o, '', 0);
    if (o.format !== 'onnx') errs.push('detectors must be ONNX models');
  }
  if (errs.length) throw new FrwError('BAD_INPUT', `${source}: invalid model card:\n  - ${errs.join('\n  - ')}`, { errors: errs });
  return json as ModelCard;
}

/** A Keras embedder's input without the batch dimension, from its card: it fills files whose input sizes are free. */
export function kerasInputShape(card: EmbedderCard): number[] | undefined {
  return card.input.layout === 'NHWC' ? card.input.shape.slice(1) : undefined;
}

/** Spatial input size [width, height] of an embedder, from its declared shape and layout. */
export function embedderInputSize(card: EmbedderCard): { width: number; height: number } {
  const s = card.input.shape;
  return card.input.layout === 'NCHW' ? { width: s[3], height: s[2] } : { width: s[2], height: s[1] };
}
