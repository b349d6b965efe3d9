import express from 'express';
import type { FrwConfig } from '../../core/config.js';
import { FrwError } from '../../core/errors.js';
import { errorMiddleware } from '../../core/http-errors.js';
import { JobRunner } from './jobs.js';
import { datasetsRouter } from './routes/datasets.js';
import { jobsRouter } from './routes/jobs.js';
import { modelsRouter } from './routes/models.js';
import { runsRouter } from './routes/runs.js';

export interface WorkbenchDeps {
  cfg: FrwConfig;
  jobs: JobRunner;
  /** Folder of the built browser app, served at / (absent in API-only tests). */
  staticDir?: string;
}

/** The workbench's HTTP server: one router per resource, one error middleware. `listen` is the caller's. */
export function createWorkbenchApp(deps: WorkbenchDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use('/api/datasets', datasetsRouter(deps.cfg));
  app.use('/api/models', modelsRouter(deps.cfg));
  app.use('/api/runs', runsRouter(deps.cfg));
  app.use('/api/jobs', jobsRouter(deps.cfg, deps.jobs));
  app.use('/api', (_req, _res, next) => next(new FrwError('NOT_FOUND', 'no such API route')));
  if (deps.staticDir) app.use(express.static(deps.staticDir));
  app.use(errorMiddleware);
  return app;
}
