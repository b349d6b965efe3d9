import { FrwError } from '../core/errors.js';
import type { RgbImage } from '../datasets/image.js';
import { mirror } from './align.js';
import { embedderInputSize, type EmbedderCard } from './card.js';
import type { LoadedModel } from './load.js';
import type { FloatTensor, InferenceSession } from './runtime/types.js';
import { resizeRgb, writePixels } from './tensor.js';

/** Largest batch we send when the model's batch dimension is free; fixed-batch models get 1. */
export const MAX_BATCH = 16;

const isFree = (d: number | string | undefined) => typeof d !== 'number' || d < 0;

/**
 * Check a card against the real model: input name and static dims, output name, and — by running one zero
 * input — the output dimension. Every mismatch is listed in one MODEL_MISMATCH error.
 */
export async function verifyEmbedderCard(card: EmbedderCard, session: InferenceSession): Promise<void> {
  const errs: string[] = [];
  const input = session.inputs.find((i) => i.name === card.input.name);
  if (!input) errs.push(`input "${card.input.name}" not in model (model inputs: ${session.inputs.map((i) => `${i.name} ${JSON.stringify(i.shape)}`).join(', ')})`);
  else {
    if (input.shape.length !== card.input.shape.length) errs.push(`input rank: card ${JSON.stringify(card.input.shape)}, model ${JSON.stringify(input.shape)}`);
    else {
      input.shape.forEach((d, i) => {
        const c = card.input.shape[i];
        if (i > 0 && !isFree(d) && d !== c) errs.push(`input dim ${i}: card ${c}, model ${d} (card shape ${JSON.stringify(card.input.shape)}, model ${JSON.stringify(input.shape)})`);
      });
      const chanAxis = card.input.layout === 'NCHW' ? 1 : 3;
      if (card.input.shape[chanAxis] !== 3) errs.push(`layout ${card.input.layout} puts channels on axis ${chanAxis}, but the card's shape has ${card.input.shape[chanAxis]} there`);
    }
  }
  if (!session.outputs.some((o) => o.name === card.output.name)) {
    errs.push(`output "${card.output.name}" not in model (model outputs: ${session.outputs.map((o) => `${o.name} ${JSON.stringify(o.shape)}`).join(', ')})`);
  }
  if (errs.length === 0) {
    const shape = card.input.shape.map((d, i) => (i === 0 ? 1 : d));
    try {
      const out = await session.run({ [card.input.name]: { data: new Float32Array(shape.reduce((a, b) => a * b, 1)), dims: shape } }, [card.output.name]);
      const t = out[card.output.name];
      const dim = t.data.length;
      if (dim !== card.output.dim) errs.push(`output "${card.output.name}" has ${dim} values per face (dims ${JSON.stringify(t.dims)}), card says ${card.output.dim}`);
    } catch (e) {
      errs.push(`a test inference with the card's shape ${JSON.stringify(shape)} failed: ${(e as Error).message}`);
    }
  }
  if (errs.length) throw new FrwError('MODEL_MISMATCH', `model card "${card.id}" does not match its model:\n  - ${errs.join('\n  - ')}`, { errors: errs });
}

/** Batch size this model accepts: free batch dimension → MAX_BATCH, else the declared one (1). */
export function batchSizeOf(model: LoadedModel<EmbedderCard>): number {
  const input = model.session.inputs.find((i) => i.name === model.card.input.name);
  return input && isFree(input.shape[0]) ? MAX_BATCH : 1;
}

export interface EmbedOptions {
  /** Flip test-time augmentation: embedding of the face plus its mirror, summed, then normalised. */
  flip: boolean;
}

/**
 * Stages 2–4 for a list of aligned faces: preprocess per the card, run in batches, L2-normalise. Returns one
 * unit-length vector per face, in order.
 */
export async function embedFaces(model: LoadedModel<EmbedderCard>, faces: readonly RgbImage[], opts: EmbedOptions): Promise<Float32Array[]> {
  const { card } = model;
  const { width, height } = embedderInputSize(card);
  const inputs = await Promise.all(faces.map((f) => resizeRgb(f, width, height)));
  const batch = batchSizeOf(model);
  const perImage = width * height * 3;
  const dim = card.output.dim;
  const out: Float32Array[] = faces.map(() => new Float32Array(dim));
  const views = opts.flip ? 2 : 1;
  for (let v = 0; v < views; v++) {
    for (let start = 0; start < inputs.length; start += batch) {
      const chunk = inputs.slice(start, start + batch);
      const data = new Float32Array(chunk.length * perImage);
      chunk.forEach((img, i) => writePixels(v === 0 ? img : mirror(img), card.input, data, i * perImage));
      const dims = [chunk.length, ...card.input.shape.slice(1)];
      const res: FloatTensor = (await model.session.run({ [card.input.name]: { data, dims } }, [card.output.name]))[card.output.name];
      if (res.data.length !== chunk.length * dim) {
        throw new FrwError('MODEL_MISMATCH', `model "${card.id}" returned ${res.data.length} values for ${chunk.length} faces; expected ${dim} each`);
      }
      chunk.forEach((_, i) => {
        const acc = out[start + i];
        for (let k = 0; k < dim; k++) acc[k] += res.data[i * dim + k];
      });
    }
  }
  for (const v of out) l2normalize(v);
  return out;
}

/** Scale to unit length in place. A zero vector (a dead model output) stays zero rather than becoming NaN. */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}
