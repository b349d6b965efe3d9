import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import express from 'express';
import multer from 'multer';
import { workspacePaths, type FrwConfig } from '../../../core/config.js';
import { FrwError } from '../../../core/errors.js';
import { resolveInside } from '../../../core/paths.js';
import { addModel } from '../../../models/add.js';
import type { ModelCard } from '../../../models/card.js';
import { modelFiles, resolveModelFile } from '../../../models/files.js';
import { listCards } from '../../../models/registry.js';
import type { RunFolders } from '../run-folders.js';

/** Largest checkpoint the browser may upload (GhostFaceNet exports are ~16 MB; faceres is ~90 MB). */
const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

/** Bytes of a model's files (a TF.js model.json and its shards count together); null when a file is missing. */
function fileBytes(card: ModelCard, modelRoot: string): number | null {
  try {
    return modelFiles(resolveModelFile(card, modelRoot), card.format).reduce((sum, f) => sum + fs.statSync(f).size, 0);
  } catch {
    return null; // the file is missing: the UI says so
  }
}

/** Single-file formats a checkpoint can be uploaded in, and the extension the stored file gets. */
const UPLOAD_EXTENSIONS: Record<string, string> = { onnx: '.onnx', 'keras-h5': '.h5' };

/** /api/models: every card with its provenance, licence, file size and measured speed; add a user checkpoint (upload or path). */
export function modelsRouter(cfg: FrwConfig, runs: RunFolders): express.Router {
  const r = express.Router();
  const userModels = workspacePaths(cfg).userModels;
  const uploads = path.join(userModels, 'files');
  const upload = multer({
    storage: multer.diskStorage({ destination: (_req, _f, cb) => cb(null, (fs.mkdirSync(uploads, { recursive: true }), uploads)), filename: (_req, _f, cb) => cb(null, `upload-${crypto.randomUUID()}.part`) }),
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 4, fieldSize: 64 * 1024, parts: 6, headerPairs: 100 },
  });
  r.get('/', (_req, res) => {
    const speeds = runs.embeddingSpeeds();
    res.json({ models: listCards(userModels).map((c) => ({ ...c.card, origin: c.origin, bytes: fileBytes(c.card, cfg.modelRoot), speed: speeds.get(c.card.id) ?? null })) });
  });
  /**
   * Add a checkpoint: multipart with the file (ONNX or Keras .h5) and a `card` JSON field, or JSON `{path, card}` naming a file
   * under the model root. addModel checks the card against one real inference and saves nothing on failure.
   */
  r.post('/', upload.single('file'), express.json({ limit: '64kb' }), async (req, res) => {
    const uploaded = req.file?.path;
    let stored: string | undefined;
    try {
      let card: unknown = req.body?.card;
      if (typeof card === 'string') {
        try {
          card = JSON.parse(card);
        } catch (e) {
          throw new FrwError('BAD_INPUT', `card is not valid JSON: ${(e as Error).message}`);
        }
      }
      if (typeof card !== 'object' || card === null || Array.isArray(card)) throw new FrwError('BAD_INPUT', 'give the model card as a JSON object (field "card")');
      let modelFile: string;
      if (uploaded) {
        const format = String((card as { format?: unknown }).format);
        const ext = Object.hasOwn(UPLOAD_EXTENSIONS, format) ? UPLOAD_EXTENSIONS[format] : undefined;
        if (!ext) throw new FrwError('BAD_INPUT', 'uploads are single-file checkpoints (format onnx or keras-h5); register a TF.js model by its path under the model root');
        // Named by content, so the same upload twice is one file.
        const digest = crypto.createHash('sha256').update(fs.readFileSync(uploaded)).digest('hex');
        modelFile = path.join(uploads, `${digest}${ext}`);
        fs.renameSync(uploaded, modelFile);
        stored = modelFile;
      } else {
        if (typeof req.body?.path !== 'string' || req.body.path === '') throw new FrwError('BAD_INPUT', 'upload the checkpoint as field "file" or give "path" relative to the model root');
        modelFile = resolveInside(cfg.modelRoot, req.body.path);
      }
      const { card: saved } = await addModel({ modelFile, card: card as Record<string, unknown>, userModelsDir: userModels, modelRoot: cfg.modelRoot });
      res.status(201).json({ model: saved });
    } catch (e) {
      // A refused upload leaves nothing behind unless a registered card already uses the same bytes.
      if (stored && !listCards(userModels).some((c) => c.card.file === stored)) fs.rmSync(stored, { force: true });
      throw e;
    } finally {
      if (uploaded && fs.existsSync(uploaded)) fs.rmSync(uploaded);
    }
  });
  return r;
}
