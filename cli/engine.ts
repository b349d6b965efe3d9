import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { workspacePaths } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import { createApp } from '../engine/api/app.js';
import { DEFAULT_LIMITS } from '../engine/api/limits.js';

/** The longest one request (its upload and its answer) may take the engine's HTTP server. */
const REQUEST_TIMEOUT_MS = 60_000;
import { loadDeployConfig, type DeployConfig } from '../engine/deploy-config.js';
import { Engine } from '../engine/engine.js';
import { action, configOf } from './context.js';

interface EngineFlags {
  config: string;
  /** Absent: <workspace>/engine/gallery.db. */
  gallery?: string;
}

async function openEngine(flags: EngineFlags, self: Command, workers = 0): Promise<Engine> {
  const cfg = configOf(self);
  return Engine.open({ config: loadDeployConfig(path.resolve(flags.config)), galleryFile: flags.gallery ? path.resolve(flags.gallery) : workspacePaths(cfg).gallery, modelRoot: cfg.modelRoot, userModelsDir: workspacePaths(cfg).userModels, workers });
}

/** Open the engine for one command and close it whatever happens. */
async function withEngine<T>(flags: EngineFlags, self: Command, fn: (engine: Engine) => Promise<T> | T): Promise<T> {
  const engine = await openEngine(flags, self);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

const readImages = (files: string[]) =>
  files.map((f) => {
    try {
      return new Uint8Array(fs.readFileSync(f));
    } catch (e) {
      throw new FrwError('NOT_FOUND', `cannot read image ${f}: ${(e as Error).message}`);
    }
  });

const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

/** `frw engine …`: the recognition engine from a deployment config, on the command line or over HTTP. */
export function registerEngine(program: Command): void {
  const eng = program.command('engine').description('the recognition engine: enrol, identify, check in, serve the HTTP API');
  const engineOptions = (cmd: Command) =>
    cmd.requiredOption('--config <file>', 'deployment config (frw export-config)').option('--gallery <file>', 'SQLite gallery file (default: <workspace>/engine/gallery.db)');

  engineOptions(eng.command('enroll <name> <images...>').description('enrol a person from one or more photos').option('--replace', 'replace their previous photos (re-enrol)', false)).action(
    action(async (name: string, images: string[], flags: EngineFlags & { replace: boolean }, self: Command) => {
      await withEngine(flags, self, async (engine) => {
        print(await engine.enrol(name, readImages(images), flags.replace));
      });
    }),
  );
  for (const verb of ['identify', 'checkin'] as const) {
    engineOptions(eng.command(`${verb} <image>`).description(verb === 'identify' ? 'who is this, or unknown' : 'identify and log the attempt in the attendance log')).action(
      action(async (image: string, flags: EngineFlags, self: Command) => {
        const [bytes] = readImages([image]);
        await withEngine(flags, self, async (engine) => print(verb === 'identify' ? await engine.identify(bytes) : await engine.checkin(bytes)));
      }),
    );
  }
  engineOptions(eng.command('identities').description('list enrolled people')).action(
    action(async (flags: EngineFlags, self: Command) => {
      await withEngine(flags, self, async (engine) => {
        print(engine.identities());
      });
    }),
  );
  engineOptions(eng.command('export-gallery <file>').description('write the gallery (identities and vectors) to a JSON file')).action(
    action(async (file: string, flags: EngineFlags, self: Command) => {
      await withEngine(flags, self, async (engine) => {
        writeFileAtomic(path.resolve(file), JSON.stringify(engine.exportGallery()) + '\n');
      });
    }),
  );
  engineOptions(eng.command('import-gallery <file>').description('import a gallery exported under the same pipeline')).action(
    action(async (file: string, flags: EngineFlags, self: Command) => {
      await withEngine(flags, self, async (engine) => {
        let g: unknown;
        try {
          g = JSON.parse(fs.readFileSync(path.resolve(file), 'utf8'));
        } catch (e) {
          throw new FrwError('BAD_INPUT', `cannot read gallery ${file}: ${(e as Error).message}`);
        }
        print(engine.importGallery(g as Parameters<Engine['importGallery']>[0]));
      });
    }),
  );
  engineOptions(eng.command('serve').description('serve the HTTP API (binds 127.0.0.1 unless --host says otherwise)'))
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--port <n>', 'port', '8731')
    .option('--api-key <key>', 'API key clients send as X-API-Key (env FRW_API_KEY)')
    .option('--max-upload-mb <n>', 'largest upload accepted', '10')
    .option('--workers <n>', 'embedding worker threads (default: --threads, one per core; 0 embeds on the HTTP thread)')
    .option('--max-in-flight <n>', 'image requests processed at once; more are refused with 429', String(DEFAULT_LIMITS.maxInFlight))
    .option('--rate <n>', 'sustained requests per second per API key; more are refused with 429', String(DEFAULT_LIMITS.ratePerSecond))
    .option('--burst <n>', 'requests a key may send at once above the rate', String(DEFAULT_LIMITS.burst))
    .action(
      action(async (flags: EngineFlags & { host: string; port: string; apiKey?: string; maxUploadMb: string; workers?: string; maxInFlight: string; rate: string; burst: string }, self: Command) => {
        const apiKey = flags.apiKey ?? process.env.FRW_API_KEY;
        if (!apiKey || apiKey.length < 16) throw new FrwError('BAD_INPUT', 'an API key of at least 16 characters is required: --api-key or FRW_API_KEY');
        const workers = flags.workers === undefined ? configOf(self).threads : Number(flags.workers);
        if (!Number.isInteger(workers) || workers < 0) throw new FrwError('BAD_INPUT', `--workers must be an integer >= 0, got ${flags.workers}`);
        const positive = (v: string, what: string) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1) throw new FrwError('BAD_INPUT', `${what} must be an integer >= 1, got "${v}"`);
          return n;
        };
        const limits = { maxInFlight: positive(flags.maxInFlight, '--max-in-flight'), ratePerSecond: positive(flags.rate, '--rate'), burst: positive(flags.burst, '--burst') };
        const engine = await openEngine(flags, self, workers);
        // A pushed config replaces the config file (atomically), so a restart serves what was last pushed.
        const onConfigChanged = (c: DeployConfig) => writeFileAtomic(path.resolve(flags.config), JSON.stringify(c, null, 2) + '\n');
        const app = createApp({ engine, apiKey, maxUploadBytes: Number(flags.maxUploadMb) * 1024 * 1024, onConfigChanged, limits });
        const server = app.listen(Number(flags.port), flags.host, () => process.stderr.write(`frw engine: ${engine.config.model.id} (${engine.config.aggregation}, threshold ${engine.config.threshold.similarity.toFixed(4)}) on http://${flags.host}:${flags.port}\n`));
        // A slow upload holds an in-flight slot: each request, body included, has a minute at most.
        server.requestTimeout = REQUEST_TIMEOUT_MS;
        server.headersTimeout = Math.min(server.headersTimeout, REQUEST_TIMEOUT_MS);
        const stop = () => server.close(() => void engine.close());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }),
    );
}
