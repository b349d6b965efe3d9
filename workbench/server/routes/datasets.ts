import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { FrwConfig } from '../../../core/config.js';
import { FrwError } from '../../../core/errors.js';
import { resolveInside } from '../../../core/paths.js';
import { summarizeDataset } from '../../../datasets/inspect.js';
import { detectDataset, listDatasets, openDataset } from '../../../datasets/resolve.js';

/** /api/datasets: what the data root holds, and each set's inspect summary. Nothing outside the data root. */
export function datasetsRouter(cfg: FrwConfig): express.Router {
  const r = express.Router();
  const inRoot = (name: string) => {
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(name) || name.split('/').includes('..')) throw new FrwError('OUTSIDE_ROOT', `dataset name ${JSON.stringify(name)} is not a folder name under the data root`);
    const abs = resolveInside(cfg.dataRoot, name);
    if (!fs.existsSync(abs)) throw new FrwError('NOT_FOUND', `no dataset "${name}" under the data root`);
    return abs;
  };
  // Express 5 passes a rejected handler promise to the error middleware.
  r.get('/', async (_req, res) => {
    const names = await listDatasets(cfg);
    const datasets = await Promise.all(names.map(async (name) => ({ name, kind: (await detectDataset(path.join(cfg.dataRoot, name)).catch(() => null))?.kind ?? null })));
    res.json({ dataRoot: cfg.dataRoot, datasets });
  });
  r.get('/:name', async (req, res) => {
    inRoot(req.params.name);
    const manifest = await openDataset(req.params.name, cfg);
    res.json({ name: req.params.name, summary: summarizeDataset(manifest) });
  });
  return r;
}
