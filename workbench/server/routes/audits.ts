import express from 'express';
import type { AuditFolders } from '../audit-folders.js';
import { queryInt } from '../params.js';
import { FrwError } from '../../../core/errors.js';

/** /api/audits: the dataset audits under the workspace, their faces, and decisions about their flags. */
export function auditsRouter(audits: AuditFolders): express.Router {
  const r = express.Router();
  r.get('/', (_req, res) => {
    res.json({ audits: audits.list() });
  });
  r.get('/:dataset/:id', (req, res) => {
    res.json(audits.detail(req.params.dataset, req.params.id));
  });
  r.get('/:dataset/:id/face', async (req, res) => {
    if (typeof req.query.path !== 'string') throw new FrwError('BAD_INPUT', 'face needs ?path=<image path>');
    const jpeg = await audits.face(req.params.dataset, req.params.id, req.query.path, queryInt(req.query.size, 96, 32, 256, 'size'));
    res.type('jpeg').set('cache-control', 'private, max-age=3600').send(jpeg);
  });
  r.post('/:dataset/:id/decisions', express.json({ limit: '16kb' }), (req, res) => {
    res.status(201).json(audits.decide(req.params.dataset, req.params.id, req.body ?? {}));
  });
  return r;
}
