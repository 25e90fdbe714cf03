import type { DataType } from '../registry/data-types.js';
import type { FieldMap, FlowRecord, TemplateFieldInfo } from '../types.js';
import type { RecordContext } from './record-context.js';

/** Declared length meaning "variable length" (IPFIX RFC 7011 §7; also sent by some v9 exporters). */
export const VARLEN = 65535;

/** One template field, resolved against the registry. */
export interface FieldSpec {
  readonly id: number;
  /** Enterprise number (0 for IANA and for NetFlow v9 types). */
  readonly pen: number;
  readonly length: number;
  readonly name: string;
  readonly type: DataType;
  /** false for elements no table knows: decoded as hex. */
  readonly known: boolean;
  readonly scope: boolean;
  /** Padding in the fixed formats: occupies bytes, yields no value. */
  readonly skip?: boolean;
}

/** A template as declared by an exporter (or a fixed format described as one). */
export interface TemplateDef {
  readonly protocol: 'netflow-v9' | 'ipfix' | 'netflow-v1' | 'netflow-v5' | 'netflow-v7';
  readonly id: number;
  readonly options: boolean;
  readonly fields: readonly FieldSpec[];
}

/** Decodes one record at `o`; returns null when it does not fit before `end`. Sets `c.next`. */
export type RecordDecoder = (b: Uint8Array, o: number, end: number, c: RecordContext) => FlowRecord | null;
/** Same, without record meta data: used for RFC 6313 nested records. */
export type FieldsDecoder = (b: Uint8Array, o: number, end: number, c: RecordContext) => FieldMap | null;

/** A template compiled to straight-line decoding code. */
export interface CompiledTemplate {
  readonly def: TemplateDef;
  /** Smallest encoding of one record (variable-length fields count one byte). */
  readonly minLength: number;
  /** Record length when every field is fixed, else -1. */
  readonly fixedLength: number;
  readonly hasVarlen: boolean;
  /** Bytes of the definition, to tell a refresh from a redefinition. */
  readonly signature: string;
  /** Output name of systemInitTimeMilliseconds when the template carries it. */
  readonly initTimeField: string | null;
  /** Field names of the scope fields (options templates). */
  readonly scopeNames: readonly string[];
  /**
   * Own keys, in order, of the records decodeRecord builds when their derived times
   * (flowStart/EndMilliseconds) are known; without them the record lacks those keys. Frozen:
   * its identity names the shape (a serializer compiles one writer per array).
   */
  readonly recordKeys: readonly string[];
  readonly decodeRecord: RecordDecoder;
  readonly decodeFields: FieldsDecoder;
}

/** Names the record meta data uses: a field with one of these names is renamed `_2`. */
const META_NAMES = ['kind', 'protocol', 'exporter', 'domain', 'templateId', 'exportTime', 'sequence', 'scopes'];

/** Output names: the registry name, `_2`, `_3`… for repeats (an element never overwrites another). */
export function outputNames(fields: readonly FieldSpec[]): string[] {
  const used = new Set(META_NAMES);
  return fields.map((f) => {
    if (f.skip) return '';
    let name = f.name;
    for (let n = 2; used.has(name); n++) name = `${f.name}_${n}`;
    used.add(name);
    return name;
  });
}

/** The public, JSON-friendly description of a template's fields, under their output names. */
export function fieldInfo(def: TemplateDef): TemplateFieldInfo[] {
  const names = outputNames(def.fields);
  return def.fields.map((f, i) => ({ id: f.id, pen: f.pen, length: f.length, name: names[i] || f.name, scope: f.scope }));
}

/** A definition's identity: equal signatures decode identically. */
export function signatureOf(def: TemplateDef): string {
  return `${def.options ? 'o' : 'd'}:` + def.fields.map((f) => `${f.pen}.${f.id}.${f.length}${f.scope ? 's' : ''}`).join(',');
}
