import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { PROJECT_ROOT } from '../core/paths.js';
import { parseCard, type DetectorCard, type EmbedderCard, type ModelCard } from './card.js';

export const SHIPPED_CARDS_DIR = path.join(PROJECT_ROOT, 'models', 'cards');

export interface RegisteredCard {
  card: ModelCard;
  /** Where the card came from: 'shipped' with the project, or 'user' (added with `frw model add`). */
  origin: 'shipped' | 'user';
  cardPath: string;
}

/**
 * All cards, shipped first. A user card may not reuse a shipped id (it would silently change what a name means
 * in old runs); a broken card file is an error naming the file, not a silently missing model.
 */
export function listCards(userModelsDir: string): RegisteredCard[] {
  const read = (dir: string, origin: RegisteredCard['origin']): RegisteredCard[] =>
    !fs.existsSync(dir)
      ? []
      : fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => {
            const cardPath = path.join(dir, f);
            let json: unknown;
            try {
              json = JSON.parse(fs.readFileSync(cardPath, 'utf8'));
            } catch (e) {
              throw new FrwError('BAD_INPUT', `model card ${cardPath} is not valid JSON: ${(e as Error).message}`);
            }
            return { card: parseCard(json, cardPath), origin, cardPath };
          });
  const all = [...read(SHIPPED_CARDS_DIR, 'shipped'), ...read(userModelsDir, 'user')];
  const seen = new Map<string, string>();
  for (const r of all) {
    const prev = seen.get(r.card.id);
    if (prev) throw new FrwError('CONFLICT', `model id "${r.card.id}" is defined twice: ${prev} and ${r.cardPath}`);
    seen.set(r.card.id, r.cardPath);
  }
  return all;
}

export function getCard(id: string, userModelsDir: string): ModelCard {
  const all = listCards(userModelsDir);
  const hit = all.find((r) => r.card.id === id);
  if (!hit) {
    throw new FrwError('NOT_FOUND', `no model card "${id}"; known: ${all.map((r) => r.card.id).join(', ')}`, { id });
  }
  return hit.card;
}

export function getEmbedderCard(id: string, userModelsDir: string): EmbedderCard {
  const c = getCard(id, userModelsDir);
  if (c.task !== 'embedding') throw new FrwError('BAD_INPUT', `"${id}" is a ${c.task} model, not an embedder`);
  return c;
}

export function getDetectorCard(id: string, userModelsDir: string): DetectorCard {
  const c = getCard(id, userModelsDir);
  if (c.task !== 'detection') throw new FrwError('BAD_INPUT', `"${id}" is a ${c.task} model, not a face detector`);
  return c;
}

export const DEFAULT_EMBEDDER = 'fr-feature';
export const DEFAULT_DETECTOR = 'scrfd-2.5g';
