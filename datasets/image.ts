import fs from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { FrwError } from '../core/errors.js';
import { acquisitionFailure, NOT_OF_THE_BYTES } from '../core/failures.js';
import { DECODED_FORMATS_TEXT, otherImageFormat, sniffFormat } from './formats.js';
import { decodePnm } from './pnm.js';

/** The per-image decode budget: an image of an allowed format within the megapixel cap decodes far inside it. */
const DECODE_SECONDS = 10;

/** 8-bit interleaved RGB, rows top to bottom: the one pixel format every stage after decoding works on. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface DecodeOptions {
  /** Refuse images over this many megapixels (decompression bombs, scanner TIFFs). */
  maxMegapixels: number;
  /**
   * Bring every camera to one working resolution: images whose long side exceeds this are downscaled before
   * detection. Keeps memory bounded and detector behaviour comparable across sources.
   */
  workingMaxSide: number;
}

export const DEFAULT_DECODE: DecodeOptions = { maxMegapixels: 50, workingMaxSide: 1600 };

export interface DecodedImage {
  image: RgbImage;
  /** Format as detected from the bytes, not the file name. */
  format: string;
  /** Size after EXIF orientation, before any working-resolution downscale. */
  originalWidth: number;
  originalHeight: number;
  /** working size / original size (1 when not downscaled). */
  scale: number;
  grayscale: boolean;
}

/**
 * Decode any supported image to RGB: JPEG/PNG/GIF/WebP/TIFF through sharp, PBM/PGM/PPM through our own decoder;
 * any other format is refused from its first bytes (formats.ts), before a decoder sees it.
 * EXIF orientation is applied; grayscale and CMYK become RGB; alpha is dropped. Throws an acquisition failure
 * (empty-file, not-an-image, truncated, too-large, unreadable) that callers count.
 */
const FILE_PROBLEMS = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP', 'ENAMETOOLONG']);

export async function decodeImage(input: string | Uint8Array, opts: DecodeOptions = DEFAULT_DECODE): Promise<DecodedImage> {
  let buf: Uint8Array;
  if (typeof input === 'string') {
    try {
      buf = await fs.readFile(input);
    } catch (e) {
      // A file that is missing, a folder or not ours to read is a property of the dataset; running out of file
      // handles or memory, or a failing disk, is a fault of this run and must not be cached as the image's.
      if (FILE_PROBLEMS.has((e as NodeJS.ErrnoException).code ?? '')) throw acquisitionFailure('unreadable', `cannot read ${input}: ${(e as Error).message}`, NOT_OF_THE_BYTES);
      throw new FrwError('INTERNAL', `reading ${input} failed: ${(e as Error).message}`, undefined, { cause: e });
    }
  } else buf = input;
  if (buf.length === 0) throw acquisitionFailure('empty-file', 'file is empty (0 bytes)');
  // The allowlist, from the bytes: nothing else reaches a decoder (sharp would render an SVG at any CPU cost).
  const format = sniffFormat(buf);
  if (format === null) {
    const other = otherImageFormat(buf);
    throw other ? acquisitionFailure('unsupported-format', `${other} is not a format frw decodes (it reads ${DECODED_FORMATS_TEXT})`) : acquisitionFailure('not-an-image', 'not a supported image format');
  }
  if (format === 'pnm') return decodePnmImage(buf, opts);

  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (e) {
    const msg = (e as Error).message;
    if (/unsupported image format/i.test(msg)) throw acquisitionFailure('not-an-image', 'not a supported image format');
    throw acquisitionFailure('unreadable', `cannot read image header: ${msg}`);
  }
  // sharp chooses its decoder from the bytes as well: it must be the one the allowlist recognised.
  if (meta.format !== format) throw acquisitionFailure('unsupported-format', `the bytes read as ${meta.format ?? 'unknown'} to the decoder but as ${format} to the allowlist; not decoded`);
  const w0 = meta.width ?? 0;
  const h0 = meta.height ?? 0;
  checkSize(w0, h0, opts);
  const swap = (meta.orientation ?? 1) >= 5; // EXIF orientations 5-8 transpose the image
  const ow = swap ? h0 : w0;
  const oh = swap ? w0 : h0;
  const scale = Math.min(1, opts.workingMaxSide / Math.max(ow, oh));

  let pipeline = sharp(buf, { failOn: 'truncated', limitInputPixels: Math.ceil(opts.maxMegapixels * 1e6) }).rotate().timeout({ seconds: DECODE_SECONDS });
  if (scale < 1) pipeline = pipeline.resize({ width: Math.max(1, Math.round(ow * scale)), height: Math.max(1, Math.round(oh * scale)), fit: 'fill' });
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    const msg = (e as Error).message;
    if (/timeout/i.test(msg)) throw acquisitionFailure('too-large', `decoding took over ${DECODE_SECONDS} s (the per-image budget)`, NOT_OF_THE_BYTES);
    // The bytes decide, not the decoder's wording (which varies from run to run for the same cut-off file).
    // No decoder text in this message: libvips's error buffer is shared by the threads decoding at once, so the same
    // file reads "premature end of JPEG image" or "Unknown error" from run to run, and cached failures must agree.
    if (lacksEndMarker(format, buf)) throw acquisitionFailure('truncated', `image data is truncated: the ${format.toUpperCase()} ends before its end marker`);
    if (/premature end|truncat|unexpected end|corrupt|bad huffman|read error/i.test(msg)) {
      throw acquisitionFailure('truncated', `image data is truncated or corrupt: ${msg.split('\n')[0]}`);
    }
    throw acquisitionFailure('unreadable', `cannot decode image: ${msg.split('\n')[0]}`);
  }
  const rgb = toRgb(new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length), raw.info.width, raw.info.height, raw.info.channels);
  return {
    image: rgb,
    format: meta.format ?? 'unknown',
    originalWidth: ow,
    originalHeight: oh,
    scale: rgb.width / ow,
    grayscale: meta.channels === 1 || (meta.channels === 2) || isEffectivelyGray(rgb),
  };
}

async function decodePnmImage(buf: Uint8Array, opts: DecodeOptions): Promise<DecodedImage> {
  let pnm;
  try {
    pnm = decodePnm(buf);
  } catch (e) {
    const reason = ((e as { details?: { reason?: string } }).details?.reason ?? 'unreadable') as 'truncated' | 'unreadable';
    throw acquisitionFailure(reason, (e as Error).message);
  }
  checkSize(pnm.width, pnm.height, opts);
  let rgb = toRgb(pnm.data, pnm.width, pnm.height, pnm.channels);
  const scale = Math.min(1, opts.workingMaxSide / Math.max(pnm.width, pnm.height));
  if (scale < 1) {
    const w = Math.max(1, Math.round(pnm.width * scale));
    const h = Math.max(1, Math.round(pnm.height * scale));
    const out = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).resize({ width: w, height: h, fit: 'fill' }).raw().toBuffer();
    rgb = { width: w, height: h, data: new Uint8Array(out.buffer, out.byteOffset, out.length) };
  }
  return { image: rgb, format: 'pnm', originalWidth: pnm.width, originalHeight: pnm.height, scale: rgb.width / pnm.width, grayscale: pnm.channels === 1 || isEffectivelyGray(rgb) };
}

/** A JPEG without its EOI marker (FF D9) or a PNG without its IEND chunk near the end: cut off in transfer. */
function lacksEndMarker(format: string, b: Uint8Array): boolean {
  const tail = b.subarray(Math.max(0, b.length - 64));
  const has = (sig: number[]) => tail.some((_, i) => sig.every((v, k) => tail[i + k] === v));
  if (format === 'jpeg') return !has([0xff, 0xd9]);
  if (format === 'png') return !has([0x49, 0x45, 0x4e, 0x44]);
  return false;
}

function checkSize(w: number, h: number, opts: DecodeOptions): void {
  if (!(w > 0 && h > 0)) throw acquisitionFailure('unreadable', 'image has no size');
  const mp = (w * h) / 1e6;
  if (mp > opts.maxMegapixels) {
    throw acquisitionFailure('too-large', `image is ${mp.toFixed(1)} MP (${w}x${h}), over the ${opts.maxMegapixels} MP cap`, { width: w, height: h });
  }
}

function toRgb(data: Uint8Array, width: number, height: number, channels: number): RgbImage {
  if (channels === 3) return { width, height, data };
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, n = width * height; i < n; i++) {
    const v = data[i * channels];
    out[3 * i] = v;
    out[3 * i + 1] = channels >= 3 ? data[i * channels + 1] : v;
    out[3 * i + 2] = channels >= 3 ? data[i * channels + 2] : v;
  }
  return { width, height, data: out };
}

/** True when (almost) every pixel has R≈G≈B: grayscale photos saved as RGB JPEGs, common in old face sets. */
export function isEffectivelyGray(img: RgbImage, tolerance = 6): boolean {
  const n = img.width * img.height;
  const step = Math.max(1, Math.floor(n / 4096));
  let colored = 0;
  let seen = 0;
  for (let i = 0; i < n; i += step, seen++) {
    const r = img.data[3 * i];
    const g = img.data[3 * i + 1];
    const b = img.data[3 * i + 2];
    if (Math.abs(r - g) > tolerance || Math.abs(g - b) > tolerance || Math.abs(r - b) > tolerance) colored++;
  }
  return colored <= seen * 0.01;
}
