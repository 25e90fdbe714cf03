// Runtime helpers for compiled decoders: the generic value reader (used for variable-length
// fields and list elements, where the length is only known at run time), RFC 6313 lists and
// sysUpTime-relative time conversion.
import type { DataType } from '../registry/data-types.js';
import { ipfixElement } from '../registry/index.js';
import type { BasicListValue, FieldMap, FieldValue, ListSemantic, SubTemplateListValue, SubTemplateMultiListValue } from '../types.js';
import type { RecordContext } from './record-context.js';
import { ipv4, ipv6, mac, hex, str, u32, u64, uint, sint, float, ntpMs, ms } from '../codec/bytes.js';

/** Deepest RFC 6313 nesting decoded; deeper lists stay hex (and are reported). */
export const MAX_LIST_DEPTH = 8;

/** Reads a value whose length is known only at run time. */
export function readValue(type: DataType, b: Uint8Array, p: number, len: number, c: RecordContext): FieldValue {
  switch (type) {
    case 'unsigned8': case 'unsigned16': case 'unsigned32': case 'unsigned64':
      return len >= 1 && len <= 8 ? uint(b, p, len) : hex(b, p, len);
    case 'signed8': case 'signed16': case 'signed32': case 'signed64':
      return len >= 1 && len <= 8 ? sint(b, p, len) : hex(b, p, len);
    case 'float32': case 'float64':
      return len === 4 || len === 8 ? float(b, p, len) : hex(b, p, len);
    case 'boolean': return len === 1 ? b[p] === 1 : hex(b, p, len);
    case 'macAddress': return len === 6 ? mac(b, p) : hex(b, p, len);
    case 'ipv4Address': return len === 4 ? ipv4(b, p) : hex(b, p, len);
    case 'ipv6Address': return len === 16 ? ipv6(b, p) : hex(b, p, len);
    case 'string': return str(b, p, len);
    case 'dateTimeSeconds': return len >= 1 && len <= 4 ? (uint(b, p, len) as number) * 1000 : hex(b, p, len);
    case 'dateTimeMilliseconds': return len >= 1 && len <= 8 ? ms(b, p, len) : hex(b, p, len);
    case 'dateTimeMicroseconds': case 'dateTimeNanoseconds':
      return len === 8 ? ntpMs(b, p, type === 'dateTimeMicroseconds') : hex(b, p, len);
    case 'basicList': return basicList(b, p, len, c);
    case 'subTemplateList': return subTemplateList(b, p, len, c);
    case 'subTemplateMultiList': return subTemplateMultiList(b, p, len, c);
    default: return hex(b, p, len);
  }
}

const SEMANTICS: readonly ListSemantic[] = ['noneOf', 'exactlyOneOf', 'oneOrMoreOf', 'allOf', 'ordered'];
function semantic(v: number): ListSemantic {
  return v === 255 ? 'undefined' : SEMANTICS[v] ?? `semantic${v}`;
}

function tooDeep(b: Uint8Array, p: number, len: number, c: RecordContext): string | null {
  if (c.depth < MAX_LIST_DEPTH) return null;
  c.errors.push({ kind: 'nesting-too-deep', reason: `RFC 6313 lists nested deeper than ${MAX_LIST_DEPTH}; kept as hex`, exporter: c.exporter, offset: p, protocol: c.protocol, domain: c.domain });
  return hex(b, p, len);
}

/** RFC 6313 §4.5.1 basicList. */
export function basicList(b: Uint8Array, p: number, len: number, c: RecordContext): BasicListValue | string {
  const deep = tooDeep(b, p, len, c);
  if (deep !== null) return deep;
  const end = p + len;
  if (len < 5) return hex(b, p, len);
  const fid = (b[p + 1]! << 8) | b[p + 2]!;
  const elemLen = (b[p + 3]! << 8) | b[p + 4]!;
  let q = p + 5;
  let pen = 0;
  if (fid & 0x8000) {
    if (q + 4 > end) return hex(b, p, len);
    pen = u32(b, q);
    q += 4;
  }
  const info = ipfixElement(pen, fid & 0x7fff);
  const type: DataType = info.known ? info.type : 'octetArray';
  const values: FieldValue[] = [];
  c.depth++;
  while (q < end) {
    let n = elemLen;
    if (n === 65535) {
      n = b[q++]!;
      if (n === 255) {
        if (q + 2 > end) break;
        n = (b[q]! << 8) | b[q + 1]!;
        q += 2;
      }
    }
    if (n === 0 && elemLen !== 65535) break; // a zero-length element would never advance
    if (q + n > end) break;
    values.push(readValue(type, b, q, n, c));
    q += n;
  }
  c.depth--;
  return { semantic: semantic(b[p]!), element: info.name, values };
}

function records(b: Uint8Array, q: number, end: number, templateId: number, c: RecordContext): FieldMap[] | null {
  const tpl = c.lookup(templateId);
  if (tpl === undefined || tpl.minLength === 0) return null;
  const out: FieldMap[] = [];
  c.depth++;
  while (q + tpl.minLength <= end) {
    const r = tpl.decodeFields(b, q, end, c);
    if (r === null) break;
    out.push(r);
    q = c.next;
  }
  c.depth--;
  return out;
}

/** RFC 6313 §4.5.2 subTemplateList. Records of an unknown template stay as `raw` hex. */
export function subTemplateList(b: Uint8Array, p: number, len: number, c: RecordContext): SubTemplateListValue | string {
  const deep = tooDeep(b, p, len, c);
  if (deep !== null) return deep;
  if (len < 3) return hex(b, p, len);
  const templateId = (b[p + 1]! << 8) | b[p + 2]!;
  const recs = records(b, p + 3, p + len, templateId, c);
  if (recs === null) return { semantic: semantic(b[p]!), templateId, records: [], raw: hex(b, p + 3, len - 3) };
  return { semantic: semantic(b[p]!), templateId, records: recs };
}

/** RFC 6313 §4.5.3 subTemplateMultiList. */
export function subTemplateMultiList(b: Uint8Array, p: number, len: number, c: RecordContext): SubTemplateMultiListValue | string {
  const deep = tooDeep(b, p, len, c);
  if (deep !== null) return deep;
  if (len < 1) return hex(b, p, len);
  const end = p + len;
  const lists: { templateId: number; records: FieldMap[]; raw?: string }[] = [];
  let q = p + 1;
  while (q + 4 <= end) {
    const templateId = (b[q]! << 8) | b[q + 1]!;
    const n = (b[q + 2]! << 8) | b[q + 3]!;
    if (n < 4 || q + n > end) break;
    const recs = records(b, q + 4, q + n, templateId, c);
    lists.push(recs === null ? { templateId, records: [], raw: hex(b, q + 4, n - 4) } : { templateId, records: recs });
    q += n;
  }
  return { semantic: semantic(b[p]!), lists };
}

const TWO32 = 4294967296;

/**
 * Converts a sysUpTime-relative time (ms since the exporter booted, uint32) to epoch ms.
 * v9/v5: relative to the header's sysUptime at exportTime; the signed 32-bit difference
 * handles the 2^32 ms (49.7 day) wrap in either value. IPFIX: relative to
 * systemInitTimeMilliseconds from options data; the wrap count is the one that puts the time
 * closest to the export time. Unknown base: undefined.
 */
export function relTime(c: RecordContext, v: number): number | undefined {
  if (c.uptimeMs === c.uptimeMs) return c.exportTime - ((c.uptimeMs - v) | 0);
  if (c.initMs === c.initMs) {
    let wraps = Math.round((c.exportTime - c.initMs - v) / TWO32);
    if (wraps < 0) wraps = 0;
    return c.initMs + v + wraps * TWO32;
  }
  return undefined;
}

/** The helper table compiled decoders receive. */
export const helpers = { ipv4, ipv6, mac, hex, str, u32, u64, uint, sint, float, ntpMs, ms, readValue, relTime };
export type Helpers = typeof helpers;
