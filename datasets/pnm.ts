import { FrwError } from '../core/errors.js';

/** Netpbm (PBM/PGM/PPM, ASCII and binary) decoder: classic face sets (AT&T, Yale) ship PGM, which sharp cannot read. */
export interface PnmImage {
  width: number;
  height: number;
  /** 1 (PBM/PGM) or 3 (PPM) channels, 8-bit, rows top to bottom. */
  channels: 1 | 3;
  data: Uint8Array;
}

export function isPnm(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x50 /* P */ && buf[1] >= 0x31 && buf[1] <= 0x36 && (buf.length < 3 || isSpace(buf[2]));
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

export function decodePnm(buf: Uint8Array): PnmImage {
  const kind = buf[1] - 0x30; // 1..6
  let pos = 2;
  const token = (): string => {
    for (;;) {
      while (pos < buf.length && isSpace(buf[pos])) pos++;
      if (buf[pos] === 0x23 /* # comment */) {
        while (pos < buf.length && buf[pos] !== 0x0a) pos++;
        continue;
      }
      break;
    }
    const start = pos;
    while (pos < buf.length && !isSpace(buf[pos]) && buf[pos] !== 0x23) pos++;
    if (start === pos) throw new FrwError('BAD_INPUT', 'truncated PNM header', { reason: 'truncated' });
    return String.fromCharCode(...buf.subarray(start, pos));
  };
  const int = (what: string): number => {
    const t = token();
    const v = Number(t);
    if (!Number.isInteger(v) || v <= 0) throw new FrwError('BAD_INPUT', `PNM ${what} is not a positive integer: ${t}`, { reason: 'unreadable' });
    return v;
  };
  const width = int('width');
  const height = int('height');
  const isBitmap = kind === 1 || kind === 4;
  const maxval = isBitmap ? 1 : int('maxval');
  if (maxval > 65535) throw new FrwError('BAD_INPUT', `PNM maxval ${maxval} is out of range`, { reason: 'unreadable' });
  const channels: 1 | 3 = kind === 3 || kind === 6 ? 3 : 1;
  const n = width * height * channels;
  const out = new Uint8Array(n);
  const scale = (v: number) => (isBitmap ? (v ? 0 : 255) /* PBM: 1 is black */ : Math.round((v * 255) / maxval));

  if (kind <= 3) {
    for (let i = 0; i < n; i++) {
      if (kind === 1) {
        // PBM ASCII digits may be packed without whitespace.
        while (pos < buf.length && (isSpace(buf[pos]) || buf[pos] === 0x23)) {
          if (buf[pos] === 0x23) while (pos < buf.length && buf[pos] !== 0x0a) pos++;
          else pos++;
        }
        if (pos >= buf.length) throw truncated();
        out[i] = scale(buf[pos++] - 0x30);
      } else {
        if (pos >= buf.length) throw truncated();
        out[i] = scale(Number(token()));
      }
    }
    return { width, height, channels, data: out };
  }

  pos++; // exactly one whitespace byte separates the header from binary data
  if (kind === 4) {
    const rowBytes = Math.ceil(width / 8);
    if (pos + rowBytes * height > buf.length) throw truncated();
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const bit = (buf[pos + y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
        out[y * width + x] = scale(bit);
      }
    }
    return { width, height, channels, data: out };
  }
  const bytesPerSample = maxval < 256 ? 1 : 2;
  if (pos + n * bytesPerSample > buf.length) throw truncated();
  for (let i = 0; i < n; i++) {
    const v = bytesPerSample === 1 ? buf[pos + i] : (buf[pos + 2 * i] << 8) | buf[pos + 2 * i + 1];
    out[i] = scale(v);
  }
  return { width, height, channels, data: out };
}

function truncated(): FrwError {
  return new FrwError('BAD_INPUT', 'PNM pixel data is truncated', { reason: 'truncated' });
}
