import crypto from 'node:crypto';
import fs from 'node:fs';

/** sha256 of a file, streamed so large files never sit in memory at once. */
export function sha256File(file: string): Promise<string> {
  return sha256Files([file]);
}

/** sha256 over several files concatenated in the given order (a TF.js model: model.json, then its shards). */
export async function sha256Files(files: readonly string[]): Promise<string> {
  const h = crypto.createHash('sha256');
  for (const f of files) {
    await new Promise<void>((resolve, reject) => {
      fs.createReadStream(f)
        .on('data', (chunk) => h.update(chunk))
        .on('error', reject)
        .on('end', resolve);
    });
  }
  return h.digest('hex');
}

export const sha256Hex = (data: string | Uint8Array): string => crypto.createHash('sha256').update(data).digest('hex');

/** JSON with object keys sorted at every level: stable bytes for content hashes. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
