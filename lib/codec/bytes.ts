// Value formatting used by the compiled record decoders. Kept allocation-light: these run per field.

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

import { ipv4 } from './address-text.js';
import { notePlain } from './plain-text.js';

export { ipv4, mac } from './address-text.js';

// Lower-case hex of every 16-bit group value, filled on first use.
const HEX16: (string | undefined)[] = new Array<string | undefined>(65536);
const hex16 = (v: number): string => HEX16[v] ?? (HEX16[v] = v.toString(16));
const GROUPS = new Uint16Array(8); // scratch: formatting is synchronous, never reentrant

/** RFC 5952 canonical IPv6 text (lower case, longest zero run compressed, IPv4-mapped as ::ffff:a.b.c.d). */
export function ipv6(b: Uint8Array, o: number): string {
  const g = GROUPS;
  for (let i = 0; i < 8; i++) g[i] = (b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return '::ffff:' + ipv4(b, o + 12);
  }
  // The longest run of two or more zero groups (the first of equals) becomes '::'.
  let bestStart = -1, bestLen = 1, runStart = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && g[i] === 0) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      const len = i - runStart;
      if (len > bestLen) { bestLen = len; bestStart = runStart; }
      runStart = -1;
    }
  }
  let s = '';
  if (bestStart < 0) {
    for (let i = 0; i < 8; i++) s += (i === 0 ? '' : ':') + hex16(g[i]!);
    return s;
  }
  for (let i = 0; i < bestStart; i++) s += (i === 0 ? '' : ':') + hex16(g[i]!);
  s += '::';
  for (let i = bestStart + bestLen; i < 8; i++) s += (i === bestStart + bestLen ? '' : ':') + hex16(g[i]!);
  return s;
}

/** Buffer's native hex encoder, called on any byte view without making a Buffer of it first. */
const hexSlice = (Buffer.prototype as unknown as { hexSlice: (this: Uint8Array, start: number, end: number) => string }).hexSlice;

/** Lower-case hex of len bytes. */
export function hex(b: Uint8Array, o: number, len: number): string {
  // Longer runs (sFlow's sampled headers, 128 bytes and up) through Buffer's native encoder:
  // 5-10x faster than concatenating; short fields (MAC-sized) are cheaper in JS. The NDJSON
  // writer is told they need no escaping.
  if (len >= 24 && o >= 0 && o + len <= b.length) {
    const s = hexSlice.call(b, o, o + len);
    notePlain(s);
    return s;
  }
  let s = '';
  for (let i = 0; i < len; i++) s += HEX[b[o + i]!];
  return s;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 text; trailing NUL padding (fixed-length string fields) is removed. Bytes that are not
 * valid UTF-8 (exporters that put binary in string elements) are kept one character per byte
 * (latin1), so nothing is lost to replacement characters.
 */
export function str(b: Uint8Array, o: number, len: number): string {
  let end = o + len;
  while (end > o && b[end - 1] === 0) end--;
  // Plain ASCII is the common case and much cheaper than TextDecoder on short strings.
  let ascii = true;
  for (let i = o; i < end; i++) if (b[i]! > 0x7e || b[i]! < 0x20) { ascii = false; break; }
  if (ascii) {
    let s = '';
    for (let i = o; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  try {
    return utf8.decode(b.subarray(o, end));
  } catch {
    let s = '';
    for (let i = o; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
}

const TWO32 = 4294967296;

/** Unsigned 16-bit big-endian. */
export function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** Are bytes [from, to) all zero (padding)? */
export function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

/** Unsigned 32-bit big-endian. */
export function u32(b: Uint8Array, o: number): number {
  return b[o]! * 16777216 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}

/** Unsigned 64-bit: a number when exact (< 2^53), else a bigint. */
export function u64(b: Uint8Array, o: number): number | bigint {
  const hi = u32(b, o);
  const lo = u32(b, o + 4);
  if (hi < 0x200000) return hi * TWO32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Unsigned integer of 1..8 bytes (reduced-size encoding). */
export function uint(b: Uint8Array, o: number, len: number): number | bigint {
  if (len === 8) return u64(b, o);
  if (len <= 6) {
    let v = 0;
    for (let i = 0; i < len; i++) v = v * 256 + b[o + i]!;
    return v;
  }
  let v = 0n;
  for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(b[o + i]!);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Signed (two's complement) integer of 1..8 bytes. */
export function sint(b: Uint8Array, o: number, len: number): number | bigint {
  if (len <= 6) {
    let v = 0;
    for (let i = 0; i < len; i++) v = v * 256 + b[o + i]!;
    const half = 2 ** (8 * len - 1);
    return v >= half ? v - 2 * half : v;
  }
  let v = 0n;
  for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(b[o + i]!);
  v = BigInt.asIntN(8 * len, v);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** IEEE float of 4 or 8 bytes. */
export function float(b: Uint8Array, o: number, len: number): number {
  const dv = new DataView(b.buffer, b.byteOffset + o, len);
  return len === 4 ? dv.getFloat32(0) : dv.getFloat64(0);
}

/** NTP offset: seconds from 1900-01-01 to 1970-01-01. */
const NTP_EPOCH_OFFSET = 2208988800;

/**
 * dateTimeMicroseconds / dateTimeNanoseconds (RFC 7011 §6.1.9: NTP format, seconds since 1900
 * and a 32-bit binary fraction) as epoch milliseconds with the sub-millisecond part as a fraction.
 * For microseconds the low 11 bits of the fraction are ignored, as the RFC says.
 */
export function ntpMs(b: Uint8Array, o: number, micro: boolean): number {
  const raw = u32(b, o);
  let frac = u32(b, o + 4);
  if (raw === 0 && frac === 0) return 0; // all zero: the exporter has no time for this field
  const sec = raw - NTP_EPOCH_OFFSET;
  if (micro) frac -= frac % 2048;
  return sec * 1000 + (frac / TWO32) * 1000;
}

/** Unsigned integer up to 8 bytes as a plain number of milliseconds (dateTimeMilliseconds). */
export function ms(b: Uint8Array, o: number, len: number): number {
  const v = uint(b, o, len);
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Formats an exporter as `ip:port` (`[v6]:port`). */
export function exporterKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The address of an exporter key: `10.0.0.1:2055` -> `10.0.0.1`, `[2001:db8::1]:2055` -> `2001:db8::1`. */
export function exporterAddressOf(key: string): string {
  if (key.startsWith('[')) {
    const end = key.indexOf(']');
    return end > 0 ? key.slice(1, end) : key;
  }
  const colon = key.lastIndexOf(':');
  return colon > 0 ? key.slice(0, colon) : key;
}
