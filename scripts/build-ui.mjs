// Bundles the browser apps with esbuild, each into one script, one stylesheet, one page: the workbench's (Lit +
// vega-embed) into dist/workbench-ui and the engine's check-in app (Lit, engine/app-ui) into dist/checkin-ui.
// Everything is local: the pages load nothing from the network.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const UI_OUT = path.join(root, 'dist', 'workbench-ui');
export const CHECKIN_UI_OUT = path.join(root, 'dist', 'checkin-ui');

/** One browser app from its folder (main.ts, index.html, styles.css) into `outdir`: app.js, its map and licences. */
async function bundleApp(src, outdir, minify) {
  fs.mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(src, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify,
    sourcemap: true,
    outfile: path.join(outdir, 'app.js'),
    logLevel: 'warning',
    legalComments: 'linked',
  });
  for (const f of ['index.html', 'styles.css']) fs.copyFileSync(path.join(src, f), path.join(outdir, f));
  return outdir;
}

/** The workbench's web app (workbench/ui). */
export function buildUi({ outdir = UI_OUT, minify = true } = {}) {
  return bundleApp(path.join(root, 'workbench', 'ui'), outdir, minify);
}

/** The check-in app the engine serves at /app/ (engine/api/checkin-ui.ts). */
export function buildCheckinUi({ outdir = CHECKIN_UI_OUT, minify = true } = {}) {
  return bundleApp(path.join(root, 'engine', 'app-ui'), outdir, minify);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildUi();
  process.stderr.write(`workbench UI built in ${path.relative(root, out)}\n`);
  const checkin = await buildCheckinUi();
  process.stderr.write(`check-in app built in ${path.relative(root, checkin)}\n`);
}
