import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { workspacePaths, type FrwConfig } from '../../../core/config.js';
import { FrwError } from '../../../core/errors.js';
import { resolveInside } from '../../../core/paths.js';

/** /api/runs: the history of evaluation and identification runs in the workspace, their JSON and reports. */
export function runsRouter(cfg: FrwConfig): express.Router {
  const r = express.Router();
  const root = workspacePaths(cfg).runs;
  const runDir = (id: string) => {
    if (!/^[\w.-]+$/.test(id)) throw new FrwError('OUTSIDE_ROOT', `run id ${JSON.stringify(id)} is not a run folder name`);
    const dir = resolveInside(root, id);
    if (!fs.existsSync(path.join(dir, 'run.json')) && !fs.existsSync(path.join(dir, 'identification.json'))) throw new FrwError('NOT_FOUND', `no run "${id}"`);
    return dir;
  };
  const readJson = (file: string) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null);
  r.get('/', (_req, res) => {
    const ids = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'run.json')) || fs.existsSync(path.join(root, d, 'identification.json'))) : [];
    const runs = ids.map((id) => {
      const rec = readJson(path.join(root, id, 'run.json')) ?? readJson(path.join(root, id, 'identification.json'));
      return { id, kind: fs.existsSync(path.join(root, id, 'run.json')) ? 'eval' : 'identify', createdAt: rec.createdAt, dataset: rec.dataset?.name, models: (rec.models ?? []).map((m: { id: string }) => m.id), protocol: rec.protocol ?? null };
    });
    runs.sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    res.json({ runs });
  });
  r.get('/:id', (req, res) => {
    const dir = runDir(req.params.id);
    res.json({ id: req.params.id, run: readJson(path.join(dir, 'run.json')), metrics: readJson(path.join(dir, 'metrics.json')), identification: readJson(path.join(dir, 'identification.json')) });
  });
  r.get('/:id/report', (req, res) => {
    const file = path.join(runDir(req.params.id), 'report.html');
    if (!fs.existsSync(file)) throw new FrwError('NOT_FOUND', `run ${req.params.id} has no report`);
    res.type('html').send(fs.readFileSync(file, 'utf8'));
  });
  return r;
}
