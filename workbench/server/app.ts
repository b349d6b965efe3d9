import express from 'express';
import type { FrwConfig } from '../../core/config.js';
import { FrwError } from '../../core/errors.js';
import { errorMiddleware } from '../../core/http-errors.js';
import { WorkbenchDatasets } from './datasets-state.js';
import { JobRunner } from './jobs.js';
import { RunFolders } from './run-folders.js';
import { AuditFolders } from './audit-folders.js';
import { auditsRouter } from './routes/audits.js';
import { datasetsRouter } from './routes/datasets.js';
import { engineRouter } from './routes/engine.js';
import { jobsRouter } from './routes/jobs.js';
import { modelsRouter } from './routes/models.js';
import { reportsRouter } from './routes/reports.js';
import { runsRouter } from './routes/runs.js';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The workbench reads local data and runs models: only pages it served itself may call it. A Host that is not a
 * loopback name (DNS rebinding) or an Origin of another site (a cross-site form post) is refused.
 */
const localOnly: express.RequestHandler = (req, _res, next) => {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!LOCAL_HOSTS.has(host)) return next(new FrwError('OUTSIDE_ROOT', `the workbench answers on 127.0.0.1 only, not for host "${req.headers.host}"`));
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) return next(new FrwError('OUTSIDE_ROOT', `requests from ${origin} are refused: only the workbench's own pages may call it`));
  next();
};

export interface WorkbenchDeps {
  cfg: FrwConfig;
  jobs: JobRunner;
  /** Folder of the built browser app, served at / (absent in API-only tests). */
  staticDir?: string;
  /** How the server reaches a running engine (tests pass a stub). */
  fetch?: typeof fetch;
}

/** The workbench's HTTP server: one router per resource, one error middleware. `listen` is the caller's. */
export function createWorkbenchApp(deps: WorkbenchDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(localOnly);
  const datasets = new WorkbenchDatasets(deps.cfg);
  const runs = new RunFolders(deps.cfg, datasets);
  app.get('/api/config', (_req, res) => {
    res.json({ dataRoot: deps.cfg.dataRoot, modelRoot: deps.cfg.modelRoot, workspace: deps.cfg.workspace });
  });
  app.use('/api/datasets', datasetsRouter(deps.cfg, datasets));
  app.use('/api/models', modelsRouter(deps.cfg, runs));
  app.use('/api/runs', runsRouter(deps.cfg, runs));
  app.use('/api/jobs', jobsRouter(deps.cfg, deps.jobs, datasets, runs));
  app.use('/api/reports', reportsRouter(deps.cfg));
  app.use('/api/engine', engineRouter(deps.fetch));
  app.use('/api/audits', auditsRouter(new AuditFolders(deps.cfg)));
  app.use('/api', (_req, _res, next) => next(new FrwError('NOT_FOUND', 'no such API route')));
  if (deps.staticDir) app.use(express.static(deps.staticDir));
  // Anything else is a 404 in the project's JSON shape, not Express's HTML page.
  app.use((_req, _res, next) => next(new FrwError('NOT_FOUND', 'no such page')));
  app.use(errorMiddleware);
  return app;
}
