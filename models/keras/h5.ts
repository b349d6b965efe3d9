/// <reference path="./jsfive.d.ts" />
/**
 * Keras HDF5 checkpoints, read with jsfive (pure JavaScript: nothing native, nothing downloaded). A full-model file
 * (`model.save('x.h5')`) holds the architecture as the root attribute `model_config` (JSON) and the weights under
 * `model_weights/<layer>/…`, each layer group listing its datasets in the attribute `weight_names`; a weights-only
 * file (`save_weights`) holds the same layer groups at the root and no config.
 *
 * Everything read from the file is untrusted: jsfive throws plain strings and RangeErrors on damaged input, so
 * every read is wrapped into an FrwError naming what was being read, and declared sizes are bounded by the file's
 * before anything is allocated. Not defended: a crafted B-tree that makes jsfive revisit nodes can take very long
 * to read (jsfive keeps no visited set); see the README's security section.
 */
import { readFileSync, statSync } from 'node:fs';
import * as hdf5 from 'jsfive';
import { FrwError, errorMessage } from '../../core/errors.js';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** ArrayBuffers and jsfive's DataViews stop well short of this; larger checkpoints need a streaming reader. */
export const MAX_H5_BYTES = 2 ** 31 - 1;
/** How many times its file's size one weight may be once decompressed (a bound on what a hostile file can make us allocate). */
const MAX_EXPANSION = 16;

export interface KerasWeight {
  /** As stored, e.g. `conv2d/kernel:0` (Keras 2) or `kernel` (Keras 3). */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface KerasH5 {
  file: string;
  /** The parsed `model_config`, or null for a weights-only file. */
  modelConfig: unknown;
  /** `keras_version` as written by the saver ('' when absent): hard_sigmoid's meaning depends on it. */
  kerasVersion: string;
  /** Layer names that hold weight groups, in the file's order. */
  weightLayers: string[];
  /** The weights of one layer, in the order Keras wrote them; throws an FrwError naming the layer. */
  layerWeights(layer: string): KerasWeight[];
}

/** Base name of a stored weight (`stack1/conv2d_3/kernel:0` → `kernel`): what a layer's weights are matched by. */
export function weightBaseName(stored: string): string {
  return stored.split('/').pop()!.replace(/:\d+$/, '');
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : null);

const damaged = (file: string, what: string, e: unknown, details: Record<string, unknown> = {}) =>
  new FrwError('BAD_INPUT', `${file}: cannot read ${what}: ${errorMessage(e)}. The file is damaged or not a Keras checkpoint.`, { file, ...details }, { cause: e });

/**
 * HDF5 version-0/1 superblocks record the end-of-file address: a file shorter than that was cut off (a partial
 * download or copy). Later superblock versions are checked only by the reads themselves.
 */
function recordedLength(bytes: Uint8Array): number | null {
  const version = bytes[8];
  if ((version !== 0 && version !== 1) || bytes.length < 56) return null;
  const offsetSize = bytes[13];
  if (offsetSize !== 8) return null;
  // v0: 8 signature + 8 version/size bytes + 8 (k values, flags) = 24; v1 adds 4 bytes of indexed-storage k.
  const at = 24 + (version === 1 ? 4 : 0) + 2 * offsetSize;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eof = view.getBigUint64(at, true);
  return eof > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(eof);
}

/**
 * Open a Keras `.h5` file. Throws BAD_INPUT for a file that is not HDF5, is truncated (its superblock records a
 * longer file: the error names the first layer whose weights lie beyond the cut) or whose `model_config` is not
 * JSON; TOO_LARGE above {@link MAX_H5_BYTES}.
 */
export function openKerasH5(file: string, opts: { hasWeights?: (className: string) => boolean } = {}): KerasH5 {
  const size = statSync(file).size;
  if (size > MAX_H5_BYTES) throw new FrwError('TOO_LARGE', `${file} is ${size} bytes; Keras .h5 files up to ${MAX_H5_BYTES} bytes are supported`, { file });
  const buf = readFileSync(file);
  if (buf.length < 64 || HDF5_SIGNATURE.some((b, i) => buf[i] !== b)) {
    throw new FrwError('BAD_INPUT', `${file} is not an HDF5 file (no HDF5 signature at its start)`, { file });
  }
  let root: hdf5.File;
  try {
    root = new hdf5.File(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, file);
  } catch (e) {
    throw damaged(file, 'its HDF5 superblock', e);
  }
  let modelConfig: unknown = null;
  let kerasVersion = '';
  try {
    const cfg = text(root.attrs.model_config);
    kerasVersion = text(root.attrs.keras_version) ?? '';
    if (cfg !== null) modelConfig = JSON.parse(cfg);
  } catch (e) {
    throw damaged(file, 'its model_config attribute', e);
  }
  const full = root.keys.includes('model_weights');
  const weightsRoot = (): hdf5.Group => {
    const g = full ? root.get('model_weights') : root;
    if (!(g instanceof hdf5.Group)) throw new Error('model_weights is not a group');
    return g;
  };
  const readLayer = (layer: string): KerasWeight[] => {
    const g = weightsRoot().get(layer);
    if (!(g instanceof hdf5.Group)) throw new Error(`'${layer}' is not a group`);
    const names = g.attrs.weight_names;
    const list = Array.isArray(names) ? names.map(text) : [];
    return list.map((name) => {
      if (name === null) throw new Error('a weight name is not text');
      const d = g.get(name);
      if (!(d instanceof hdf5.Dataset)) throw new Error(`'${name}' is not a dataset`);
      if (typeof d.dtype !== 'string' || !/^[<>]f[248]$/.test(d.dtype)) throw new Error(`'${name}' has dtype ${JSON.stringify(d.dtype)}, not a float`);
      const count = d.shape.reduce((a, b) => a * b, 1);
      // Checked before jsfive materialises the values: a few-KB file declaring a huge dataset would otherwise make
      // it allocate an array of that length. Stored weights are rarely compressed, and never 16:1.
      if (!Number.isSafeInteger(count) || count * 4 > MAX_EXPANSION * buf.length + 2 ** 20) {
        throw new Error(`'${name}' declares ${count} values for shape [${d.shape.join(', ')}], more than a ${buf.length}-byte file can hold`);
      }
      const values = Float32Array.from(d.value);
      if (values.length !== count) throw new Error(`'${name}' holds ${values.length} values for shape [${d.shape.join(', ')}]`);
      return { name, shape: [...d.shape], values };
    });
  };

  let weightLayers: string[] = [];
  const expected = recordedLength(buf);
  try {
    const listed = weightsRoot().attrs.layer_names;
    weightLayers = Array.isArray(listed) ? listed.map((n) => text(n) ?? '') : weightsRoot().keys;
  } catch (e) {
    if (expected !== null && expected > buf.length) weightLayers = [];
    else throw damaged(file, 'its list of weight groups', e);
  }
  if (expected !== null && expected > buf.length) {
    const first = firstUnreadable(modelConfig, opts.hasWeights ?? (() => true), (layer) => readLayer(layer));
    throw new FrwError(
      'BAD_INPUT',
      `${file} is truncated: ${buf.length} of the ${expected} bytes its HDF5 superblock records.${first ? ` The weights of layer '${first}' and those after it cannot be read.` : ''} Copy or download the file again.`,
      { file, bytes: buf.length, expectedBytes: expected, ...(first ? { layer: first } : {}) },
    );
  }
  return {
    file,
    modelConfig,
    kerasVersion,
    weightLayers,
    layerWeights(layer: string) {
      try {
        return readLayer(layer);
      } catch (e) {
        throw damaged(file, `the weights of layer '${layer}'`, e, { layer });
      }
    },
  };
}

/** The first layer of the config (in its order) that has weights and whose weight group cannot be read, or null. */
function firstUnreadable(modelConfig: unknown, hasWeights: (className: string) => boolean, read: (layer: string) => unknown): string | null {
  type Entry = { class_name?: unknown; name?: unknown; config?: { name?: unknown } };
  const layers = (modelConfig as { config?: { layers?: Entry[] } } | null)?.config?.layers;
  if (!Array.isArray(layers)) return null;
  for (const l of layers) {
    const name = typeof l.name === 'string' ? l.name : typeof l.config?.name === 'string' ? l.config.name : null;
    if (name === null || typeof l.class_name !== 'string' || !hasWeights(l.class_name)) continue;
    try {
      read(name);
    } catch {
      return name;
    }
  }
  return null;
}
