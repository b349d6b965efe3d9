import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import { MODEL_FORMATS, parseCard, type ModelCard } from './card.js';
import { verifyEmbedderCard } from './embedder.js';
import { modelDigest } from './files.js';
import { loadModel } from './load.js';
import { listCards } from './registry.js';

export interface AddModelRequest {
  /** The checkpoint: an .onnx file, a TF.js model.json or a Keras .h5 file. */
  modelFile: string;
  /** Card fields as the user wrote them; `file` and `sha256` are filled in from `modelFile`. */
  card: Record<string, unknown>;
  userModelsDir: string;
  modelRoot: string;
}

export interface AddModelResult {
  card: ModelCard;
  cardPath: string;
}

/**
 * Register a user's checkpoint: pin its sha256, validate the card, open the model and check the card against its
 * real inputs and outputs (one test inference), then save the card. Nothing is saved unless every check passes.
 */
export async function addModel(req: AddModelRequest): Promise<AddModelResult> {
  const file = path.resolve(req.modelFile);
  if (!fs.existsSync(file)) throw new FrwError('NOT_FOUND', `model file not found: ${file}`);
  const format = req.card.format as ModelCard['format'];
  if (!MODEL_FORMATS.includes(format)) {
    throw new FrwError('BAD_INPUT', `card format must be one of ${MODEL_FORMATS.join(', ')} (got ${JSON.stringify(req.card.format)})`);
  }
  const sha256 = await modelDigest(file, format);
  if (req.card.sha256 !== undefined && req.card.sha256 !== sha256) {
    throw new FrwError('INTEGRITY', `the card pins sha256 ${String(req.card.sha256)}, but ${file} has ${sha256}`);
  }
  const card = parseCard({ ...req.card, file, sha256 }, 'card');
  if (listCards(req.userModelsDir).some((r) => r.card.id === card.id)) {
    throw new FrwError('CONFLICT', `a model with id "${card.id}" is already registered; choose another id`);
  }
  if (card.task !== 'embedding') throw new FrwError('UNSUPPORTED', 'only embedding models can be added for now; detectors are SCRFD or YuNet cards shipped with the project');
  const model = await loadModel(card, { modelRoot: req.modelRoot, threads: 1 });
  try {
    await verifyEmbedderCard(card, model.session);
  } finally {
    await model.session.dispose();
  }
  fs.mkdirSync(req.userModelsDir, { recursive: true });
  const cardPath = path.join(req.userModelsDir, `${card.id}.json`);
  writeFileAtomic(cardPath, JSON.stringify(card, null, 2) + '\n');
  return { card, cardPath };
}
