// How a record's values are written as template fields: the element each key names, the length
// its value takes (the type's full length; variable length for strings and octet arrays in IPFIX,
// their byte length in NetFlow v9, which has no variable length), and the bytes. Values no
// template field can carry (RFC 6313 lists, objects) are left out and counted by the caller.
import { parseIp } from '../codec/ip-prefix.js';
import type { DataType } from '../registry/data-types.js';
import type { NamedElement } from '../registry/index.js';

/** Declared length meaning "variable length" (RFC 7011 §7). */
export const VARLEN = 65535;

/** Record keys that are meta data, never template fields. */
export const META_KEYS: ReadonlySet<string> = new Set(['kind', 'protocol', 'exporter', 'domain', 'templateId', 'exportTime', 'sequence', 'scopes']);

/** One field of an encoded template. */
export interface EncodedField {
  readonly key: string;
  readonly pen: number;
  readonly id: number;
  /** Declared length (VARLEN for variable length). */
  readonly length: number;
  readonly kind: ValueKind;
}

/** How a value is written. */
export type ValueKind = 'uint' | 'sint' | 'float' | 'bool' | 'ipv4' | 'ipv6' | 'mac' | 'text' | 'bytes' | 'seconds' | 'ntp-micro' | 'ntp-nano';

const FIXED: Partial<Record<DataType, [ValueKind, number]>> = {
  unsigned8: ['uint', 1], unsigned16: ['uint', 2], unsigned32: ['uint', 4], unsigned64: ['uint', 8],
  signed8: ['sint', 1], signed16: ['sint', 2], signed32: ['sint', 4], signed64: ['sint', 8],
  float32: ['float', 4], float64: ['float', 8], boolean: ['bool', 1],
  dateTimeSeconds: ['seconds', 4], dateTimeMilliseconds: ['uint', 8],
  dateTimeMicroseconds: ['ntp-micro', 8], dateTimeNanoseconds: ['ntp-nano', 8],
};

const HEX = /^(?:[0-9a-f]{2})*$/;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;
const scratch = new Uint8Array(16);

/**
 * The field a value is written as, or null when no field can carry it. `varlen`: whether the
 * protocol has variable-length fields (IPFIX); without, strings and bytes take their own length.
 */
export function fieldFor(key: string, e: NamedElement, v: unknown, varlen: boolean): EncodedField | null {
  const base = { key, pen: e.pen, id: e.id };
  if (typeof v === 'number' || typeof v === 'bigint') {
    const f = FIXED[e.type];
    if (f === undefined) return null;
    if (typeof v === 'bigint' && f[0] !== 'uint' && f[0] !== 'sint') return null;
    if (!fits(f[0], f[1], v)) return null; // a value the element's type cannot hold
    return { ...base, kind: f[0], length: f[1] };
  }
  if (typeof v === 'boolean') return e.type === 'boolean' ? { ...base, kind: 'bool', length: 1 } : null;
  if (typeof v !== 'string') return null;
  if (e.type === 'ipv4Address' && parseIp(v, scratch) === 4) return { ...base, kind: 'ipv4', length: 4 };
  if (e.type === 'ipv6Address' && parseIp(v, scratch) === 6) return { ...base, kind: 'ipv6', length: 16 };
  if (e.type === 'macAddress' && MAC.test(v)) return { ...base, kind: 'mac', length: 6 };
  // Without variable length, an empty value would be a zero-length field, which carries nothing.
  if (e.type === 'string') return varlen || v !== '' ? { ...base, kind: 'text', length: varlen ? VARLEN : Buffer.byteLength(v) } : null;
  // Octet arrays (and elements no table knows, kept as hex). A typed element the decoder kept as
  // hex had a length its type does not allow: writing it back would be malformed (tshark rejects
  // a 2-byte IPv4 address), so it is not carried.
  if (e.type !== 'octetArray' || !HEX.test(v) || (!varlen && v === '')) return null;
  return { ...base, kind: 'bytes', length: varlen ? VARLEN : v.length / 2 };
}

const U64 = 2n ** 64n;
const S64 = 2n ** 63n;

/** 2^(8·length) for lengths 0..7: the exclusive upper bound of an unsigned field. */
const LIMIT = [1, 256, 65536, 16777216, 4294967296, 1099511627776, 281474976710656, 72057594037927936];

/** Can a field of this kind and length hold `v`? */
export function fits(kind: ValueKind, length: number, v: number | bigint): boolean {
  if (typeof v === 'number') {
    if (kind === 'uint') return v >= 0 && (length === 8 || v < LIMIT[length]!);
    if (kind === 'sint') return length === 8 || (v >= -LIMIT[length]! / 2 && v < LIMIT[length]! / 2);
    return true;
  }
  if (kind === 'uint') return v >= 0n && (length === 8 ? v < U64 : v < BigInt(LIMIT[length]!));
  if (kind === 'sint') return length === 8 ? v >= -S64 && v < S64 : v >= -BigInt(LIMIT[length]! / 2) && v < BigInt(LIMIT[length]! / 2);
  return true;
}

/** Does `v` still suit field `f` (the fast path reusing a record shape checks each value with this)? */
export function suits(f: EncodedField, v: unknown): boolean {
  switch (f.kind) {
    case 'uint': case 'sint': return (typeof v === 'number' || typeof v === 'bigint') && fits(f.kind, f.length, v);
    case 'float': case 'seconds': case 'ntp-micro': case 'ntp-nano': return typeof v === 'number';
    case 'bool': return typeof v === 'boolean';
    // (hex, which the decoder gives for odd lengths, has neither dots nor colons; the writer checks the rest)
    case 'ipv4': return typeof v === 'string' && v.includes('.') && !v.includes(':');
    case 'ipv6': return typeof v === 'string' && v.includes(':');
    case 'mac': return typeof v === 'string' && MAC.test(v);
    case 'text': return typeof v === 'string' && (f.length === VARLEN || Buffer.byteLength(v) === f.length);
    case 'bytes': return typeof v === 'string' && HEX.test(v) && (f.length === VARLEN || v.length === 2 * f.length);
  }
}

/** A field's identity within a template shape (varlen fields: just the key). */
export const fieldCode = (f: EncodedField): string => `${f.pen}.${f.id}.${f.length}.${f.kind}`;

const NTP_OFFSET = 2_208_988_800;

/** Writes `v` as field `f` at `o` (variable length with its 1- or 3-byte prefix); returns the new offset. */
export function writeValue(b: Buffer, o: number, f: EncodedField, v: unknown): number {
  switch (f.kind) {
    case 'uint': case 'sint': return writeInt(b, o, f.length, v as number | bigint);
    case 'float': if (f.length === 4) b.writeFloatBE(v as number, o); else b.writeDoubleBE(v as number, o); return o + f.length;
    case 'bool': b[o] = v ? 1 : 2; return o + 1; // RFC 7011 §6.1.5: true 1, false 2
    case 'seconds': return writeInt(b, o, 4, Math.floor((v as number) / 1000));
    case 'ntp-micro': case 'ntp-nano': {
      const ms = v as number;
      if (ms === 0) { b.fill(0, o, o + 8); return o + 8; }
      const sec = Math.floor(ms / 1000);
      b.writeUInt32BE((sec + NTP_OFFSET) >>> 0, o);
      let frac = Math.round(((ms - sec * 1000) / 1000) * 4294967296);
      // Microseconds: the low 11 bits of the fraction carry nothing (RFC 7011 §6.1.9), so the
      // nearest multiple of 2048 is what a decoder reads back.
      if (f.kind === 'ntp-micro') frac = Math.round(frac / 2048) * 2048;
      b.writeUInt32BE(Math.min(0xffffffff, frac), o + 4);
      return o + 8;
    }
    case 'ipv4': case 'ipv6': {
      const n = f.kind === 'ipv4' ? 4 : 16;
      if (parseIp(v as string, scratch) === (n === 4 ? 4 : 6)) b.set(scratch.subarray(0, n), o);
      else b.fill(0, o, o + n); // not an address after all: zeros, never another record's bytes
      return o + n;
    }
    case 'mac': {
      const s = v as string;
      for (let i = 0; i < 6; i++) b[o + i] = parseInt(s.slice(i * 3, i * 3 + 2), 16);
      return o + 6;
    }
    case 'text': {
      const bytes = Buffer.from(v as string, 'utf8');
      return writeBytes(b, o, f.length, bytes);
    }
    case 'bytes': return writeBytes(b, o, f.length, Buffer.from(v as string, 'hex'));
  }
}

/** Bytes a value takes as field `f`, prefix included (for planning messages). */
export function valueSize(f: EncodedField, v: unknown): number {
  if (f.length !== VARLEN) return f.length;
  const n = f.kind === 'text' ? Buffer.byteLength(v as string) : (v as string).length / 2;
  return n + (n < 255 ? 1 : 3);
}

function writeBytes(b: Buffer, o: number, length: number, bytes: Buffer): number {
  if (length !== VARLEN) {
    bytes.copy(b, o, 0, length);
    return o + length;
  }
  const n = Math.min(bytes.length, 0xffff);
  if (n < 255) b[o++] = n;
  else { b[o] = 255; b.writeUInt16BE(n, o + 1); o += 3; }
  bytes.copy(b, o, 0, n);
  return o + n;
}

function writeInt(b: Buffer, o: number, length: number, v: number | bigint): number {
  if (length === 8 && typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
    b.writeUInt32BE(Math.floor(v / 4294967296), o);
    b.writeUInt32BE(v >>> 0, o + 4);
    return o + 8;
  }
  if (length === 4 && typeof v === 'number' && v >= 0) {
    b.writeUInt32BE(v >>> 0, o);
    return o + 4;
  }
  if (length === 8) {
    b.writeBigUInt64BE(BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(v))), o);
    return o + 8;
  }
  let x = typeof v === 'bigint' ? Number(BigInt.asUintN(length * 8, v)) : Math.trunc(v);
  if (x < 0) x += 2 ** (length * 8); // two's complement for signed values
  for (let i = length - 1; i >= 0; i--) { b[o + i] = x % 256; x = Math.floor(x / 256); }
  return o + length;
}
