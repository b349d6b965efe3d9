import { FrwError } from '../../core/errors.js';
import type { KerasLayer } from './graph.js';

/**
 * Typed reads of one layer's config, each failure an UNSUPPORTED error naming the layer, its class and the field:
 * the message a user with a hand-edited or foreign `.h5` needs.
 */
export class LayerConfig {
  constructor(readonly layer: KerasLayer) {}

  fail(msg: string): FrwError {
    return new FrwError('UNSUPPORTED', `layer '${this.layer.name}' (${this.layer.className}): ${msg}`, { layer: this.layer.name, className: this.layer.className });
  }

  private raw(key: string): unknown {
    return this.layer.config[key];
  }

  int(key: string, dflt?: number, min = 1): number {
    const v = this.raw(key) ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw this.fail(`${key} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
    return v;
  }

  num(key: string, dflt?: number): number {
    const v = this.raw(key) ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.fail(`${key} must be a number (got ${JSON.stringify(v)})`);
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.raw(key) ?? dflt;
    if (typeof v !== 'boolean') throw this.fail(`${key} must be true or false (got ${JSON.stringify(v)})`);
    return v;
  }

  str(key: string, dflt?: string): string {
    const v = this.raw(key) ?? dflt;
    if (typeof v !== 'string') throw this.fail(`${key} must be text (got ${JSON.stringify(v)})`);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], dflt?: T): T {
    const v = this.str(key, dflt);
    if (!allowed.includes(v as T)) throw this.fail(`${key} ${JSON.stringify(v)} is not supported (supported: ${allowed.join(', ')})`);
    return v as T;
  }

  /** An integer or a pair of integers (kernel_size, strides, dilation_rate), as [height, width]. */
  pair(key: string, dflt?: number): [number, number] {
    const v = this.raw(key) ?? dflt;
    const p = typeof v === 'number' ? [v, v] : v;
    if (!Array.isArray(p) || p.length !== 2 || p.some((x) => !Number.isInteger(x) || x < 1)) throw this.fail(`${key} must be a positive integer or two (got ${JSON.stringify(v)})`);
    return [p[0], p[1]];
  }

  /** A list of integers (axes, target shapes); a single integer is a list of one. */
  ints(key: string, dflt?: number[]): number[] {
    const v = this.raw(key) ?? dflt;
    const l = typeof v === 'number' ? [v] : v;
    if (!Array.isArray(l) || l.some((x) => !Number.isInteger(x))) throw this.fail(`${key} must be a list of integers (got ${JSON.stringify(v)})`);
    return l as number[];
  }

  /** Only channels-last data: what TensorFlow.js kernels take and what every Keras face model we know uses. */
  channelsLast(): void {
    const f = this.raw('data_format');
    if (f !== undefined && f !== null && f !== 'channels_last') throw this.fail(`data_format ${JSON.stringify(f)} is not supported; only channels_last`);
  }

  /** The layer's activation function name (`activation` field), a string or Keras 3's serialised form. */
  activation(key = 'activation'): string {
    const v = this.raw(key) ?? 'linear';
    if (typeof v === 'string') return v;
    const o = v as { config?: { name?: unknown }; class_name?: unknown } | null;
    if (o && typeof o.config?.name === 'string') return o.config.name;
    throw this.fail(`${key} ${JSON.stringify(v)} is not an activation name`);
  }
}
