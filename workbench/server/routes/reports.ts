import express from 'express';
import fs from 'node:fs';
import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../../../core/config.js';
import { FrwError } from '../../../core/errors.js';

/** The files a decision-report folder holds (usecases/decision-report.ts), with the type each is served as. */
const FILES: Readonly<Record<string, string>> = { 'report.html': 'html', 'report.pdf': 'pdf', 'gate.json': 'json', 'deploy.json': 'json' };

/**
 * /api/reports: the decision reports built by report jobs, file by file (`?download` to save rather than open).
 * Only a plain file inside a plain folder of the reports folder is served: a link planted anywhere on the way
 * (the report's folder or the file) is not followed, whatever it points at.
 */
export function reportsRouter(cfg: FrwConfig): express.Router {
  const r = express.Router();
  const root = workspacePaths(cfg).reports;
  r.get('/:id/:file', (req, res) => {
    const { id, file } = req.params;
    if (!/^[\w.-]+$/.test(id) || id.startsWith('.')) throw new FrwError('OUTSIDE_ROOT', `report id ${JSON.stringify(id)} is not a report folder name`);
    if (!Object.hasOwn(FILES, file)) throw new FrwError('NOT_FOUND', `a report has ${Object.keys(FILES).join(', ')}; not ${JSON.stringify(file)}`);
    const dir = path.join(root, id);
    const plain = (p: string, kind: 'dir' | 'file') => {
      const st = fs.existsSync(p) ? fs.lstatSync(p) : null;
      return kind === 'dir' ? st?.isDirectory() === true : st?.isFile() === true;
    };
    if (!plain(dir, 'dir') || !plain(path.join(dir, file), 'file')) {
      throw new FrwError('NOT_FOUND', file === 'report.pdf' && plain(dir, 'dir') ? `report ${id} has no PDF (Chromium could not print it; the job's result says why)` : `no report ${id} with ${file}`);
    }
    if (req.query.download !== undefined) res.attachment(`${id}-${file}`);
    // Small files (a report is a few hundred KB): read whole, so no send() path rule can turn a dot folder into a 500.
    res.type(FILES[file]).send(fs.readFileSync(path.join(dir, file)));
  });
  return r;
}
