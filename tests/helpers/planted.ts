import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { DATA_ROOT } from './shared.js';

/**
 * A copy of lfw-mini with known problems planted, in a folder of its own (the shared dataset is never written),
 * for the audit to find. Paths are dataset-relative, as the manifest names them.
 */
export const PLANTED = {
  /** A Bob Graham photo moved under Angela Bassett's name. */
  moved: { from: 'Bob_Graham/Bob_Graham_0002.jpg', to: 'Angela_Bassett/Angela_Bassett_0099.jpg', trueIdentity: 'Bob_Graham', wrongIdentity: 'Angela_Bassett' },
  /** Half of Edmund Stoiber's photos filed under a second name. */
  split: { identity: 'Edmund_Stoiber', alias: 'E_Stoiber', moved: ['0009', '0011', '0012'] },
  /** The same file under two names: a Bill Frist photo copied into Brad Johnson's folder. */
  copied: { original: 'Bill_Frist/Bill_Frist_0004.jpg', copy: 'Brad_Johnson/Brad_Johnson_0099.jpg' },
  /** A plain gradient, no face, filed as Bernard Law. */
  noFace: 'Bernard_Law/Bernard_Law_0099.png',
  /** An Ann Veneman photo among the unknowns (never enrolled): a "stranger" who is an enrolled person. */
  unknownKnown: { from: 'Ann_Veneman/Ann_Veneman_0011.jpg', to: 'unknown/visitor_0001.jpg', identity: 'Ann_Veneman' },
} as const;

export async function plantedLfwMini(dst: string): Promise<string> {
  fs.cpSync(path.join(DATA_ROOT, 'lfw-mini'), dst, { recursive: true });
  const move = (a: string, b: string) => {
    fs.mkdirSync(path.dirname(path.join(dst, b)), { recursive: true });
    fs.renameSync(path.join(dst, a), path.join(dst, b));
  };
  move(PLANTED.moved.from, PLANTED.moved.to);
  const s = PLANTED.split;
  for (const n of s.moved) move(`${s.identity}/${s.identity}_${n}.jpg`, `${s.alias}/${s.alias}_${n}.jpg`);
  fs.copyFileSync(path.join(dst, PLANTED.copied.original), path.join(dst, PLANTED.copied.copy));
  const w = 160;
  const px = Buffer.alloc(w * w * 3);
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) px.set([x, y, 128], (y * w + x) * 3);
  await sharp(px, { raw: { width: w, height: w, channels: 3 } }).png().toFile(path.join(dst, PLANTED.noFace));
  move(PLANTED.unknownKnown.from, PLANTED.unknownKnown.to);
  return dst;
}
