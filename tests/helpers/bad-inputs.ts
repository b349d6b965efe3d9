import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { lfwImage } from './shared.js';

/**
 * A folder dataset of awkward inputs built from real LFW faces, with the outcome each must have. Identity
 * folders: `awkward/` holds one file of each kind.
 */
export const BAD_INPUT_OUTCOMES = {
  'zero.jpg': 'empty-file',
  'truncated.jpg': 'truncated',
  'text.jpg': 'not-an-image',
  'huge-40mp.jpg': 'ok',
  'gray.pgm': 'ok',
  'anim.gif': 'ok',
  'cmyk.jpg': 'ok',
  'exif-rotated.jpg': 'ok',
  'noface.png': 'no-face',
  'group.jpg': 'ok',
} as const;

export async function writeBadInputSet(root: string): Promise<{ dir: string; source: string }> {
  const dir = path.join(root, 'awkward');
  fs.mkdirSync(dir, { recursive: true });
  const source = lfwImage('Aaron_Eckhart');
  const jpg = fs.readFileSync(source);
  fs.writeFileSync(path.join(dir, 'zero.jpg'), '');
  fs.writeFileSync(path.join(dir, 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
  fs.writeFileSync(path.join(dir, 'text.jpg'), 'name,label\nthis is not an image\n');
  // 8000×5000 = 40 MP with the face scaled up to 2500 px, so it is still findable after the working-size downscale.
  const bigFace = await sharp(jpg).resize(2500, 2500).toBuffer();
  await sharp({ create: { width: 8000, height: 5000, channels: 3, background: { r: 90, g: 110, b: 130 } } })
    .composite([{ input: bigFace, left: 2750, top: 1250 }])
    .jpeg({ quality: 80 })
    .toFile(path.join(dir, 'huge-40mp.jpg'));
  const gray = await sharp(jpg).greyscale().raw().toBuffer({ resolveWithObject: true });
  fs.writeFileSync(path.join(dir, 'gray.pgm'), Buffer.concat([Buffer.from(`P5\n# LFW face\n${gray.info.width} ${gray.info.height}\n255\n`), gray.data]));
  await sharp(jpg).gif().toFile(path.join(dir, 'anim.gif'));
  await sharp(jpg).toColourspace('cmyk').jpeg().toFile(path.join(dir, 'cmyk.jpg'));
  // Stored turned 90° anticlockwise with EXIF orientation 6 ("rotate 90° clockwise to display"), non-square so a
  // decoder that ignores orientation also gets the size wrong.
  await sharp(jpg).extract({ left: 0, top: 0, width: 250, height: 220 }).rotate(270).withMetadata({ orientation: 6 }).jpeg().toFile(path.join(dir, 'exif-rotated.jpg'));
  const noise = Buffer.alloc(300 * 200 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  await sharp(noise, { raw: { width: 300, height: 200, channels: 3 } }).png().toFile(path.join(dir, 'noface.png'));
  // A group photo: the subject centred, a second, smaller person at the edge (the policy must pick the subject).
  const other = await sharp(fs.readFileSync(lfwImage('Serena_Williams'))).resize(160, 160).toBuffer();
  await sharp({ create: { width: 560, height: 300, channels: 3, background: { r: 20, g: 20, b: 20 } } })
    .composite([
      { input: jpg, left: 155, top: 25 },
      { input: other, left: 400, top: 0 },
    ])
    .jpeg()
    .toFile(path.join(dir, 'group.jpg'));
  return { dir, source };
}

// The hostile SVG lives with the bench that floods the engine with it; the tests use the same bytes.
export { SVG_BOMB } from '../../bench/hostile-inputs.js';
