import fs from 'node:fs';
import express from 'express';
import sharp from 'sharp';
import { workspacePaths, type FrwConfig } from '../../../core/config.js';
import { FrwError } from '../../../core/errors.js';
import { decodeImage } from '../../../datasets/image.js';
import { summarizeDataset } from '../../../datasets/inspect.js';
import { loadEmbeddingTable } from '../../../pipeline/embedding-table.js';
import { pipelineCacheDir } from '../../../pipeline/spec.js';
import { defaultPipelines } from '../../../pipeline/specs.js';
import type { WorkbenchDatasets } from '../datasets-state.js';
import { queryInt } from '../params.js';

/** /api/datasets: what the data root holds plus registered sets, inspect summaries, images, failures to acquire. */
export function datasetsRouter(cfg: FrwConfig, datasets: WorkbenchDatasets): express.Router {
  const r = express.Router();
  // Express 5 passes a rejected handler promise to the error middleware.
  r.get('/', async (_req, res) => {
    res.json({ dataRoot: cfg.dataRoot, datasets: await datasets.list() });
  });
  r.post('/', express.json({ limit: '16kb' }), async (req, res) => {
    const { entry, manifest } = await datasets.register((req.body ?? {}) as Record<string, unknown>);
    res.status(201).json({ dataset: entry, summary: summarizeDataset(manifest) });
  });
  r.get('/:name', async (req, res) => {
    const manifest = await datasets.open(req.params.name);
    res.json({ name: req.params.name, summary: summarizeDataset(manifest) });
  });
  /** A page of the manifest's images, optionally of one identity (for the thumbnail grid). */
  r.get('/:name/images', async (req, res) => {
    const manifest = await datasets.open(req.params.name);
    const offset = queryInt(req.query.offset, 0, 0, 1e9, 'offset');
    const limit = queryInt(req.query.limit, 48, 1, 500, 'limit');
    const identity = typeof req.query.identity === 'string' ? req.query.identity : undefined;
    const all = identity === undefined ? manifest.images : manifest.images.filter((i) => i.identity === identity);
    const images = all.slice(offset, offset + limit).map((i) => ({ path: i.path, identity: i.identity, unknown: i.unknown, width: i.width, height: i.height, grayscale: i.grayscale, format: i.format }));
    res.json({ total: all.length, offset, images });
  });
  /** A JPEG thumbnail of one of the dataset's own images (decoded like the pipeline does: EXIF, PNM, grayscale). */
  r.get('/:name/thumbnail', async (req, res) => {
    if (typeof req.query.path !== 'string') throw new FrwError('BAD_INPUT', 'give the image as ?path=<path in the dataset>');
    const size = queryInt(req.query.size, 160, 16, 512, 'size');
    const { file } = await datasets.image(req.params.name, req.query.path);
    const { image } = await decodeImage(file, { maxMegapixels: 50, workingMaxSide: size });
    const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: 82 }).toBuffer();
    res.type('jpeg').set('cache-control', 'private, max-age=3600').send(jpeg);
  });
  /** Failures to acquire a face under the workbench pipeline of `model`, each with its reason. */
  r.get('/:name/failures', async (req, res) => {
    const manifest = await datasets.open(req.params.name);
    const model = typeof req.query.model === 'string' ? req.query.model : undefined;
    if (!model) throw new FrwError('BAD_INPUT', 'give the model as ?model=<id>');
    const [spec] = defaultPipelines([model], false, cfg);
    const cacheDir = pipelineCacheDir(workspacePaths(cfg).embeddings, spec);
    if (!fs.existsSync(cacheDir)) {
      res.json({ model, embedded: 0, pending: manifest.images.length, failures: [] });
      return;
    }
    const table = loadEmbeddingTable(manifest, cacheDir, spec.embedder.output.dim);
    const failures: Array<{ path: string; identity: string; reason: string }> = [];
    let pending = 0;
    table.failure.forEach((reason, i) => {
      if (reason === 'missing') pending++;
      else if (reason !== null) failures.push({ path: manifest.images[i].path, identity: manifest.images[i].identity, reason });
    });
    res.json({ model, embedded: manifest.images.length - failures.length - pending, pending, failures });
  });
  return r;
}
