// A template decoded without generating code: a list of field steps built from the definition in
// microseconds, where compiling costs a few hundred. Every template starts on this tier (see
// tiered.ts), so an exporter that redefines its templates on every datagram costs little; the
// records are the compiled decoder's, key for key, value for value, in the same order.
import { derivedTimes, type DerivedTime } from './compile.js';
import { FastRecords } from './fast-record.js';
import { VARLEN, type FieldsDecoder, type RecordDecoder, type TemplateDef } from './template.js';
import { relTime, readValue } from './values.js';
import { hex } from '../codec/bytes.js';
import type { RecordContext } from './record-context.js';
import type { FieldValue } from '../types.js';
import type { DataType } from '../registry/data-types.js';

type Reader = (b: Uint8Array, p: number, len: number, c: RecordContext) => FieldValue;

interface Step {
  /** Declared length (VARLEN for variable length). */
  readonly length: number;
  /** Output name, or null for a field that yields no value (zero length). */
  readonly name: string | null;
  readonly read: Reader;
  /** Bytes of the run of fixed fields this step starts (checked before reading any of them), or 0. */
  readonly run: number;
}

const hexReader: Reader = (b, p, len) => hex(b, p, len);
/** One reader per data type, shared by every template (building a template allocates no closures per field). */
const readers = new Map<DataType, Reader>();
function readerOf(type: DataType): Reader {
  let r = readers.get(type);
  if (r === undefined) {
    r = (b, p, len, c) => readValue(type, b, p, len, c);
    readers.set(type, r);
  }
  return r;
}

function steps(def: TemplateDef, names: readonly string[]): Step[] {
  const f = def.fields;
  const runAt = (from: number): number => {
    let n = 0;
    for (let i = from; i < f.length && f[i]!.length !== VARLEN; i++) n += f[i]!.length;
    return n;
  };
  return f.map((x, i) => {
    const startsRun = x.length !== VARLEN && (i === 0 || f[i - 1]!.length === VARLEN);
    const read = x.known && x.type !== 'octetArray' ? readerOf(x.type) : hexReader;
    const name = x.skip || x.length === 0 ? null : names[i]!;
    return { length: x.length, name, read, run: startsRun ? runAt(i) : 0 };
  });
}

function derivedValue(d: DerivedTime, v: unknown, c: RecordContext): number | undefined {
  if (d.from === 'uptime') return typeof v === 'number' ? relTime(c, v) : undefined;
  return typeof v === 'number' ? c.exportTime - v / 1000 : undefined;
}

/** Records of `plan` with the keys `head` first (filled by the caller), built as fast objects. */
function recordBuilder(head: readonly string[], plan: readonly Step[], derived: readonly DerivedTime[], names: readonly string[]) {
  const fixed = [...head];
  const stepSlot = plan.map((s) => {
    if (s.name === null) return -1;
    const at = fixed.indexOf(s.name); // a repeated name keeps its first place and its last value
    return at >= 0 ? at : fixed.push(s.name) - 1;
  });
  const fromSlot = derived.map((d) => fixed.indexOf(names[d.index]!));
  const out = new FastRecords(fixed, derived.map((d) => d.name));
  const values = out.values;
  /** The record from the bytes at o (its head values already in `values`), or null if they end early. */
  const read = (b: Uint8Array, o: number, end: number, c: RecordContext): Record<string, unknown> | null => {
    let p = o;
    for (let i = 0; i < plan.length; i++) {
      const s = plan[i]!;
      if (s.run > 0 && p + s.run > end) return null;
      let len = s.length;
      if (len === VARLEN) {
        if (p >= end) return null;
        len = b[p++]!;
        if (len === 255) {
          if (p + 2 > end) return null;
          len = (b[p]! << 8) | b[p + 1]!;
          p += 2;
        }
        if (p + len > end) return null;
      }
      if (stepSlot[i]! >= 0) values[stepSlot[i]!] = s.read(b, p, len, c);
      p += len;
    }
    c.next = p;
    let present = 0;
    for (let i = 0; i < derived.length; i++) {
      const t = derivedValue(derived[i]!, values[fromSlot[i]!], c);
      values[fixed.length + i] = t;
      if (t !== undefined) present |= 1 << i;
    }
    return out.make(present);
  };
  return { keys: [...fixed, ...derived.map((d) => d.name)], values, read };
}

/** Where each header value sits in a record's values (and so its key order). */
const HEAD = { kind: 0, protocol: 1, exporter: 2, domain: 3, templateId: 4, exportTime: 5, sequence: 6, scopes: 7 } as const;

/** Interpreted record and nested-record decoders of `def` (dynamic templates: no header fields). */
export function interpretTemplate(def: TemplateDef, names: readonly string[], scopeNames: readonly string[]): { decodeRecord: RecordDecoder; decodeFields: FieldsDecoder; recordKeys: readonly string[] } {
  const plan = steps(def, names);
  const derived = derivedTimes(def.fields, names);
  const head = Object.keys(HEAD).filter((k) => k !== 'scopes' || def.options);
  const records = recordBuilder(head, plan, derived, names);
  const fields = recordBuilder([], plan, derived, names);
  const v = records.values;
  v[HEAD.kind] = def.options ? 'options' : 'flow';
  v[HEAD.templateId] = def.id;
  if (def.options) v[HEAD.scopes] = scopeNames;
  const decodeRecord: RecordDecoder = (b, o, end, c) => {
    v[HEAD.protocol] = c.protocol;
    v[HEAD.exporter] = c.exporter;
    v[HEAD.domain] = c.domain;
    v[HEAD.exportTime] = c.exportTime;
    v[HEAD.sequence] = c.sequence;
    return records.read(b, o, end, c) as ReturnType<RecordDecoder>;
  };
  const decodeFields: FieldsDecoder = (b, o, end, c) => fields.read(b, o, end, c) as ReturnType<FieldsDecoder>;
  return { decodeRecord, decodeFields, recordKeys: Object.freeze(records.keys) };
}
