// NDJSON lines written straight into a byte buffer, by writers compiled per record shape.
//
// JSON.stringify costs about 2-3 us for a 30-field flow record on Node 20: most of it is number
// formatting (every timestamp and counter above 2^31 goes through the double-to-string path)
// and per-key escaping checks. Records of one template all have the same keys in the same
// order, so a writer compiled for that key list emits the key text as constant bytes and only
// formats the values: integers digit by digit into the buffer, plain ASCII strings byte by byte.
// Anything unusual (a non-ASCII or escaped string, a nested object, a key added by a user stage)
// falls back to the exact JSON.stringify path, so the output is always what toJson() gives.
import { toJson } from './json.js';

/**
 * Writes one record as a JSON line (with '\n') at `p`; returns the end, NO_ROOM or NOT_MINE.
 * `dv` is a DataView over `b` (constant key text is stored four bytes at a time).
 */
export type LineWriter = (r: object, b: Buffer, dv: DataView, p: number) => number;

/** The buffer has too little room left after `p`: flush and retry in a new one. */
export const NO_ROOM = -1;
/** The record does not have this writer's shape, or holds a value only the generic path writes. */
export const NOT_MINE = -2;

/** Two ASCII digits per value 0..99. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Digits of 0 <= v < 1e8 (an int32). */
function digits8(v: number): number {
  return v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : 8;
}

/** Writes 0 <= v < 1e8 as exactly n digits (leading zeros when n is larger than needed). */
function put8(b: Buffer, p: number, v: number, n: number): number {
  let e = p + n;
  while (e - p >= 2) {
    const q = (v / 100) | 0;
    const d = (v - q * 100) << 1;
    b[--e] = PAIRS[d + 1]!;
    b[--e] = PAIRS[d]!;
    v = q;
  }
  if (e > p) b[--e] = 48 + v;
  return p + n;
}

const E8 = 100000000;

/** A JSON number. Non-negative integers (nearly every flow value) avoid Number#toString. */
function writeNumber(b: Buffer, p: number, v: number): number {
  if (v >>> 0 === v) {
    // Unsigned 32-bit: ports, protocols, interfaces, counters, uptimes.
    if (v < 100) {
      if (v < 10) {
        b[p] = 48 + v;
        return p + 1;
      }
      b[p] = PAIRS[v << 1]!;
      b[p + 1] = PAIRS[(v << 1) + 1]!;
      return p + 2;
    }
    if (v < E8) return put8(b, p, v, digits8(v));
  }
  return writeWide(b, p, v);
}

/** Integers of 9 to 16 digits (timestamps in ms, byte counters), and everything else. */
function writeWide(b: Buffer, p: number, v: number): number {
  if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v) {
    const hi = Math.floor(v / E8);
    const lo = v - hi * E8;
    if (hi < E8) p = put8(b, p, hi, digits8(hi));
    else {
      const top = Math.floor(hi / E8);
      p = put8(b, p, top, digits8(top));
      p = put8(b, p, hi - top * E8, 8);
    }
    return put8(b, p, lo, 8);
  }
  return writeAscii(b, p, Number.isFinite(v) ? String(v) : 'null');
}

/** Characters of a string that is known to need no escaping and be ASCII. */
function writeAscii(b: Buffer, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** A JSON string: plain printable ASCII byte by byte, anything else through JSON.stringify. */
function writeString(b: Buffer, p: number, s: string): number {
  const n = s.length;
  if (p + n * 6 + 2 > b.length) return NO_ROOM; // worst case: every character escaped as \uXXXX
  const start = p;
  b[p++] = 34;
  for (let i = 0; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 32 || ch > 126 || ch === 34 || ch === 92) return start + b.write(JSON.stringify(s), start);
    b[p++] = ch;
  }
  b[p++] = 34;
  return p;
}

/** Values other than numbers and strings: JSON text, or NOT_MINE where JSON would drop the key. */
function writeOther(b: Buffer, p: number, v: unknown): number {
  if (typeof v === 'boolean') return writeAscii(b, p, v ? 'true' : 'false');
  if (typeof v === 'bigint') return writeAscii(b, p, v.toString());
  if (v === null) return writeAscii(b, p, 'null');
  if (typeof v !== 'object') return NOT_MINE; // undefined, function, symbol: the key is omitted
  const text = toJson(v);
  if (p + text.length * 3 > b.length) return NO_ROOM;
  return p + b.write(text, p);
}

const writers = { writeNumber, writeString, writeOther };
type Writers = typeof writers;

/** Room every compiled writer asks for before it starts: key bytes plus 24 per value. */
function roomFor(keys: readonly string[]): number {
  let n = 2;
  for (const k of keys) n += Buffer.byteLength(JSON.stringify(k)) + 2 + 24;
  return n;
}

/** Statements storing constant bytes at p (32-bit little-endian words, then single bytes). */
function constantBytes(text: Buffer): string {
  const out: string[] = [];
  let j = 0;
  for (; j + 4 <= text.length; j += 4) out.push(`dv.setUint32(p + ${j}, ${text.readUInt32LE(j)}, true);`);
  for (; j < text.length; j++) out.push(`b[p + ${j}] = ${text[j]!};`);
  out.push(`p += ${text.length};`);
  return out.join(' ');
}

/** Compiles a writer for records whose own enumerable keys are exactly `keys`, in that order. */
export function compileLineWriter(keys: readonly string[]): LineWriter {
  const body: string[] = [
    // The shape check: for-in over a fast object walks its enum cache; keys are interned strings.
    'let i = 0;',
    'for (const k in r) { if (k !== K[i]) return -2; i++; }',
    `if (i !== ${keys.length} || p + ${roomFor(keys)} > b.length) return i !== ${keys.length} ? -2 : -1;`,
    'let v;',
  ];
  keys.forEach((k, i) => {
    body.push(constantBytes(Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(k)}:`, 'utf8')));
    body.push(
      `v = r[${JSON.stringify(k)}];`,
      "if (typeof v === 'number') p = w.writeNumber(b, p, v);",
      "else if (typeof v === 'string') { p = w.writeString(b, p, v); if (p < 0) return p; }",
      'else { p = w.writeOther(b, p, v); if (p < 0) return p; }',
    );
  });
  if (keys.length === 0) body.push('b[p++] = 123;');
  body.push('b[p++] = 125; b[p++] = 10;', 'return p;');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-shape code generation is the design
  const factory = new Function('K', 'w', `'use strict'; return function writeLine(r, b, dv, p) {\n${body.join('\n')}\n};`) as (K: readonly string[], w: Writers) => LineWriter;
  return factory(Object.freeze([...keys]), writers);
}

/** Most shapes a LineEncoder compiles; records of further shapes take the generic path. */
const MAX_SHAPES = 1024;

/**
 * Writes records as JSON lines into caller-owned buffers, compiling one writer per record shape
 * (key list) on first sight. Output is byte for byte what toJson(record) + '\n' gives.
 */
export class LineEncoder {
  private readonly byKeys = new Map<string, LineWriter>();
  private readonly byTemplate = new Map<unknown, LineWriter>();
  private last: LineWriter | null = null;
  private buf: Buffer | null = null;
  private dv: DataView = new DataView(new ArrayBuffer(0));

  /** Writes `r` and a newline at `p`; returns the end, or NO_ROOM (nothing written that counts). */
  write(r: object, b: Buffer, p: number): number {
    if (Object.getPrototypeOf(r) !== Object.prototype) return writeGeneric(r, b, p);
    if (b !== this.buf) {
      this.buf = b;
      this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const dv = this.dv;
    const last = this.last;
    if (last !== null) {
      const e = last(r, b, dv, p);
      if (e !== NOT_MINE) return e;
    }
    // Interleaved templates: the writer last used for this template id, then the key list.
    const id = (r as { templateId?: unknown }).templateId;
    const known = this.byTemplate.get(id);
    if (known !== undefined && known !== last) {
      const e = known(r, b, dv, p);
      if (e !== NOT_MINE) {
        this.last = known;
        return e;
      }
    }
    const w = this.writerFor(r);
    if (w === undefined) return writeGeneric(r, b, p);
    if (this.byTemplate.size < MAX_SHAPES || this.byTemplate.has(id)) this.byTemplate.set(id, w);
    this.last = w;
    const e = w(r, b, dv, p);
    return e === NOT_MINE ? writeGeneric(r, b, p) : e;
  }

  /** Shapes compiled so far. */
  get shapes(): number {
    return this.byKeys.size;
  }

  private writerFor(r: object): LineWriter | undefined {
    const keys = Object.keys(r);
    if (keys.length === 0) return undefined;
    const sig = keys.join('\u0000');
    let w = this.byKeys.get(sig);
    if (w === undefined && this.byKeys.size < MAX_SHAPES) {
      w = compileLineWriter(keys);
      this.byKeys.set(sig, w);
    }
    return w;
  }
}

/** JSON.stringify path (bigint-exact): any value, any shape. */
export function writeGeneric(r: unknown, b: Buffer, p: number): number {
  const text = toJson(r) ?? 'null';
  if (p + text.length * 3 + 1 > b.length) return NO_ROOM;
  p += b.write(text, p);
  b[p++] = 10;
  return p;
}
