import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FrwError, errorMessage } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import type { Logger } from '../core/log.js';
import { createApp, type AppDeps, type Readiness } from './api/app.js';
import { loadDeployConfig, type DeployConfig } from './deploy-config.js';
import { Engine } from './engine.js';
import type { MirrorHooks } from './gallery/mirror.js';
import type { ServeSettings } from './serve-settings.js';

/** The longest one request (its upload and its answer) may take the engine's HTTP server. */
const REQUEST_TIMEOUT_MS = 60_000;

export interface ServeOptions {
  settings: ServeSettings;
  /** The deployment config file: read at start and on reload, rewritten by a pushed config. */
  configFile: string;
  /** A SQLite file or a postgres:// URL (engine/gallery/open.ts). */
  gallery: string;
  modelRoot: string;
  userModelsDir?: string;
  workers: number;
  log: Logger;
}

/** starting: listening, model/gallery/index not yet ready; ready: serving; stopping: draining before exit. */
export type Phase = Readiness['phase'];

export interface EngineService {
  readonly port: number;
  phase(): Phase;
  /** Read the config file again and take it, or refuse it (logged) and keep the current one: true when taken. */
  reload(): Promise<boolean>;
  /**
   * Stop taking work (new requests, on any connection, are answered 503 and /readyz says so), let the requests in
   * flight finish until the deadline (those still running then are cut and logged), stop listening, then close
   * the engine (workers, database). Settles once everything is closed; calling it again returns the same.
   */
  shutdown(reason: string): Promise<{ drained: boolean; cut: number }>;
}

/**
 * `frw engine serve`: listen at once (so /healthz answers and /readyz says 503 while the model loads), open the
 * engine (model files hashed and loaded, gallery opened, search index built), then say ready.
 */
export async function serveEngine(opts: ServeOptions): Promise<EngineService> {
  const { settings, log } = opts;
  let phase: Phase = 'starting';
  let engine: Engine | null = null;
  const deps: AppDeps = {
    get engine(): Engine {
      if (!engine) throw new FrwError('NOT_READY', 'the engine is starting; retry shortly');
      return engine;
    },
    apiKey: settings.apiKey,
    maxUploadBytes: settings.maxUploadBytes,
    limits: settings.limits,
    log,
    readiness: () => {
      const g = engine?.galleryState();
      const gallery = g && { store: g.store, connected: g.feedConnected };
      return { ready: phase === 'ready' && (gallery?.connected ?? false), phase, ...(gallery && { gallery }) };
    },
    // A pushed config replaces the config file (atomically), so a restart or a reload serves what was last pushed.
    onConfigChanged: (c: DeployConfig) => {
      writeFileAtomic(opts.configFile, JSON.stringify(c, null, 2) + '\n');
      log.info({ contentHash: c.contentHash, threshold: c.threshold.similarity, rule: c.rule.kind, from: 'PUT /v1/config' }, 'config changed');
    },
  };
  const server = http.createServer(createApp(deps));
  // A slow upload holds an in-flight slot: each request, body included, has a minute at most.
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(server.headersTimeout, REQUEST_TIMEOUT_MS);

  // Requests being answered, so a shutdown can wait for them and name those it cuts.
  const inFlight = new Map<http.ServerResponse, { method: string; path: string; t0: number }>();
  let onIdle: (() => void) | null = null;
  // Before the app's own listener, so the header is set before a synchronous answer is sent.
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    // While stopping, a new request is answered at once (503, /readyz included) on a connection that then closes.
    if (phase === 'stopping') return void res.setHeader('connection', 'close');
    inFlight.set(res, { method: req.method ?? '?', path: (req.url ?? '').split('?')[0].slice(0, 200), t0: performance.now() });
    res.once('close', () => {
      inFlight.delete(res);
      if (inFlight.size === 0) onIdle?.();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new FrwError('UNAVAILABLE', `cannot listen on ${settings.host}:${settings.port}: ${errorMessage(e)}`)));
    server.listen(settings.port, settings.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: settings.host, port, workers: opts.workers }, 'listening; not ready until the model, gallery and index are');

  // A replica serves the gallery as it last saw it while its change feed is away (and /readyz says 503): logged.
  const galleryHooks: MirrorHooks = {
    onFeed: (connected, st) => (connected ? log.info({ seq: st.seq }, 'gallery change feed connected; catching up by change number') : log.warn({ seq: st.seq }, 'gallery change feed lost; serving the gallery as last seen until it is back')),
    onSyncError: (err, st) => log.warn({ err, seq: st.seq }, 'cannot read gallery changes; will retry'),
  };
  try {
    engine = await Engine.open({ config: loadDeployConfig(opts.configFile), gallery: opts.gallery, modelRoot: opts.modelRoot, userModelsDir: opts.userModelsDir, workers: opts.workers, galleryHooks });
    engine.warm();
  } catch (e) {
    log.fatal({ code: e instanceof FrwError ? e.code : 'INTERNAL', err: errorMessage(e) }, 'could not start');
    await engine?.close();
    await new Promise((r) => server.close(r));
    server.closeAllConnections();
    throw e;
  }
  const c = engine.config;
  phase = 'ready';
  log.info({ model: c.model.id, aggregation: c.aggregation, threshold: c.threshold.similarity, rule: c.rule.kind, contentHash: c.contentHash, gallery: engine.galleryLocation, identities: engine.galleryState().identities }, 'ready');

  let stopped: Promise<{ drained: boolean; cut: number }> | null = null;
  const shutdown = (reason: string) => (stopped ??= stop(reason));
  async function stop(reason: string): Promise<{ drained: boolean; cut: number }> {
    phase = 'stopping';
    const t0 = performance.now();
    const deadline = t0 + settings.shutdownTimeoutMs;
    log.info({ reason, inFlight: inFlight.size, deadlineMs: settings.shutdownTimeoutMs }, 'shutting down: new requests get 503; finishing those in flight');
    // Closing the engine (database, then workers: they finish the stage a cut request is in) gets the last 40% of
    // the deadline, at most 3 s.
    const drainBy = deadline - Math.min(3000, settings.shutdownTimeoutMs * 0.4);
    const drained = await new Promise<boolean>((resolve) => {
      if (inFlight.size === 0) return resolve(true);
      const timer = setTimeout(() => resolve(false), Math.max(0, drainBy - performance.now()));
      onIdle = () => (clearTimeout(timer), resolve(true));
    });
    const cut = [...inFlight].map(([res, r]) => ({ requestId: res.getHeader('x-request-id'), method: r.method, path: r.path, ms: Math.round(performance.now() - r.t0) }));
    if (cut.length) log.warn({ cut }, `shutdown deadline: cutting ${cut.length} request(s) still in flight; their clients got no answer`);
    // Now no more connections either; what is still open (cut requests, idle keep-alives) is closed.
    const listenerClosed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await listenerClosed;
    const closeT0 = performance.now();
    const closing = engine!.close().then(() => (log.debug({ ms: Math.round(performance.now() - closeT0) }, 'engine closed'), true), (e) => (log.error({ err: errorMessage(e) }, 'closing the engine failed'), false));
    const closed = await Promise.race([closing, new Promise<false>((r) => setTimeout(() => r(false), Math.max(0, deadline - performance.now())).unref())]);
    if (!closed) log.error('the embedding workers were still busy at the deadline; exiting anyway (the database is already closed)');
    log.info({ drained, cut: cut.length, engineClosed: closed, ms: Math.round(performance.now() - t0) }, 'stopped');
    return { drained, cut: cut.length };
  }

  async function reload(): Promise<boolean> {
    if (phase !== 'ready' || !engine) {
      log.warn({ phase }, 'reload ignored: the engine is not serving');
      return false;
    }
    const before = engine.config;
    try {
      const config = loadDeployConfig(opts.configFile);
      await engine.reconfigure(config);
      log.info({ contentHash: config.contentHash, threshold: config.threshold.similarity, rule: config.rule.kind, previous: before.contentHash, from: 'reload' }, 'config reloaded');
      return true;
    } catch (e) {
      const now = engine.config;
      log.error({ code: e instanceof FrwError ? e.code : 'INTERNAL', err: errorMessage(e), serving: now.contentHash, threshold: now.threshold.similarity }, 'config reload refused; the current config keeps serving');
      return false;
    }
  }

  return { port, phase: () => phase, reload, shutdown };
}

/**
 * The process side: SIGHUP reloads the config; SIGTERM or SIGINT shuts down and exits (0 once closed). Exit is
 * forced shortly after the deadline whatever is still running, and a second SIGTERM/SIGINT exits at once.
 */
export function runUntilSignalled(service: EngineService, log: Logger, shutdownTimeoutMs: number): void {
  process.on('SIGHUP', () => void service.reload());
  let signalled = false;
  const onStop = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn({ signal }, 'second stop signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    setTimeout(() => {
      log.error({ signal }, 'shutdown overran its deadline: exiting');
      process.exit(1);
    }, shutdownTimeoutMs + 500).unref();
    void service.shutdown(signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
}
