// NDJSON lines written straight into a byte buffer, by writers compiled per record shape.
//
// JSON.stringify costs about 2-3 us for a 30-field flow record on Node 20: most of it is number
// formatting (every timestamp and counter above 2^31 goes through the double-to-string path)
// and per-key escaping checks. Records of one template all have the same keys in the same
// order, so a writer compiled for that key list emits the key text as constant bytes and only
// formats the values: integers up to four digits per store, plain ASCII strings byte by byte.
// Anything unusual (a non-ASCII or escaped string, a nested object, a key added by a user stage)
// falls back to the exact JSON.stringify path, so the output is always what toJson() gives.
import { toJson } from './json.js';
import { snakeCase, snakeLine } from '../sinks/lines.js';
import { NO_ROOM, NOT_MINE, writeNumberText, writeOther, writeString } from './value-writers.js';

/** How keys are written: as the record has them, or in snake_case (the table sinks' columns). */
export type KeyCase = 'as-is' | 'snake';

/**
 * Writes one record as a JSON line (with '\n') at `p`; returns the end, NO_ROOM or NOT_MINE.
 * `dv` is a DataView over `b` (constant key text is stored eight bytes at a time).
 */
export type LineWriter = (r: object, b: Buffer, dv: DataView, p: number) => number;

export { NO_ROOM, NOT_MINE } from './value-writers.js';

/**
 * ASCII digits of 0..9999 as little-endian 32-bit words, so one DataView store writes up to four
 * digits. LEFT: the digits left-aligned (the bytes after them are zero and get overwritten by
 * what follows; every writer reserves room past the value). PAD: exactly four digits.
 */
const LEFT4 = new Uint32Array(10000);
const LEN4 = new Uint8Array(10000);
const PAD4 = new Uint32Array(10000);
for (let i = 0; i < 10000; i++) {
  const word = (s: string): number => {
    let w = 0;
    for (let j = 0; j < s.length; j++) w |= s.charCodeAt(j) << (8 * j);
    return w >>> 0;
  };
  LEFT4[i] = word(String(i));
  LEN4[i] = String(i).length;
  PAD4[i] = word(String(i).padStart(4, '0'));
}

/**
 * Statements writing the non-negative integer in `x` (below 1e8) at p without leading zeros: one
 * or two table stores. `t` is a scratch variable.
 */
function upTo8(x: string, t: string): string {
  return `if (${x} < 10000) { dv.setUint32(p, L4[${x}], true); p += N4[${x}]; }`
    + ` else { ${t} = (${x} / 10000) | 0; dv.setUint32(p, L4[${t}], true); p += N4[${t}]; dv.setUint32(p, P4[${x} - ${t} * 10000], true); p += 4; }`;
}

/**
 * Statements writing the number in `v` (a compiled writer's own variable). Non-negative integers
 * (nearly every flow value: ports, counters, millisecond times up to 2^53) are written inline
 * from the digit tables, no call and no Number#toString; anything else by writeNumberText.
 */
const NUMBER_STATEMENTS = "if (v >>> 0 === v && v < 100000000) { " + upTo8('v', 'h') + ' }'
  + ' else if (v >= 100000000 && v <= 9007199254740991 && Math.floor(v) === v) {'
  + ' h = Math.floor(v / 100000000); v -= h * 100000000; ' + upTo8('h', 'm')
  + ' h = (v / 10000) | 0; dv.setUint32(p, P4[h], true); dv.setUint32(p + 4, P4[v - h * 10000], true); p += 8; }'
  + ' else { p = w.writeNumberText(b, p, v); if (p < 0) return p; }';

/** The nested writer a key site used last (extended records keep one shape per key). */
interface Slot {
  w: LineWriter | null;
}

/** Nested plain objects deeper than this go through JSON.stringify (its cycle check included). */
const MAX_DEPTH = 16;
let depth = 0;

/**
 * A nested value that is an object: plain objects (sFlow's extended records and counter blocks)
 * through a writer compiled for their keys, remembered per key site; arrays, class instances
 * (toJSON) and deep nesting through writeOther. Snake-case output writes only plain objects here.
 */
function writeObject(b: Buffer, dv: DataView, p: number, v: object, slot: Slot, keyCase: KeyCase): number {
  if (Object.getPrototypeOf(v) !== Object.prototype || depth >= MAX_DEPTH) return keyCase === 'snake' ? NOT_MINE : writeOther(b, p, v);
  depth++;
  try {
    const last = slot.w;
    if (last !== null) {
      const e = last(v, b, dv, p);
      if (e !== NOT_MINE) return e;
    }
    const keys = Object.keys(v);
    if (keys.length === 0) {
      if (p + 2 > b.length) return NO_ROOM;
      b[p] = 123;
      b[p + 1] = 125;
      return p + 2;
    }
    const w = sharedWriter(keys.join('\u0000'), keys, keyCase, true);
    slot.w = w;
    return w(v, b, dv, p);
  } finally {
    depth--;
  }
}

const writers = { writeNumberText, writeString, writeOther, writeObject };
type Writers = typeof writers;

/**
 * Room every compiled writer asks for before it starts: key bytes plus 24 per value (a number
 * takes at most that). `keys` as they are written (snake_case ones are longer).
 */
function roomFor(keys: readonly string[]): number {
  let n = 2;
  for (const k of keys) n += Buffer.byteLength(JSON.stringify(k)) + 2 + 24;
  return n;
}

/**
 * Statements storing constant bytes at p: eight at a time as the double with those bytes, then
 * a 32-bit word, then single bytes. Half the stores of 32-bit words (a quarter of a sFlow line's
 * writer time went to them). Only normal doubles: their text (String) reads back to the same
 * bits, where NaN payloads, -0 and subnormals might not; JSON key text (no raw control bytes) is
 * nearly always normal, anything else is stored as two words.
 */
function constantBytes(text: Buffer): string {
  const out: string[] = [];
  let j = 0;
  for (; j + 8 <= text.length; j += 8) {
    const exponent = (text.readUInt16LE(j + 6) >> 4) & 0x7ff;
    if (exponent !== 0 && exponent !== 0x7ff) out.push(`dv.setFloat64(p + ${j}, ${String(text.readDoubleLE(j))}, true);`);
    else out.push(`dv.setUint32(p + ${j}, ${text.readUInt32LE(j)}, true); dv.setUint32(p + ${j + 4}, ${text.readUInt32LE(j + 4)}, true);`);
  }
  for (; j + 4 <= text.length; j += 4) out.push(`dv.setUint32(p + ${j}, ${text.readUInt32LE(j)}, true);`);
  for (; j < text.length; j++) out.push(`b[p + ${j}] = ${text[j]!};`);
  out.push(`p += ${text.length};`);
  return out.join(' ');
}

/**
 * Compiles a writer for records whose own enumerable keys are exactly `keys`, in that order.
 * `checked` (default) makes it verify that; an unchecked writer is for records whose keys the
 * caller knows (straight from a compiled template), and still returns NOT_MINE for a missing key.
 * `nested`: the value inside a record (no newline after the closing brace).
 */
export function compileLineWriter(keys: readonly string[], checked = true, keyCase: KeyCase = 'as-is', nested = false): LineWriter {
  const written = keyCase === 'snake' ? keys.map(snakeCase) : keys;
  const body: string[] = checked
    ? [
        // The shape check: for-in over a fast object walks its enum cache (under 1 ns a key);
        // each key is compared with a constant, which V8 does by identity (interned strings):
        // 1.4 ns a key, against 5-9 ns compared with an element of the key array. Still a
        // fifth of the writer on wide records, hence the unchecked variant.
        'let i = 0;',
        `for (const k in r) { switch (i++) { ${keys.map((k, j) => `case ${j}: if (k !== ${JSON.stringify(k)}) return -2; break;`).join(' ')} default: return -2; } }`,
        `if (i !== ${keys.length} || p + ${roomFor(written)} > b.length) return i !== ${keys.length} ? -2 : -1;`,
        'let v, h, m;',
      ]
    : [`if (p + ${roomFor(written)} > b.length) return -1;`, 'let v, h, m;'];
  written.forEach((k, i) => {
    body.push(constantBytes(Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(k)}:`, 'utf8')));
    // A value other than a number may take more than its 24 bytes (a string checks room only for
    // itself): the room the values after it were promised is checked again, or a number written
    // after long strings near a chunk's end would run past it.
    const after = `if (p < 0) return p; if (p + ${roomFor(written.slice(i + 1))} > b.length) return -1;`;
    body.push(
      `v = r[${JSON.stringify(keys[i])}];`,
      `if (typeof v === 'number') { ${NUMBER_STATEMENTS} }`,
      `else if (typeof v === 'string') { p = w.writeString(b, dv, p, v); ${after} }`,
      `else if (typeof v === 'object' && v !== null) { p = w.writeObject(b, dv, p, v, S[${i}], C); ${after} }`,
      `else { p = w.writeOther(b, p, v); ${after} }`,
    );
  });
  if (keys.length === 0) body.push('b[p++] = 123;');
  body.push(nested ? 'b[p++] = 125;' : 'b[p++] = 125; b[p++] = 10;', 'return p;');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-shape code generation is the design
  // The digit tables as the writer's own bindings: one load fewer per value than through `w`.
  const factory = new Function('w', 'S', 'C', 'L4', 'N4', 'P4', `'use strict'; return function writeLine(r, b, dv, p) {\n${body.join('\n')}\n};`) as (w: Writers, S: Slot[], C: KeyCase, L4: Uint32Array, N4: Uint8Array, P4: Uint32Array) => LineWriter;
  return factory(writers, keys.map(() => ({ w: null })), keyCase, LEFT4, LEN4, PAD4);
}

/** Writers tried after the last one and the template's, before the key list is built. */
const RECENT = 4;

/** Most shapes a LineEncoder compiles; records of further shapes take the generic path. */
const MAX_SHAPES = 1024;

/**
 * Writers shared by every encoder in the thread, so a new stream reuses code V8 has already
 * optimized (a writer for 30 keys takes ~50-100 ms to optimize). Checked writers by key list;
 * unchecked ones by RecordRun key array (one per compiled template, itself shared; weak, as
 * templates come and go).
 */
const shared = new Map<string, LineWriter>();
const MAX_SHARED = 4096;
const byRunKeys = new WeakMap<readonly string[], LineWriter>();

const snakeRunKeys = new WeakMap<readonly string[], LineWriter>();

function sharedWriter(sig: string, keys: readonly string[], keyCase: KeyCase, nested = false): LineWriter {
  const key = (keyCase === 'snake' ? 's' : 'a') + (nested ? 'n' : 'l') + sig;
  let w = shared.get(key);
  if (w === undefined) {
    w = compileLineWriter(keys, true, keyCase, nested);
    if (shared.size < MAX_SHARED) shared.set(key, w);
  }
  return w;
}

function runWriter(keys: readonly string[], keyCase: KeyCase): LineWriter {
  const cache = keyCase === 'snake' ? snakeRunKeys : byRunKeys;
  let w = cache.get(keys);
  if (w === undefined) {
    w = compileLineWriter(keys, false, keyCase);
    cache.set(keys, w);
  }
  return w;
}

/**
 * Writes records as JSON lines into caller-owned buffers, compiling one writer per record shape
 * (key list) on first sight. Output is byte for byte what toJson(record) + '\n' gives.
 */
export class LineEncoder {
  /** `keyCase` 'snake': keys in snake_case (nested ones too), else as the records have them. */
  constructor(private readonly keyCase: KeyCase = 'as-is') {}

  private readonly byKeys = new Map<string, LineWriter>();
  private readonly byTemplate = new Map<unknown, LineWriter>();
  private last: LineWriter | null = null;
  private readonly recent: LineWriter[] = [];
  private buf: Buffer | null = null;
  private dv: DataView = new DataView(new ArrayBuffer(0));
  /** The run writer last used, and its keys. */
  private runKeys: readonly string[] | null = null;
  private runWriter: LineWriter | null = null;

  /** Writes `r` and a newline at `p`; returns the end, or NO_ROOM (nothing written that counts). */
  write(r: object, b: Buffer, p: number): number {
    if (Object.getPrototypeOf(r) !== Object.prototype) return this.generic(r, b, p);
    const dv = this.viewOf(b);
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
    // Alternating shapes under one id (sFlow's flow and counter samples): the writers used last.
    const recent = this.recent;
    for (let i = 0; i < recent.length; i++) {
      const r2 = recent[i]!;
      if (r2 === last || r2 === known) continue;
      const e = r2(r, b, dv, p);
      if (e !== NOT_MINE) {
        this.last = r2;
        return e;
      }
    }
    const w = this.writerFor(r);
    if (w === undefined) return this.generic(r, b, p);
    if (this.byTemplate.size < MAX_SHAPES || this.byTemplate.has(id)) this.byTemplate.set(id, w);
    this.remember(w);
    this.last = w;
    const e = w(r, b, dv, p);
    return e === NOT_MINE ? this.generic(r, b, p) : e;
  }

  /** Keeps `w` among the RECENT writers last compiled or looked up (oldest out). */
  private remember(w: LineWriter): void {
    const recent = this.recent;
    if (recent.includes(w)) return;
    if (recent.length === RECENT) recent.shift();
    recent.push(w);
  }

  private generic(r: unknown, b: Buffer, p: number): number {
    return this.keyCase === 'snake' ? writeText(snakeLine(toJson(r) ?? 'null'), b, p) : writeGeneric(r, b, p);
  }

  /**
   * Same as write(), for a record the caller got untouched from the decoder together with its
   * RecordRun's `keys`: no per-record key check. A record lacking some of the keys (derived times
   * unknown) falls back to write().
   */
  writeRun(r: object, keys: readonly string[], b: Buffer, p: number): number {
    let w = this.runWriter;
    if (keys !== this.runKeys || w === null) {
      w = runWriter(keys, this.keyCase);
      this.runKeys = keys;
      this.runWriter = w;
    }
    const e = w(r, b, this.viewOf(b), p);
    return e === NOT_MINE ? this.write(r, b, p) : e;
  }

  /** Shapes compiled so far. */
  get shapes(): number {
    return this.byKeys.size;
  }

  private viewOf(b: Buffer): DataView {
    if (b !== this.buf) {
      this.buf = b;
      this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    return this.dv;
  }

  private writerFor(r: object): LineWriter | undefined {
    const keys = Object.keys(r);
    if (keys.length === 0) return undefined;
    const sig = keys.join('\u0000');
    let w = this.byKeys.get(sig);
    if (w === undefined && this.byKeys.size < MAX_SHAPES) {
      w = sharedWriter(sig, keys, this.keyCase);
      this.byKeys.set(sig, w);
    }
    return w;
  }
}

/** JSON.stringify path (bigint-exact): any value, any shape. */
export function writeGeneric(r: unknown, b: Buffer, p: number): number {
  return writeText(toJson(r) ?? 'null', b, p);
}

/** A line of JSON text at p. */
function writeText(text: string, b: Buffer, p: number): number {
  if (p + text.length * 3 + 1 > b.length) return NO_ROOM;
  p += b.write(text, p);
  b[p++] = 10;
  return p;
}
