import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

const created: string[] = [];
// Each test file runs in its own process; removing on exit keeps /tmp free of fixture sets and LFW scan caches.
process.on('exit', () => {
  for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp folder for one fixture set (or workspace), removed when the test process exits. */
export function tempDir(prefix = 'frw-ds-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Write `content` at `root/rel`, creating folders. */
export function put(root: string, rel: string, content: string | Uint8Array): string {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
  return abs;
}

/** A solid-colour JPEG; distinct colours give distinct bytes, so fixtures only duplicate where a test wants it. */
export async function jpeg(root: string, rel: string, rgb: [number, number, number], width = 40, height = 30): Promise<string> {
  const buf = await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg().toBuffer();
  return put(root, rel, buf);
}

/** A binary PGM (P5) that sharp cannot read and our PNM decoder must. */
export function pgm(root: string, rel: string, width = 6, height = 4): string {
  const pixels = Buffer.alloc(width * height, 0);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 256;
  return put(root, rel, Buffer.concat([Buffer.from(`P5\n${width} ${height}\n255\n`), pixels]));
}

/** A JPEG of noise cut in half: the header reads, the pixel data ends early. */
export async function truncatedJpeg(root: string, rel: string): Promise<string> {
  const buf = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toBuffer();
  return put(root, rel, buf.subarray(0, Math.floor(buf.length / 2)));
}
