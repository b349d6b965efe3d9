import express from 'express';
import type { FrwConfig } from '../../core/config.js';
import { FrwError } from '../../core/errors.js';
import { errorMiddleware } from '../../core/http-errors.js';
import { WorkbenchDatasets } from './datasets-state.js';
import { JobRunner } from './jobs.js';
import { RunFolders } from './run-folders.js';
import { datasetsRouter } from './routes/datasets.js';
import { engineRouter } from './routes/engine.js';
import { jobsRouter } from './routes/jobs.js';
import { modelsRouter } from './routes/models.js';
import { runsRouter } from './routes/runs.js';

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
  const datasets = new WorkbenchDatasets(deps.cfg);
  const runs = new RunFolders(deps.cfg, datasets);
  app.get('/api/config', (_req, res) => {
    res.json({ dataRoot: deps.cfg.dataRoot, modelRoot: deps.cfg.modelRoot, workspace: deps.cfg.workspace });
  });
  app.use('/api/datasets', datasetsRouter(deps.cfg, datasets));
  app.use('/api/models', modelsRouter(deps.cfg, runs));
  app.use('/api/runs', runsRouter(deps.cfg, runs));
  app.use('/api/jobs', jobsRouter(deps.cfg, deps.jobs, datasets));
  app.use('/api/engine', engineRouter(deps.fetch));
  app.use('/api', (_req, _res, next) => next(new FrwError('NOT_FOUND', 'no such API route')));
  if (deps.staticDir) app.use(express.static(deps.staticDir));
  app.use(errorMiddleware);
  return app;
}
