import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { FrwError } from '../../core/errors.js';
import { DECODED_FORMATS_TEXT, otherImageFormat, sniffFormat } from '../../datasets/formats.js';
import type { Engine } from '../engine.js';
import { abandonedSignal, errorMiddleware, requestLog } from '../../core/http-errors.js';
import type { Logger } from '../../core/log.js';
import { parseDeployConfig, type DeployConfig } from '../deploy-config.js';
import { DEFAULT_LIMITS, inFlightLimiter, rateLimiter, type RequestLimits } from './limits.js';
import { checkinUiRouter } from './checkin-ui.js';

export interface Readiness {
  ready: boolean;
  phase: 'starting' | 'ready' | 'stopping';
  /** Once the gallery is open: its store and whether changes made by other replicas are arriving. */
  gallery?: { store: string; connected: boolean };
}

export interface AppDeps {
  engine: Engine;
  /** Required in the X-API-Key header on every route but /healthz. */
  apiKey: string;
  /** Largest upload accepted, bytes (413 above). */
  maxUploadBytes: number;
  /** Concurrency and rate limits (DEFAULT_LIMITS when absent). */
  limits?: RequestLimits;
  /** Called after PUT /v1/config took a new config (serve writes it to its config file, so a restart keeps it). */
  onConfigChanged?: (config: DeployConfig) => void;
  /** The structured log: one JSON line per request, with the request id its answer carries (X-Request-Id). */
  log?: Logger;
  /**
   * Where the engine is (serve.ts): requests are taken only in phase "ready" (model, gallery and index loaded, not
   * shutting down); `ready` also wants the gallery's change feed connected, so a load balancer sends new work to a
   * replica that sees new enrolments. Absent: always ready.
   */
  readiness?: () => Readiness;
  /** The check-in app's bundle, served at /app/ (default dist/checkin-ui; nothing is served if it is not built). */
  checkinUiDir?: string;
}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/tiff', 'image/x-portable-graymap', 'image/x-portable-pixmap', 'image/x-portable-anymap', 'application/octet-stream']);

/** The most attendance rows one request returns. */
export const ATTENDANCE_MAX = 10_000;

/** What one multipart request may hold besides its images' size (maxUploadBytes). */
export const FORM_LIMITS = { files: 20, fields: 8, fieldSize: 16 * 1024, fieldNameSize: 100, parts: 30, headerPairs: 100 } as const;

/** The engine's HTTP API (versioned under /v1). Listening is the caller's business: see serve.ts. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.log) app.use(requestLog(deps.log));
  // Every part of a form is bounded, not only the files: 300 ignored 1 MB fields must not cost 300 MB.
  const upload = multer({ storage: multer.memoryStorage(), limits: { ...FORM_LIMITS, fileSize: deps.maxUploadBytes } });
  // The in-flight slot (limits.ts) is given back once the handler's work has settled, whatever the client did.
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    fn(req, res)
      .catch(next)
      .finally(() => (res.locals.releaseSlot as (() => void) | undefined)?.());
  const images = (req: Request): Uint8Array[] => {
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    if (files.length === 0) throw new FrwError('BAD_INPUT', 'send the image(s) as multipart/form-data field "image"');
    for (const f of files) {
      if (!IMAGE_TYPES.has(f.mimetype)) throw new FrwError('UNSUPPORTED', `unsupported content type ${f.mimetype} for ${f.originalname}; send an image`);
      // The bytes decide, not the declared type: an SVG sent as image/png is refused here, in microseconds.
      if (sniffFormat(f.buffer) === null) {
        const other = otherImageFormat(f.buffer);
        throw new FrwError('UNSUPPORTED', `${f.originalname}: ${other ? `${other} is` : 'the bytes are'} not ${DECODED_FORMATS_TEXT}, whatever its content type`);
      }
    }
    return files.map((f) => new Uint8Array(f.buffer.buffer, f.buffer.byteOffset, f.buffer.byteLength));
  };

  // Unauthenticated, so it says only that the engine is up: who or how many are enrolled is for key holders.
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Readiness for a load balancer: 503 while the model loads, while shutting down, and while the gallery's change
  // feed is cut. Unauthenticated, so it says which store and whether it is connected, never who or how many.
  app.get('/readyz', (_req, res) => {
    const r = deps.readiness?.() ?? { ready: true, phase: 'ready' };
    res.status(r.ready ? 200 : 503).json(r);
  });
  app.use('/app', checkinUiRouter(deps.checkinUiDir));
  app.use((req, _res, next) => {
    const given = Buffer.from(String(req.header('x-api-key') ?? ''));
    const want = Buffer.from(deps.apiKey);
    if (given.length !== want.length || !crypto.timingSafeEqual(given, want)) {
      next(new FrwError('UNAUTHORIZED', 'missing or wrong API key (X-API-Key)'));
      return;
    }
    next();
  });

  app.use((_req, _res, next) => {
    const r = deps.readiness?.();
    next(r && r.phase !== 'ready' ? new FrwError('NOT_READY', r.phase === 'stopping' ? 'the engine is shutting down; retry on another instance' : 'the engine is starting; retry shortly') : undefined);
  });
  const limits = deps.limits ?? DEFAULT_LIMITS;
  // Keyed by the API key: one key today, per client once keys are per client.
  app.use(rateLimiter(limits, (req) => String(req.header('x-api-key'))));
  const gate = inFlightLimiter(limits);
  const v1 = express.Router();
  v1.post('/enroll', gate, upload.array('image', 20), wrap(async (req, res) => {
    const name = req.body?.name ?? '';
    if (typeof name !== 'string') throw new FrwError('BAD_INPUT', 'name must be one text field', { field: 'name' });
    res.status(201).json(await deps.engine.enrol(name, images(req), req.body?.replace === 'true', abandonedSignal(req, res)));
  }));
  v1.post('/identify', gate, upload.array('image', 1), wrap(async (req, res) => {
    res.json(await deps.engine.identify(images(req)[0], abandonedSignal(req, res)));
  }));
  v1.post('/checkin', gate, upload.array('image', 1), wrap(async (req, res) => {
    const dedupe = Number(req.body?.dedupe_s ?? 0); // the window of the log's de-duplication (Engine.checkin)
    if (!Number.isFinite(dedupe) || dedupe < 0 || dedupe > 86_400) throw new FrwError('BAD_INPUT', 'dedupe_s must be seconds in [0, 86400]', { field: 'dedupe_s' });
    res.json(await deps.engine.checkin(images(req)[0], abandonedSignal(req, res), { dedupeWindowS: dedupe, logNoFace: req.body?.log_no_face !== 'false' }));
  }));
  v1.get('/identities', wrap(async (_req, res) => {
    res.json({ identities: await deps.engine.identities() });
  }));
  v1.patch('/identities/:name', express.json(), wrap(async (req, res) => {
    const name = req.body?.name;
    if (typeof name !== 'string') throw new FrwError('BAD_INPUT', 'send {"name": "<new name>"}', { field: 'name' });
    await deps.engine.rename(req.params.name as string, name);
    res.json({ ok: true });
  }));
  v1.delete('/identities/:name', wrap(async (req, res) => {
    await deps.engine.remove(req.params.name as string);
    res.status(204).end();
  }));
  v1.get('/config', (_req, res) => {
    res.json({ config: deps.engine.config });
  });
  /** A new config for the same pipeline (the workbench's "push to engine"): schema, hash and model files checked. */
  v1.put('/config', express.text({ type: '*/*', limit: '1mb' }), wrap(async (req, res) => {
    const config = parseDeployConfig(typeof req.body === 'string' ? req.body : '', 'the pushed config');
    // The file is written before the engine switches: a write that fails leaves both as they were.
    await deps.engine.reconfigure(config, deps.onConfigChanged);
    res.json({ ok: true, threshold: config.threshold, rule: config.rule, aggregation: config.aggregation, contentHash: config.contentHash });
  }));
  v1.get('/attendance', wrap(async (req, res) => {
    const raw = req.query.limit ?? '1000';
    const limit = Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > ATTENDANCE_MAX) throw new FrwError('BAD_INPUT', `limit must be an integer in [1, ${ATTENDANCE_MAX}], got ${JSON.stringify(raw)}`, { field: 'limit' });
    res.json({ attendance: await deps.engine.attendance(limit) });
  }));
  app.use('/v1', v1);
  app.use((_req, _res, next) => next(new FrwError('NOT_FOUND', 'no such route')));
  // A request that failed before its handler ran (a refused form, a client gone mid-upload) holds no work: free its slot.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    (res.locals.releaseSlot as (() => void) | undefined)?.();
    next(err);
  });
  app.use(errorMiddleware);
  return app;
}
