// Parses template and options-template records: NetFlow v9 (RFC 3954 §5.2, §6.1) and IPFIX
// (RFC 7011 §3.4). Pure: returns definitions, withdrawals and problems; the cache decides.
import { allZero, u16, u32 } from '../codec/bytes.js';
import { ipfixField, v9Field } from './field-spec.js';
import type { FieldSpec, TemplateDef } from './template.js';

export type TemplateItem =
  | { readonly type: 'template'; readonly def: TemplateDef; readonly offset: number }
  /** IPFIX withdrawal; `all` for template id 2 (all templates) or 3 (all options templates). */
  | { readonly type: 'withdraw'; readonly id: number; readonly options: boolean; readonly all: boolean; readonly offset: number }
  | { readonly type: 'error'; readonly reason: string; readonly offset: number; readonly templateId?: number };


/**
 * Template id 0 is reserved, so zero bytes where a record should start are padding when the rest
 * of the set is zero. Template records are multiples of 4 bytes long, so nothing pads between
 * them: a non-zero record with id 0 is a record (reported as reserved, and stepped over by its own
 * length, so the records after it stay aligned). Options template records are 2 bytes off from a
 * multiple of 4, and some exporters align each to 4 bytes (`aligned`): two zero bytes followed by
 * a plausible template id (>= 256) are that padding.
 */
function skipPadding(b: Uint8Array, q: number, end: number, aligned: boolean): number {
  if (b[q] !== 0 || b[q + 1] !== 0) return q;
  if (allZero(b, q, end)) return end;
  if (aligned && q + 4 <= end && u16(b, q + 2) >= 256) return q + 2;
  return q;
}


/** IPFIX template set (id 2) or options template set (id 3) body from `start` to `end`. */
export function parseIpfixTemplates(b: Uint8Array, start: number, end: number, options: boolean, out: TemplateItem[]): void {
  let q = skipPadding(b, start, end, options);
  while (q + 4 <= end) {
    const id = u16(b, q);
    const count = u16(b, q + 2);
    if (count === 0) {
      const all = id === (options ? 3 : 2);
      if (id < 256 && !all) out.push({ type: 'error', reason: `withdrawal of reserved template id ${id}`, offset: q, templateId: id });
      else out.push({ type: 'withdraw', id, options, all, offset: q });
      q = skipPadding(b, q + 4, end, options);
      continue;
    }
    let p = q + 4;
    let scopeCount = 0;
    if (options) {
      if (p + 2 > end) { out.push({ type: 'error', reason: `options template ${id} header runs past its set`, offset: q, templateId: id }); return; }
      scopeCount = u16(b, p);
      p += 2;
    }
    const fields: FieldSpec[] = [];
    for (let i = 0; i < count; i++) {
      if (p + 4 > end) {
        out.push({ type: 'error', reason: `template ${id} declares ${count} fields but its set ends after ${i}`, offset: q, templateId: id });
        return;
      }
      const raw = u16(b, p);
      const length = u16(b, p + 2);
      p += 4;
      let pen = 0;
      if (raw & 0x8000) {
        if (p + 4 > end) {
          out.push({ type: 'error', reason: `template ${id} field ${i} enterprise number runs past its set`, offset: q, templateId: id });
          return;
        }
        pen = u32(b, p);
        p += 4;
      }
      fields.push(ipfixField(pen, raw & 0x7fff, length, i < scopeCount));
    }
    if (id < 256) out.push({ type: 'error', reason: `template id ${id} is reserved (must be >= 256)`, offset: q, templateId: id });
    else if (options && (scopeCount === 0 || scopeCount > count)) {
      out.push({ type: 'error', reason: `options template ${id} scope field count ${scopeCount} not in 1..${count}`, offset: q, templateId: id });
    } else out.push({ type: 'template', def: { protocol: 'ipfix', id, options, fields }, offset: q });
    q = skipPadding(b, p, end, options);
  }
}

/** NetFlow v9 template flowset (id 0) body. */
export function parseV9Templates(b: Uint8Array, start: number, end: number, out: TemplateItem[]): void {
  let q = skipPadding(b, start, end, false);
  while (q + 4 <= end) {
    const id = u16(b, q);
    const count = u16(b, q + 2);
    if (q + 4 + count * 4 > end) {
      out.push({ type: 'error', reason: `template ${id} declares ${count} fields, more than its flowset holds`, offset: q, templateId: id });
      return;
    }
    const fields: FieldSpec[] = [];
    for (let i = 0, p = q + 4; i < count; i++, p += 4) fields.push(v9Field(u16(b, p), u16(b, p + 2), false));
    if (id < 256) out.push({ type: 'error', reason: `template id ${id} is reserved (must be >= 256)`, offset: q, templateId: id });
    else if (count === 0) out.push({ type: 'error', reason: `template ${id} has no fields`, offset: q, templateId: id });
    else out.push({ type: 'template', def: { protocol: 'netflow-v9', id, options: false, fields }, offset: q });
    q = skipPadding(b, q + 4 + count * 4, end, false);
  }
}

/** NetFlow v9 options template flowset (id 1) body. */
export function parseV9Options(b: Uint8Array, start: number, end: number, out: TemplateItem[]): void {
  let q = skipPadding(b, start, end, true);
  while (q + 6 <= end) {
    const id = u16(b, q);
    const scopeLen = u16(b, q + 2);
    const optLen = u16(b, q + 4);
    const body = q + 6;
    if (scopeLen % 4 !== 0 || optLen % 4 !== 0) {
      out.push({ type: 'error', reason: `options template ${id}: scope length ${scopeLen} / option length ${optLen} not multiples of 4`, offset: q, templateId: id });
      return;
    }
    if (body + scopeLen + optLen > end) {
      out.push({ type: 'error', reason: `options template ${id} declares ${scopeLen + optLen} bytes of fields, more than its flowset holds`, offset: q, templateId: id });
      return;
    }
    const fields: FieldSpec[] = [];
    for (let p = body; p < body + scopeLen; p += 4) fields.push(v9Field(u16(b, p), u16(b, p + 2), true));
    for (let p = body + scopeLen; p < body + scopeLen + optLen; p += 4) fields.push(v9Field(u16(b, p), u16(b, p + 2), false));
    if (id < 256) out.push({ type: 'error', reason: `options template id ${id} is reserved (must be >= 256)`, offset: q, templateId: id });
    else if (fields.length === 0) out.push({ type: 'error', reason: `options template ${id} has no fields`, offset: q, templateId: id });
    else out.push({ type: 'template', def: { protocol: 'netflow-v9', id, options: true, fields }, offset: q });
    q = skipPadding(b, body + scopeLen + optLen, end, true);
  }
}
