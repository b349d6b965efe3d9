/**
 * The image formats frw decodes, recognised from the file's own first bytes (never its name or a content type):
 * the allowlist every decode goes through. Anything else — SVG (which sharp would render, at any CPU cost), BMP,
 * HEIC, PDF, text — is refused before a decoder sees it.
 */
import { isPnm } from './pnm.js';

export const DECODED_FORMATS = ['jpeg', 'png', 'gif', 'webp', 'tiff', 'pnm'] as const;
export type DecodedFormat = (typeof DECODED_FORMATS)[number];

/** For messages: what the allowlist holds, in words. */
export const DECODED_FORMATS_TEXT = 'JPEG, PNG, GIF, WebP, TIFF or PBM/PGM/PPM';

const starts = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** The format of these bytes by their signature, or null when it is not one frw decodes. */
export function sniffFormat(b: Uint8Array): DecodedFormat | null {
  if (starts(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(b, ascii('GIF87a')) || starts(b, ascii('GIF89a'))) return 'gif';
  if (starts(b, ascii('RIFF')) && starts(b, ascii('WEBP'), 8)) return 'webp';
  if (starts(b, [0x49, 0x49, 0x2a, 0x00]) || starts(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (isPnm(b)) return 'pnm'; // "P1".."P6" then whitespace; P7 (PAM) is not decoded

  return null;
}

/** Image formats recognisably so, but not decoded here: named in the refusal, so the user knows what they sent. */
export function otherImageFormat(b: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(b.subarray(0, 256)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'SVG';
  if (starts(b, ascii('BM'))) return 'BMP';
  if (starts(b, ascii('ftyp'), 4)) return 'HEIF/AVIF';
  if (starts(b, ascii('%PDF'))) return 'PDF';
  if (starts(b, [0xff, 0x0a]) || starts(b, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'JPEG XL';
  return null;
}
