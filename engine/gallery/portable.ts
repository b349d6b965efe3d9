import { FrwError } from '../../core/errors.js';
import { personName, vectorOf } from './rows.js';
import type { EnrolVector, GalleryExportRow } from './types.js';

/**
 * The portable gallery file (`frw engine export-gallery` / `import-gallery`): every identity with its vectors
 * (base64 float32) and their quality, the way a gallery moves between stores (SQLite ⇄ PostgreSQL) or hosts.
 */
export interface GalleryExport {
  format: 'fr-workbench-gallery';
  version: 1;
  /** Vectors only mean something under the pipeline that made them. */
  pipelineKey: string;
  identities: Array<{ name: string; vectors: Array<{ imageSha256: string; vector: string; quality: unknown }> }>;
}

export function galleryExport(pipelineKey: string, rows: GalleryExportRow[]): GalleryExport {
  const byName = new Map<string, GalleryExport['identities'][number]>();
  for (const r of rows) {
    const e = byName.get(r.name) ?? { name: r.name, vectors: [] };
    e.vectors.push({ imageSha256: r.imageSha256, vector: r.vector, quality: r.quality });
    byName.set(r.name, e);
  }
  return { format: 'fr-workbench-gallery', version: 1, pipelineKey, identities: [...byName.values()] };
}

/**
 * Check a gallery file whole before anything is written (an import either starts with every row valid or does
 * not start): its format, its pipeline (CONFLICT if another one's), names, and every vector's size.
 */
export function parseGalleryExport(g: unknown, pipelineKey: string, dim: number): Array<{ name: string; vectors: EnrolVector[] }> {
  const x = g as Partial<GalleryExport> | null;
  if (x?.format !== 'fr-workbench-gallery' || x.version !== 1 || !Array.isArray(x.identities) || typeof x.pipelineKey !== 'string') throw new FrwError('BAD_INPUT', 'not an fr-workbench gallery export (format 1)');
  if (x.pipelineKey !== pipelineKey) throw new FrwError('CONFLICT', `the gallery was made by pipeline ${x.pipelineKey.slice(0, 12)}…, this engine runs ${pipelineKey.slice(0, 12)}…; re-enrol from photos instead`);
  const seen = new Set<string>();
  return x.identities.map((id, i) => {
    const name = personName(typeof id?.name === 'string' ? id.name : '', `the name of identity ${i} of the gallery file`);
    if (seen.has(name)) throw new FrwError('BAD_INPUT', `"${name}" is in the gallery file twice`);
    seen.add(name);
    if (!Array.isArray(id.vectors) || id.vectors.length === 0) throw new FrwError('BAD_INPUT', `"${name}" has no vectors in the gallery file`);
    const vectors = id.vectors.map((v) => {
      if (typeof v?.vector !== 'string' || typeof v.imageSha256 !== 'string') throw new FrwError('BAD_INPUT', `a vector of "${name}" is not {imageSha256, vector}`);
      const b = Buffer.from(v.vector, 'base64');
      if (b.byteLength !== dim * 4) throw new FrwError('BAD_INPUT', `a vector of ${name} is ${b.byteLength} bytes; the model gives ${dim} float32 values (${dim * 4} bytes)`);
      const vector = vectorOf(b, dim, name);
      if (!vector.every(Number.isFinite)) throw new FrwError('BAD_INPUT', `a vector of ${name} holds a value that is not a finite number`);
      return { vector, imageSha256: v.imageSha256, quality: v.quality ?? null };
    });
    return { name, vectors };
  });
}
