import { FrwError } from '../../core/errors.js';
import type { FloatTensor, TensorInfo } from './types.js';

export const describeTensor = (i: TensorInfo): string => `${i.name} [${i.shape.join(',')}]`;

/**
 * Check feeds against a model's declared inputs before the runtime sees them, so a wrong crop size or layout
 * fails with a message naming both shapes. `canonical` maps a feed name to the model's (TF.js accepts `data:0`
 * for `data`). Returns the feeds keyed by the model's input names.
 */
export function checkFeeds(
  modelPath: string,
  inputs: readonly TensorInfo[],
  feeds: Record<string, FloatTensor>,
  canonical: (name: string) => string = (n) => n,
): Map<string, FloatTensor> {
  const byName = new Map<string, FloatTensor>();
  for (const [name, feed] of Object.entries(feeds)) {
    const info = inputs.find((i) => i.name === canonical(name));
    if (!info) {
      throw new FrwError('MODEL_MISMATCH', `${modelPath} has no input '${name}'; its inputs are ${inputs.map(describeTensor).join(', ')}`, {
        model: modelPath,
        input: name,
      });
    }
    const { data, dims } = feed;
    if (!dims.every((d) => Number.isInteger(d) && d >= 0) || dims.reduce((a, b) => a * b, 1) !== data.length) {
      throw new FrwError('BAD_INPUT', `input '${name}': ${data.length} values do not fill dims [${dims.join(',')}]`);
    }
    // An empty declared shape means the runtime does not know the rank, so there is nothing to hold the feed to.
    const known = info.shape.length > 0;
    if (known && (dims.length !== info.shape.length || info.shape.some((s, k) => typeof s === 'number' && s > 0 && s !== dims[k]))) {
      throw new FrwError('MODEL_MISMATCH', `input '${info.name}' of ${modelPath} expects [${info.shape.join(',')}], given [${dims.join(',')}]`, {
        model: modelPath,
        input: info.name,
        expected: info.shape,
        given: dims,
      });
    }
    byName.set(info.name, feed);
  }
  const missing = inputs.filter((i) => !byName.has(i.name));
  if (missing.length > 0) {
    throw new FrwError('MODEL_MISMATCH', `${modelPath}: missing input(s) ${missing.map(describeTensor).join(', ')}`, { model: modelPath });
  }
  return byName;
}
