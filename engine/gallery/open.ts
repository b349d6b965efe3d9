import { PostgresGallery } from './postgres.js';
import { SqliteGallery } from './sqlite.js';
import type { GalleryStore } from './types.js';

/** `--gallery` takes a file (SQLite, the embedded default) or a postgres:// URL (a gallery replicas share). */
export const isDatabaseUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

export function openGallery(location: string, pipelineKey: string): Promise<GalleryStore> {
  return isDatabaseUrl(location) ? PostgresGallery.open(location, pipelineKey) : Promise.resolve(SqliteGallery.open(location, pipelineKey));
}
