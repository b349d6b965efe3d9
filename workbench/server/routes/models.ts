import express from 'express';
import { workspacePaths, type FrwConfig } from '../../../core/config.js';
import { listCards } from '../../../models/registry.js';

/** /api/models: every card with its provenance and licence (shown in the UI beside every result). */
export function modelsRouter(cfg: FrwConfig): express.Router {
  const r = express.Router();
  r.get('/', (_req, res) => {
    res.json({ models: listCards(workspacePaths(cfg).userModels).map((c) => ({ ...c.card, origin: c.origin })) });
  });
  return r;
}
