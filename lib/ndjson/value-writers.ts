// The values of a JSON line written straight into bytes: the helpers the compiled line writers
// (line-encoder.ts) call for strings, numbers they do not write inline, and other values.
import { toJson } from './json.js';
import { isKnownPlain } from '../codec/plain-text.js';

/** The buffer has too little room left after `p`: flush and retry in a new one. */
export const NO_ROOM = -1;
/** The record does not have this writer's shape, or holds a value only the generic path writes. */
export const NOT_MINE = -2;

/** Negative, fractional and unsafe numbers as JSON writes them (null when not finite). */
export function writeNumberText(b: Buffer, p: number, v: number): number {
  return writeAscii(b, p, Number.isFinite(v) ? String(v) : 'null');
}

/** Characters of a string that is known to need no escaping and be ASCII (NO_ROOM past the end: a bigint has any length). */
function writeAscii(b: Buffer, p: number, s: string): number {
  if (p + s.length > b.length) return NO_ROOM;
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/**
 * Buffer's native Latin-1 writer, called without Buffer#write's argument handling (its encoding
 * lookup): 44 against 56-72 ns for a 256-character sampled header here.
 */
const latin1Write = (Buffer.prototype as unknown as { latin1Write: (this: Buffer, s: string, offset: number) => number }).latin1Write;

/** A character JSON escapes, or a non-ASCII one (UTF-8 needs more than one byte). */
const ESCAPED = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

/** 1 for each UTF-16 code unit written as itself in a JSON string (printable ASCII but " and \). */
const PLAIN = new Uint8Array(65536);
for (let c = 0x20; c <= 0x7e; c++) if (c !== 34 && c !== 92) PLAIN[c] = 1;

/**
 * A JSON string: plain printable ASCII as it is, anything else through JSON.stringify. Short
 * strings four characters per check and store (addresses, names: 26 against 37 ns for 13
 * characters).
 */
export function writeString(b: Buffer, dv: DataView, p: number, s: string): number {
  const n = s.length;
  if (p + n * 6 + 2 > b.length) return NO_ROOM; // worst case: every character escaped as \uXXXX
  const start = p;
  if (n >= 48) {
    // Long strings (sFlow's sampled headers in hex, interface descriptions): one native regexp
    // test and one native copy instead of a loop over the characters.
    if (!isKnownPlain(s) && ESCAPED.test(s)) return start + b.write(JSON.stringify(s), start);
    b[p++] = 34;
    p += latin1Write.call(b, s, p);
    b[p++] = 34;
    return p;
  }
  b[p++] = 34;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    if ((PLAIN[c0]! & PLAIN[c1]! & PLAIN[c2]! & PLAIN[c3]!) === 0) return start + b.write(JSON.stringify(s), start);
    dv.setUint32(p, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24), true);
    p += 4;
  }
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (PLAIN[ch] === 0) return start + b.write(JSON.stringify(s), start);
    b[p++] = ch;
  }
  b[p++] = 34;
  return p;
}

/** Values other than numbers and strings: JSON text, or NOT_MINE where JSON would drop the key. */
export function writeOther(b: Buffer, p: number, v: unknown): number {
  if (typeof v === 'boolean') return writeAscii(b, p, v ? 'true' : 'false');
  if (typeof v === 'bigint') return writeAscii(b, p, v.toString());
  if (v === null) return writeAscii(b, p, 'null');
  if (typeof v !== 'object') return NOT_MINE; // undefined, function, symbol: the key is omitted
  const text = toJson(v);
  if (p + text.length * 3 > b.length) return NO_ROOM;
  return p + b.write(text, p);
}
