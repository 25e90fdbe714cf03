// A template decoded without generating code: a list of field steps built from the definition in
// microseconds, where compiling costs a few hundred. Every template starts on this tier (see
// tiered.ts), so an exporter that redefines its templates on every datagram costs little; the
// records are the compiled decoder's, key for key, value for value, in the same order.
import { derivedTimes, type DerivedTime } from './compile.js';
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

/** Interpreted record and nested-record decoders of `def` (dynamic templates: no header fields). */
export function interpretTemplate(def: TemplateDef, names: readonly string[], scopeNames: readonly string[]): { decodeRecord: RecordDecoder; decodeFields: FieldsDecoder; recordKeys: readonly string[] } {
  const plan = steps(def, names);
  const derived = derivedTimes(def.fields, names);
  const derivedFrom = derived.map((d) => names[d.index]!);
  const kind = def.options ? 'options' : 'flow';
  const id = def.id;

  const fill = (r: Record<string, unknown>, b: Uint8Array, o: number, end: number, c: RecordContext): boolean => {
    let p = o;
    for (const s of plan) {
      if (s.run > 0 && p + s.run > end) return false;
      let len = s.length;
      if (len === VARLEN) {
        if (p >= end) return false;
        len = b[p++]!;
        if (len === 255) {
          if (p + 2 > end) return false;
          len = (b[p]! << 8) | b[p + 1]!;
          p += 2;
        }
        if (p + len > end) return false;
      }
      if (s.name !== null) r[s.name] = s.read(b, p, len, c);
      p += len;
    }
    c.next = p;
    for (let i = 0; i < derived.length; i++) {
      const t = derivedValue(derived[i]!, r[derivedFrom[i]!], c);
      if (t !== undefined) r[derived[i]!.name] = t;
    }
    return true;
  };

  const decodeRecord: RecordDecoder = (b, o, end, c) => {
    const r: Record<string, unknown> = {
      kind, protocol: c.protocol, exporter: c.exporter, domain: c.domain, templateId: id, exportTime: c.exportTime, sequence: c.sequence,
    };
    if (def.options) r['scopes'] = scopeNames;
    return fill(r, b, o, end, c) ? r as ReturnType<RecordDecoder> : null;
  };
  const decodeFields: FieldsDecoder = (b, o, end, c) => {
    const r: Record<string, unknown> = {};
    return fill(r, b, o, end, c) ? r as ReturnType<FieldsDecoder> : null;
  };
  const keys = [...(def.options ? ['kind', 'protocol', 'exporter', 'domain', 'templateId', 'exportTime', 'sequence', 'scopes'] : ['kind', 'protocol', 'exporter', 'domain', 'templateId', 'exportTime', 'sequence'])];
  for (const s of plan) if (s.name !== null && !keys.includes(s.name)) keys.push(s.name);
  for (const d of derived) if (!keys.includes(d.name)) keys.push(d.name);
  return { decodeRecord, decodeFields, recordKeys: Object.freeze(keys) };
}
