import sharp from 'sharp';
import { resolveInside } from '../core/paths.js';
import { decodeImage } from '../datasets/image.js';
import type { DatasetManifest, ImageRecord } from '../datasets/manifest.js';
import { RunFaces, type FaceSettings } from '../pipeline/face-views.js';
import { pipelineSettings, type PipelineSpec } from '../pipeline/spec.js';
import { boundedThumbnails } from './thumbnails.js';

/**
 * One face of an audit as a JPEG of `size` px: the aligned crop the model embedded (rebuilt from the cached
 * landmarks), or, for an image without a face, the photo itself, since seeing what the detector was given is the
 * point; null when the file cannot be read now. Shared by the report and the workbench's audit view.
 */
export async function auditFaceJpeg(views: RunFaces, root: string, image: Pick<ImageRecord, 'sha256' | 'path'>, cacheDir: string, settings: FaceSettings, size: number): Promise<Buffer | null> {
  const file = resolveInside(root, image.path);
  try {
    return await views.jpeg({ record: image, file }, cacheDir, settings, 'aligned', size);
  } catch {
    try {
      const dec = await decodeImage(file, settings.decode);
      return await sharp(dec.image.data, { raw: { width: dec.image.width, height: dec.image.height, channels: 3 } }).resize(size, size, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer();
    } catch {
      return null; // unreadable now: shown as such, never a failed audit
    }
  }
}

/**
 * The audit report's faces, bounded so LFW's report stays small: at most AUDIT_THUMBNAILS images of
 * AUDIT_THUMBNAIL_PX square (about 2–3 KB each), as data: URIs keyed by image path. `paths` come in the order the
 * report lists them, so the bound drops the least-looked-at images first.
 */
export const AUDIT_THUMBNAILS = 400;
export const AUDIT_THUMBNAIL_PX = 64;

export async function auditThumbnails(manifest: DatasetManifest, cacheDir: string, spec: PipelineSpec, paths: readonly string[]): Promise<{ images: Map<string, string | null>; leftOut: number }> {
  const byPath = new Map(manifest.images.map((r) => [r.path, r]));
  const views = new RunFaces();
  const settings = pipelineSettings(spec);
  const known = paths.filter((p) => byPath.has(p));
  return boundedThumbnails(known.map((p) => ({ key: p, jpeg: () => auditFaceJpeg(views, manifest.root, byPath.get(p)!, cacheDir, settings, AUDIT_THUMBNAIL_PX) })), AUDIT_THUMBNAILS);
}
