import express from 'express';
import fs from 'node:fs';
import { workspacePaths, type FrwConfig } from '../../../core/config.js';
import { FrwError } from '../../../core/errors.js';
import { resolveInside } from '../../../core/paths.js';

/** The files a decision-report folder holds (usecases/decision-report.ts), with the type each is served as. */
const FILES: Record<string, string> = { 'report.html': 'html', 'report.pdf': 'pdf', 'gate.json': 'json', 'deploy.json': 'json' };

/** /api/reports: the decision reports built by report jobs, file by file (`?download` to save rather than open). */
export function reportsRouter(cfg: FrwConfig): express.Router {
  const r = express.Router();
  const root = workspacePaths(cfg).reports;
  r.get('/:id/:file', (req, res) => {
    const { id, file } = req.params;
    if (!/^[\w.-]+$/.test(id) || id.startsWith('.')) throw new FrwError('OUTSIDE_ROOT', `report id ${JSON.stringify(id)} is not a report folder name`);
    if (!(file in FILES)) throw new FrwError('NOT_FOUND', `a report has ${Object.keys(FILES).join(', ')}; not ${JSON.stringify(file)}`);
    const abs = resolveInside(resolveInside(root, id), file);
    // lstat: a link planted in the workspace is not followed out of it.
    const st = fs.existsSync(abs) ? fs.lstatSync(abs) : null;
    if (!st?.isFile()) throw new FrwError('NOT_FOUND', file === 'report.pdf' ? `report ${id} has no PDF (Chromium could not print it; the job's result says why)` : `no report ${id}`);
    if (req.query.download !== undefined) res.attachment(`${id}-${file}`);
    res.type(FILES[file]).sendFile(abs);
  });
  return r;
}
