import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { workspacePaths } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import { createLogger } from '../core/log.js';
import { loadDeployConfig } from '../engine/deploy-config.js';
import { Engine } from '../engine/engine.js';
import { isDatabaseUrl } from '../engine/gallery/open.js';
import { runUntilSignalled, serveEngine } from '../engine/serve.js';
import { resolveServeSettings, SERVE_SETTINGS } from '../engine/serve-settings.js';
import { action, configOf } from './context.js';

interface EngineFlags {
  config: string;
  /** A SQLite file or a postgres:// URL; absent: <workspace>/engine/gallery.db. */
  gallery?: string;
}

/** The --gallery value as the engine takes it: a database URL as given, a file resolved, or the workspace's file. */
function galleryOf(flags: EngineFlags, self: Command): string {
  if (!flags.gallery) return workspacePaths(configOf(self)).gallery;
  return isDatabaseUrl(flags.gallery) ? flags.gallery : path.resolve(flags.gallery);
}

async function openEngine(flags: EngineFlags, self: Command, workers = 0): Promise<Engine> {
  const cfg = configOf(self);
  return Engine.open({ config: loadDeployConfig(path.resolve(flags.config)), gallery: galleryOf(flags, self), modelRoot: cfg.modelRoot, userModelsDir: workspacePaths(cfg).userModels, workers });
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
    cmd.requiredOption('--config <file>', 'deployment config (frw export-config)').option('--gallery <file>', 'the gallery: a SQLite file (default: <workspace>/engine/gallery.db), or postgres://user:pass@host/db for a gallery several replicas share');

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
        print(await engine.identities());
      });
    }),
  );
  engineOptions(eng.command('export-gallery <file>').description('write the gallery (identities and vectors) to a JSON file')).action(
    action(async (file: string, flags: EngineFlags, self: Command) => {
      await withEngine(flags, self, async (engine) => {
        writeFileAtomic(path.resolve(file), JSON.stringify(await engine.exportGallery()) + '\n');
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
        print(await engine.importGallery(g));
      });
    }),
  );
  const serve = engineOptions(eng.command('serve').description('serve the HTTP API (binds 127.0.0.1 unless --host says otherwise); JSON logs on stdout'));
  for (const s of SERVE_SETTINGS) serve.option(s.flag, `${s.help} (env ${s.env}${s.default === undefined ? '' : `; default ${s.default}`})`);
  serve.action(
    action(async (flags: EngineFlags & Parameters<typeof resolveServeSettings>[0], self: Command) => {
      // Every setting resolved once, here: flag, else environment, else default (engine/serve-settings.ts).
      const settings = resolveServeSettings(flags, process.env);
      const cfg = configOf(self);
      const log = createLogger(settings.logLevel);
      const service = await serveEngine({
        settings,
        configFile: path.resolve(flags.config),
        gallery: galleryOf(flags, self),
        modelRoot: cfg.modelRoot,
        userModelsDir: workspacePaths(cfg).userModels,
        workers: settings.workers ?? cfg.threads,
        log,
      });
      runUntilSignalled(service, log, settings.shutdownTimeoutMs);
    }),
  );
}
