// Compiles a template into straight-line JavaScript: one function per template that reads every
// field at its offset and builds the record as a single object literal. No per-field switch and
// no per-record closure on the hot path; every record of a template has the same shape.
import type { RecordContext } from './record-context.js';
import { VARLEN, outputNames, signatureOf, type CompiledTemplate, type FieldSpec, type FieldsDecoder, type RecordDecoder, type TemplateDef } from './template.js';
import { helpers, type Helpers } from './values.js';

/** Header values copied into every record of a fixed format (v5/v7 engine and sampling). */
export type ContextField = readonly [name: string, from: 'engineType' | 'engineId' | 'samplingAlgorithm' | 'samplingInterval'];

/** JS expression reading a fixed-length field at `${base} + ${k}`, or null for fields with no value. */
function fixedExpr(f: FieldSpec, base: string, k: number): string | null {
  const L = f.length;
  if (f.skip || L === 0) return null;
  const at = (i: number): string => `b[${base} + ${k + i}]`;
  const P = `${base} + ${k}`;
  const hexExpr = `h.hex(b, ${P}, ${L})`;
  if (!f.known) return hexExpr;
  switch (f.type) {
    case 'unsigned8': case 'unsigned16': case 'unsigned32': case 'unsigned64':
      if (L === 1) return at(0);
      if (L === 2) return `((${at(0)} << 8) | ${at(1)})`;
      if (L === 4) return `(${at(0)} * 16777216 + ((${at(1)} << 16) | (${at(2)} << 8) | ${at(3)}))`;
      if (L === 8) return `h.u64(b, ${P})`;
      return L <= 8 ? `h.uint(b, ${P}, ${L})` : hexExpr;
    case 'signed8': case 'signed16': case 'signed32': case 'signed64':
      return L <= 8 ? `h.sint(b, ${P}, ${L})` : hexExpr;
    case 'float32': case 'float64':
      return L === 4 || L === 8 ? `h.float(b, ${P}, ${L})` : hexExpr;
    case 'boolean': return L === 1 ? `(${at(0)} === 1)` : hexExpr;
    case 'macAddress': return L === 6 ? `h.mac(b, ${P})` : hexExpr;
    case 'ipv4Address': return L === 4 ? `h.ipv4(b, ${P})` : hexExpr;
    case 'ipv6Address': return L === 16 ? `h.ipv6(b, ${P})` : hexExpr;
    case 'string': return `h.str(b, ${P}, ${L})`;
    case 'dateTimeSeconds': return L <= 4 ? `(h.uint(b, ${P}, ${L}) * 1000)` : hexExpr;
    case 'dateTimeMilliseconds': return L <= 8 ? `h.ms(b, ${P}, ${L})` : hexExpr;
    case 'dateTimeMicroseconds': return L === 8 ? `h.ntpMs(b, ${P}, true)` : hexExpr;
    case 'dateTimeNanoseconds': return L === 8 ? `h.ntpMs(b, ${P}, false)` : hexExpr;
    case 'octetArray': return hexExpr;
    default: return `h.readValue(${JSON.stringify(f.type)}, b, ${P}, ${L}, c)`;
  }
}

/** JS expression for a variable-length field whose bytes are at p, length L. */
function varExpr(f: FieldSpec): string {
  if (!f.known || f.type === 'octetArray') return 'h.hex(b, p, L)';
  if (f.type === 'string') return 'h.str(b, p, L)';
  return `h.readValue(${JSON.stringify(f.type)}, b, p, L, c)`;
}

/**
 * A flowStart/EndMilliseconds the record does not carry, derived from field `index`: a
 * sysUpTime-relative time (`uptime`) or a delta before export time in microseconds (`delta`).
 */
export interface DerivedTime { readonly name: string; readonly from: 'uptime' | 'delta'; readonly index: number }

/** flowStart/EndMilliseconds for records that carry only sysUpTime-relative or delta times. */
export function derivedTimes(fields: readonly FieldSpec[], names: readonly string[]): DerivedTime[] {
  const has = (n: string): boolean => fields.some((f) => !f.skip && f.pen === 0 && f.name === n);
  const index = (n: string): number => fields.findIndex((f) => !f.skip && f.pen === 0 && f.name === n && f.length > 0);
  const out: DerivedTime[] = [];
  for (const edge of ['Start', 'End'] as const) {
    const target = `flow${edge}Milliseconds`;
    if (names.includes(target) || has(`flow${edge}Seconds`) || has(`flow${edge}Microseconds`) || has(`flow${edge}Nanoseconds`)) continue;
    const up = index(`flow${edge}SysUpTime`);
    const delta = index(`flow${edge}DeltaMicroseconds`);
    if (up >= 0) out.push({ name: target, from: 'uptime', index: up });
    else if (delta >= 0) out.push({ name: target, from: 'delta', index: delta });
  }
  return out;
}

/** The JS expression of a derived time (the same values as the interpreter's derivedValue). */
function derivedExpr(d: DerivedTime): string {
  const v = `v${d.index}`;
  // The usual case (exporter uptime from the header) inline; the rest in relTime.
  return d.from === 'uptime'
    ? `(typeof ${v} !== 'number' ? undefined : c.uptimeMs === c.uptimeMs ? c.exportTime - ((c.uptimeMs - ${v}) | 0) : h.relTime(c, ${v}))`
    : `(typeof ${v} === 'number' ? c.exportTime - ${v} / 1000 : undefined)`;
}

interface Generated {
  code: string;
  /** Keys of the record literal, in order, when every derived time is known. */
  keys: string[];
}

function generate(def: TemplateDef, names: readonly string[], nested: boolean, ctxFields: readonly ContextField[]): Generated {
  const lines: string[] = ['let p = o, L = 0;'];
  let base = 'o';
  let k = 0; // bytes since base
  // Bounds are checked once per run of fixed fields, before reading them.
  const runLength = (from: number): number => {
    let n = 0;
    for (let i = from; i < def.fields.length && def.fields[i]!.length !== VARLEN; i++) n += def.fields[i]!.length;
    return n;
  };
  const first = runLength(0);
  if (first > 0) lines.push(`if (o + ${first} > end) return null;`);
  def.fields.forEach((f, i) => {
    if (f.length === VARLEN) {
      if (base === 'o') lines.push(`p = o + ${k};`);
      else if (k > 0) lines.push(`p += ${k};`);
      base = 'p';
      k = 0;
      lines.push(
        'if (p >= end) return null;',
        'L = b[p++];',
        'if (L === 255) { if (p + 2 > end) return null; L = (b[p] << 8) | b[p + 1]; p += 2; }',
        'if (p + L > end) return null;',
        `const v${i} = ${varExpr(f)};`,
        'p += L;',
      );
      const run = runLength(i + 1);
      if (run > 0) lines.push(`if (p + ${run} > end) return null;`);
      return;
    }
    const expr = fixedExpr(f, base, k);
    if (expr !== null) lines.push(`const v${i} = ${expr};`);
    k += f.length;
  });
  lines.push(`c.next = ${base} + ${k};`);

  // [key, expression] in literal order.
  const props: [string, string][] = [];
  if (!nested) {
    props.push(
      ['kind', def.options ? "'options'" : "'flow'"], ['protocol', 'c.protocol'], ['exporter', 'c.exporter'],
      ['domain', 'c.domain'], ['templateId', String(def.id)], ['exportTime', 'c.exportTime'], ['sequence', 'c.sequence'],
    );
    if (def.options) props.push(['scopes', 'S']);
  }
  def.fields.forEach((f, i) => {
    if (!f.skip && f.length > 0) props.push([names[i]!, `v${i}`]);
  });
  for (const [name, from] of ctxFields) props.push([name, `c.${from}`]);
  const derived = derivedTimes(def.fields, names);
  const withTimes: [string, string][] = [...props, ...derived.map((d, i): [string, string] => [d.name, `t${i}`])];
  // The literal's own keys in the order JS gives them (a repeated key at its first position).
  const keys = Object.keys(Object.fromEntries(withTimes.map(([key]) => [key, 0])));
  if (derived.length === 0) {
    lines.push(`return ${literal(props)};`);
    return { code: lines.join('\n'), keys };
  }
  // Derived times are nearly always known: build that shape in one literal (adding properties
  // afterwards would change the object's hidden class per record); add them one by one otherwise.
  derived.forEach((d, i) => lines.push(`const t${i} = ${derivedExpr(d)};`));
  const known = derived.map((_, i) => `t${i} !== undefined`).join(' && ');
  lines.push(`if (${known}) return ${literal(withTimes)};`, `const r = ${literal(props)};`);
  derived.forEach((d, i) => lines.push(`if (t${i} !== undefined) r[${JSON.stringify(d.name)}] = t${i};`));
  lines.push('return r;');
  return { code: lines.join('\n'), keys };
}

/** Object literal source for [key, expression] pairs. */
function literal(props: readonly (readonly [string, string])[]): string {
  return `{ ${props.map(([key, expr]) => `${JSON.stringify(key)}: ${expr}`).join(', ')} }`;
}

type Factory<T> = (h: Helpers, S: readonly string[]) => T;

function build<T>(body: string, scopes: readonly string[]): T {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-template code generation is the design
  const factory = new Function('h', 'S', `'use strict'; return function decode(b, o, end, c) {\n${body}\n};`) as Factory<T>;
  return factory(helpers, scopes);
}

/**
 * Numbers that reach the generated source must be the integers they claim to be: templates parsed
 * from datagrams always are, but a definition can also come from a file or a caller.
 */
function checkLayout(def: TemplateDef): void {
  const u16 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffff;
  if (!u16(def.id)) throw new RangeError(`template id ${String(def.id)} is not an integer 0..65535`);
  def.fields.forEach((f, i) => {
    if (!u16(f.length)) throw new RangeError(`template ${def.id} field ${i}: length ${String(f.length)} is not an integer 0..65535`);
  });
}

/** What a decoder of `def` is, apart from its code: shared by the compiled and interpreted tiers. */
export type TemplateShape = Omit<CompiledTemplate, 'decodeRecord' | 'decodeFields' | 'recordKeys'>;

export function templateShape(def: TemplateDef): TemplateShape & { readonly names: readonly string[] } {
  checkLayout(def);
  const names = outputNames(def.fields);
  let minLength = 0;
  let hasVarlen = false;
  for (const f of def.fields) {
    if (f.length === VARLEN) { hasVarlen = true; minLength += 1; } else minLength += f.length;
  }
  const scopeNames = Object.freeze(def.fields.map((f, i) => (f.scope && !f.skip && f.length > 0 ? names[i]! : '')).filter((n) => n !== ''));
  const initIndex = def.fields.findIndex((f) => f.pen === 0 && f.name === 'systemInitTimeMilliseconds' && f.length > 0);
  return {
    def, names, minLength, fixedLength: hasVarlen ? -1 : minLength, hasVarlen, signature: signatureOf(def),
    initTimeField: initIndex >= 0 ? names[initIndex]! : null, scopeNames,
  };
}

/** The generated record and nested-record decoders of `def`, with the record's keys. */
export function generateDecoders(def: TemplateDef, names: readonly string[], scopeNames: readonly string[], ctxFields: readonly ContextField[] = []): Pick<CompiledTemplate, 'decodeRecord' | 'decodeFields' | 'recordKeys'> {
  const record = generate(def, names, false, ctxFields);
  return {
    recordKeys: Object.freeze(record.keys),
    decodeRecord: build<RecordDecoder>(record.code, scopeNames),
    decodeFields: build<FieldsDecoder>(generate(def, names, true, ctxFields).code, scopeNames),
  };
}

/** Compiles a template definition. `ctxFields` adds header values (fixed formats). */
export function compileTemplate(def: TemplateDef, ctxFields: readonly ContextField[] = []): CompiledTemplate {
  const { names, ...shape } = templateShape(def);
  return { ...shape, ...generateDecoders(def, names, shape.scopeNames, ctxFields) };
}

export type { RecordContext };
