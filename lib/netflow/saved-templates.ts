// Template state as saved in a `--templates` file or a shared store, and its validation. The file
// is input like any datagram: every entry is checked for the types and ranges a template can
// have before anything of it reaches the template store (and from there generated code).

/** A template as saved by FlowDecoder#exportTemplates(). */
export interface SavedTemplate {
  exporter: string;
  protocol: 'ipfix' | 'netflow-v9';
  domain: number;
  templateId: number;
  options: boolean;
  fields: { id: number; pen: number; length: number; scope: boolean }[];
}

/** Limits applied to saved entries (the decoder's own caps). */
export interface SavedTemplateLimits {
  maxFieldsPerTemplate: number;
}

const U16 = 0xffff;
const U32 = 0xffffffff;

function intIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (v === undefined) return 'missing';
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
}

function fieldProblem(f: unknown, i: number, ipfix: boolean): string | null {
  if (f === null || typeof f !== 'object' || Array.isArray(f)) return `fields[${i}] is ${describe(f)}, not an object`;
  const o = f as Record<string, unknown>;
  if (!intIn(o['id'], 0, ipfix ? 0x7fff : U16)) return `fields[${i}].id is ${describe(o['id'])} (an integer 0..${ipfix ? 32767 : 65535})`;
  if (!intIn(o['pen'], 0, ipfix ? U32 : 0)) return `fields[${i}].pen is ${describe(o['pen'])} (${ipfix ? 'an integer 0..4294967295' : '0 for NetFlow v9'})`;
  if (!intIn(o['length'], 0, U16)) return `fields[${i}].length is ${describe(o['length'])} (an integer 0..65535)`;
  if (typeof o['scope'] !== 'boolean') return `fields[${i}].scope is ${describe(o['scope'])} (true or false)`;
  return null;
}

/** Why `t` is not a valid saved template, or null when it is. */
export function savedTemplateProblem(t: unknown, limits: SavedTemplateLimits): string | null {
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return `is ${describe(t)}, not an object`;
  const o = t as Record<string, unknown>;
  if (typeof o['exporter'] !== 'string' || o['exporter'] === '' || o['exporter'].length > 300) return `exporter is ${describe(o['exporter'])} (an address:port string)`;
  if (o['protocol'] !== 'ipfix' && o['protocol'] !== 'netflow-v9') return `protocol is ${describe(o['protocol'])} ("ipfix" or "netflow-v9")`;
  if (!intIn(o['domain'], 0, U32)) return `domain is ${describe(o['domain'])} (an integer 0..4294967295)`;
  if (!intIn(o['templateId'], 256, U16)) return `templateId is ${describe(o['templateId'])} (an integer 256..65535; lower ids are reserved)`;
  if (typeof o['options'] !== 'boolean') return `options is ${describe(o['options'])} (true or false)`;
  const fields = o['fields'];
  if (!Array.isArray(fields)) return `fields is ${describe(fields)}, not an array`;
  if (fields.length === 0 || fields.length > limits.maxFieldsPerTemplate) return `has ${fields.length} fields (1..${limits.maxFieldsPerTemplate})`;
  const ipfix = o['protocol'] === 'ipfix';
  for (let i = 0; i < fields.length; i++) {
    const p = fieldProblem(fields[i], i, ipfix);
    if (p !== null) return p;
  }
  return null;
}
