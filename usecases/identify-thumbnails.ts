import { workspacePaths, type FrwConfig } from '../core/config.js';
import { resolveInside } from '../core/paths.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { RunFaces } from '../pipeline/face-views.js';
import { cacheDirOf, pipelineKey, pipelineSettings, type PipelineSpec } from '../pipeline/spec.js';
import { thumbnailKey, type Thumbnails } from '../reports/identify-strangers.js';
import type { IdentifyRunResult } from '../runs/identification-folder.js';
import { boundedThumbnails } from './thumbnails.js';

/**
 * The self-contained report's thumbnails of the strangers who got in and of the people they were taken for, bounded
 * so a large run's report stays small: at most THUMBNAILS images of THUMBNAIL_PX square, JPEG (about 3 KB each).
 */
export const THUMBNAILS = 160;
export const THUMBNAIL_PX = 64;

/**
 * The aligned crops each model compared (rebuilt from the landmarks its embedding cache kept), as data: URIs keyed by
 * model and image; an image that cannot be rebuilt (no face, unreadable now) maps to null and the report says so.
 * Order: each result's groups as the report lists them, so the bound drops the least-looked-at images first.
 */
export async function strangerThumbnails(cfg: FrwConfig, manifest: DatasetManifest, run: IdentifyRunResult, pipelines: readonly PipelineSpec[]): Promise<Thumbnails> {
  const wanted: Array<{ model: string; image: string }> = [];
  const firstEnrolment = new Map(run.split.gallery.filter((g) => g.images.length > 0).map((g) => [g.identity, manifest.images[g.images[0]].path]));
  for (const r of run.results) {
    const g = r.strangers;
    if (!g) continue;
    for (const m of g.byMatched) {
      const photo = firstEnrolment.get(m.matched);
      if (photo) wanted.push({ model: r.model, image: photo });
      for (const e of m.examples) wanted.push({ model: r.model, image: e.image });
    }
    for (const id of g.byIdentity) for (const e of id.examples) wanted.push({ model: r.model, image: e.image });
  }
  const views = new RunFaces();
  const byPath = new Map(manifest.images.map((r) => [r.path, r]));
  const spec = new Map(pipelines.map((p) => [p.embedder.id, p]));
  const { images, leftOut } = await boundedThumbnails(
    wanted.map((w) => ({
      key: thumbnailKey(w.model, w.image),
      jpeg: async () => {
        const p = spec.get(w.model)!;
        try {
          return await views.jpeg({ record: byPath.get(w.image)!, file: resolveInside(manifest.root, w.image) }, cacheDirOf(workspacePaths(cfg).embeddings, w.model, pipelineKey(p)), pipelineSettings(p), 'aligned', THUMBNAIL_PX);
        } catch {
          return null; // a crop that cannot be rebuilt is shown as such in the report; it never fails the run
        }
      },
    })),
    THUMBNAILS,
  );
  return { images, enrolmentPhoto: firstEnrolment, bound: THUMBNAILS, leftOut };
}
