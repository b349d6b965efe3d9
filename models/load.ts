import { FrwError } from '../core/errors.js';
import { kerasInputShape, type ModelCard } from './card.js';
import { modelDigest, resolveModelFile } from './files.js';
import { createKerasSession } from './runtime/keras.js';
import { createOnnxSession } from './runtime/onnx.js';
import { createTfjsSession } from './runtime/tfjs.js';
import type { InferenceSession } from './runtime/types.js';

export interface LoadedModel<C extends ModelCard = ModelCard> {
  card: C;
  /** Absolute path of the model file. */
  file: string;
  /** sha256 of the weights actually loaded (equals card.sha256, checked). */
  sha256: string;
  session: InferenceSession;
}

export interface LoadOptions {
  modelRoot: string;
  threads: number;
  /** Skip the sha256 check (only `frw model add`, which computes the digest it will record). */
  skipDigestCheck?: boolean;
}

/** Stage 1 of inference: find the file, prove it is the card's file, and open a runtime session for it. */
export async function loadModel<C extends ModelCard>(card: C, opts: LoadOptions): Promise<LoadedModel<C>> {
  const file = resolveModelFile(card, opts.modelRoot);
  const sha256 = await modelDigest(file, card.format);
  if (!opts.skipDigestCheck && sha256 !== card.sha256) {
    throw new FrwError('INTEGRITY', `model "${card.id}": ${file} has sha256 ${sha256}, but its card pins ${card.sha256}. The file changed; re-register it or restore the original.`, { expected: card.sha256, actual: sha256 });
  }
  const session = await openSession(card, file, opts.threads);
  return { card, file, sha256, session };
}

function openSession(card: ModelCard, file: string, threads: number): Promise<InferenceSession> {
  switch (card.format) {
    case 'onnx':
      return createOnnxSession(file, { threads });
    case 'keras-h5':
      return card.task === 'embedding'
        ? createKerasSession(file, { threads, architecture: card.architecture, inputShape: kerasInputShape(card) })
        : createKerasSession(file, { threads });
    default:
      return createTfjsSession(file, { threads });
  }
}

/**
 * Hash the cards' files here once, before worker threads start: each worker is then handed the digests
 * (knownDigests) instead of hashing the same files again.
 */
export async function digestModelFiles(cards: ReadonlyArray<ModelCard | null>, modelRoot: string): Promise<void> {
  for (const card of cards) if (card) await modelDigest(resolveModelFile(card, modelRoot), card.format);
}
