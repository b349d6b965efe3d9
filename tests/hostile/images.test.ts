/**
 * Hostile images (issue 12): files a camera, an upload form or a scraped folder can carry. Each is refused from its
 * first bytes with a counted reason, before any decoder runs.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { acquisitionFailureOf } from '../../core/failures.js';
import sharp from 'sharp';
import { sniffFormat } from '../../datasets/formats.js';
import { decodeImage } from '../../datasets/image.js';
import { probeImage } from '../../datasets/scan.js';
import { SVG_BOMB } from '../helpers/bad-inputs.js';
import { lfwImage, tempWorkspace } from '../helpers/shared.js';

const reasonOf = async (bytes: Uint8Array) => {
  try {
    await decodeImage(bytes);
    return 'decoded';
  } catch (e) {
    return acquisitionFailureOf(e)?.reason ?? `fault: ${(e as Error).message}`;
  }
};

test('the decode allowlist: formats recognised from their bytes, everything else refused before a decoder sees it', async () => {
  const jpeg = fs.readFileSync(lfwImage('Colin_Powell'));
  assert.equal(sniffFormat(jpeg), 'jpeg');
  assert.equal(sniffFormat(new TextEncoder().encode('P5\n2 2\n255\n')), 'pnm');
  assert.equal(await reasonOf(jpeg), 'decoded');
  const cases: Array<[string, Uint8Array, string]> = [
    ['SVG bomb', new TextEncoder().encode(SVG_BOMB), 'unsupported-format'],
    ['SVG behind an XML declaration', new TextEncoder().encode(`<?xml version="1.0"?>\n${SVG_BOMB}`), 'unsupported-format'],
    ['BMP', Uint8Array.from([0x42, 0x4d, 0x36, 0, 0, 0, 0, 0]), 'unsupported-format'],
    ['PDF', new TextEncoder().encode('%PDF-1.7\n'), 'unsupported-format'],
    ['HEIC', Uint8Array.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63]), 'unsupported-format'],
    ['text named .jpg', new TextEncoder().encode('hello, I am not a photo'), 'not-an-image'],
    ['JPEG magic then garbage', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]), 'unreadable'],
  ];
  for (const [what, bytes, want] of cases) assert.equal(await reasonOf(bytes), want, what);
});

test('a cut-off JPEG or PNG is "truncated" whatever the decoder says, at every cut (the reason never depends on timing)', async () => {
  const jpeg = fs.readFileSync(lfwImage('Colin_Powell'));
  const png = await sharp(jpeg).png().toBuffer();
  for (const [name, whole] of [['JPEG', jpeg], ['PNG', png]] as const) {
    const cuts = [0.3, 0.5, 0.7, 0.9, 0.97].map((f) => Math.floor(whole.length * f));
    const reasons = await Promise.all(cuts.map((n) => reasonOf(new Uint8Array(whole.subarray(0, n)))));
    assert.deepEqual(reasons, cuts.map(() => 'truncated'), name);
  }
});

test('a dataset scan counts an SVG as unsupported-format, whatever its name', async () => {
  const dir = tempWorkspace();
  const file = path.join(dir, 'face.png');
  fs.writeFileSync(file, SVG_BOMB);
  const probed = await probeImage(file, 'face.png');
  assert.equal(probed.problem?.kind, 'unsupported-format');
  assert.match(probed.problem!.message, /SVG is not a format frw decodes/);
});
