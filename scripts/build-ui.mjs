// Bundles the workbench's browser app (Lit + vega-embed) into dist/workbench-ui with esbuild: one script, one
// stylesheet, one page. Everything is local: the page loads nothing from the network.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const UI_OUT = path.join(root, 'dist', 'workbench-ui');

export async function buildUi({ outdir = UI_OUT, minify = true } = {}) {
  fs.mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(root, 'workbench', 'ui', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify,
    sourcemap: true,
    outfile: path.join(outdir, 'app.js'),
    logLevel: 'warning',
    legalComments: 'linked',
  });
  for (const f of ['index.html', 'styles.css']) fs.copyFileSync(path.join(root, 'workbench', 'ui', f), path.join(outdir, f));
  return outdir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildUi();
  process.stderr.write(`workbench UI built in ${path.relative(root, out)}\n`);
}
