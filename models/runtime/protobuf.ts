/**
 * The least of protobuf's wire format needed to read and edit ONNX files without a schema or a dependency: a
 * message is a list of fields, each kept with its original bytes, so whatever we do not edit is written back
 * byte for byte (fields we do not know included), and only the messages on the path of an edit are re-encoded.
 */
import { FrwError } from '../../core/errors.js';

/** Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. Groups (3, 4) are long deprecated. */
export type WireType = 0 | 1 | 2 | 5;

export interface ProtoField {
  no: number;
  wire: WireType;
  /** The whole field as it was read (tag, length, payload). */
  raw: Uint8Array;
  /** Length-delimited: the content; varint: its bytes; fixed: its 4 or 8 bytes. */
  payload: Uint8Array;
}

function malformed(what: string, at: number, why: string): FrwError {
  return new FrwError('BAD_INPUT', `${what} is not a valid protobuf message: ${why} at byte ${at}`, { at });
}

/** A varint at `pos`, as a bigint (int64 fields reach 2^63) and the position after it. */
export function readVarint(buf: Uint8Array, pos: number, what = 'message'): { value: bigint; next: number } {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= buf.length) throw malformed(what, pos, 'a varint runs past the end');
    const b = buf[pos + i];
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) return { value, next: pos + i + 1 };
  }
  throw malformed(what, pos, 'a varint longer than 10 bytes');
}

/** Split one message into its fields. Throws BAD_INPUT (with `what` and the byte offset) on malformed bytes. */
export function readFields(buf: Uint8Array, what = 'message'): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const tag = readVarint(buf, pos, what);
    pos = tag.next;
    if (tag.value > 0xffffffffn) throw malformed(what, start, 'a tag over 32 bits');
    const no = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    if (no === 0) throw malformed(what, start, 'field number 0');
    let payloadStart = pos;
    switch (wire) {
      case 0:
        pos = readVarint(buf, pos, what).next;
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        const len = readVarint(buf, pos, what);
        payloadStart = len.next;
        if (len.value > BigInt(buf.length - payloadStart)) throw malformed(what, start, `field ${no} claims ${len.value} bytes, only ${buf.length - payloadStart} remain`);
        pos = payloadStart + Number(len.value);
        break;
      }
      default:
        throw malformed(what, start, `wire type ${wire} (groups or garbage) in field ${no}`);
    }
    if (pos > buf.length) throw malformed(what, start, `field ${no} runs past the end`);
    fields.push({ no, wire: wire as WireType, raw: buf.subarray(start, pos), payload: buf.subarray(payloadStart, pos) });
  }
  return fields;
}

export function encodeVarint(v: bigint | number): Uint8Array {
  let x = BigInt.asUintN(64, BigInt(v)); // negative int64s are 10-byte two's complement, as protobuf writes them
  const out: number[] = [];
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? b | 0x80 : b);
  } while (x);
  return Uint8Array.from(out);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A field encoded afresh from its number, wire type and payload (canonical tag and length). */
export function encodeField(no: number, wire: WireType, payload: Uint8Array): Uint8Array {
  const tag = encodeVarint((BigInt(no) << 3n) | BigInt(wire));
  return wire === 2 ? concatBytes([tag, encodeVarint(payload.length), payload]) : concatBytes([tag, payload]);
}

/** A message encoded afresh, field by field (what the tests compare with the original bytes). */
export function encodeFields(fields: readonly ProtoField[]): Uint8Array {
  return concatBytes(fields.map((f) => encodeField(f.no, f.wire, f.payload)));
}

/**
 * Rebuild a message where `edit` may replace a field: it returns the field's new bytes (a whole encoded field, or
 * several, or an empty array to drop it), or undefined to keep it. Kept fields are copied as they were read; when
 * nothing is replaced the very input array comes back, so callers can tell "unchanged" by identity.
 */
export function editFields(buf: Uint8Array, fields: readonly ProtoField[], edit: (f: ProtoField) => Uint8Array | undefined): Uint8Array {
  let changed = false;
  const parts = fields.map((f) => {
    const r = edit(f);
    if (r === undefined) return f.raw;
    changed = true;
    return r;
  });
  return changed ? concatBytes(parts) : buf;
}

/** The value of a varint field. */
export function varintOf(f: ProtoField): bigint {
  if (f.wire !== 0) throw new FrwError('BAD_INPUT', `field ${f.no} should be a varint, has wire type ${f.wire}`);
  return readVarint(f.payload, 0).value;
}

/** A varint as a JS number, refusing what does not fit exactly (tensor dims, counts). */
export function safeNumber(v: bigint, what: string): number {
  const s = BigInt.asIntN(64, v);
  if (s > BigInt(Number.MAX_SAFE_INTEGER) || s < BigInt(Number.MIN_SAFE_INTEGER)) throw new FrwError('BAD_INPUT', `${what} is ${s}, beyond what can be counted exactly`);
  return Number(s);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
export const textOf = (f: ProtoField): string => utf8.decode(f.payload);

/** A repeated int64 field's values, whether written packed (one length-delimited field) or one varint per value. */
export function repeatedInts(fields: readonly ProtoField[], no: number, what: string): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.no !== no) continue;
    if (f.wire === 0) out.push(safeNumber(varintOf(f), what));
    else if (f.wire === 2) {
      for (let pos = 0; pos < f.payload.length; ) {
        const v = readVarint(f.payload, pos, what);
        out.push(safeNumber(v.value, what));
        pos = v.next;
      }
    } else throw new FrwError('BAD_INPUT', `${what}: field ${no} has wire type ${f.wire}, expected int64s`);
  }
  return out;
}
