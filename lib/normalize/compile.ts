// A normalizer compiled per record shape: for the keys a template's records carry, the table in
// equivalences.ts is resolved once (which source fills each field) into straight-line code, so a
// record costs property reads and one object literal, not a search per field.
import type { FlowRecord } from '../types.js';
import { EQUIVALENCES, type Conversion, type Equivalence, type Source } from './equivalences.js';
import { NORMALIZED_FIELDS, type NormalizedFlow } from './flow.js';

/** What the compiled code reads besides the record. */
export interface NormalizeContext {
  /** Receive time of the datagram, epoch ms. */
  receivedAt: number;
  /** Exporter key -> address text (cached by the caller). */
  addressOf(exporter: string): string;
}

export type CompiledNormalizer = (r: FlowRecord, x: NormalizeContext) => NormalizedFlow;

const ETYPE_IPV4 = 0x0800;
const ETYPE_IPV6 = 0x86dd;

/** Value conversions the generated code calls. */
export const CONVERSIONS: Record<Conversion, (v: unknown, path: string) => unknown> = {
  mplsLabel: (v) => (typeof v === 'string' && v.length >= 6 ? parseInt(v.slice(0, 6), 16) >> 4 : undefined),
  high8: (v) => (typeof v === 'number' ? v >> 8 : undefined),
  low8: (v) => (typeof v === 'number' ? v & 255 : undefined),
  ipVersionEtype: (v) => (v === 4 ? ETYPE_IPV4 : v === 6 ? ETYPE_IPV6 : undefined),
  addressEtype: (_v, path) => (path.includes('IPv6') ? ETYPE_IPV6 : ETYPE_IPV4),
  application: (v) => applicationText(v),
  lastAs: (v) => lastAs(v),
};

/** RFC 6759 §4: applicationId = classification engine id (1 byte) + selector id. */
export function applicationText(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length < 4 || v.length % 2 !== 0) return undefined;
  const engine = parseInt(v.slice(0, 2), 16);
  const selector = v.slice(2);
  // Selectors up to 6 bytes print as a number (NBAR's port-like ids), longer ones stay hex.
  return `${engine}:${selector.length <= 12 ? parseInt(selector, 16) : selector}`;
}

function lastAs(v: unknown): number | undefined {
  if (!Array.isArray(v)) return undefined;
  for (let i = v.length - 1; i >= 0; i--) {
    const members = (v[i] as { members?: unknown }).members;
    if (Array.isArray(members) && members.length > 0) return members[members.length - 1] as number;
  }
  return undefined;
}

const NETFLOW = new Set(['netflow-v1', 'netflow-v5', 'netflow-v7', 'netflow-v9', 'ipfix']);

function asSource(s: string | Source): Source {
  return typeof s === 'string' ? { path: s } : s;
}

/** Does a record with these keys (and this protocol) carry the source? */
function carries(keys: ReadonlySet<string>, protocol: string, s: Source): boolean {
  if (s.protocols !== undefined && !s.protocols.includes(protocol)) return false;
  return keys.has(s.path.split('.')[0]!);
}

/** JS expression reading a (dotted) path from `r`. */
function read(path: string): string {
  const [head, ...rest] = path.split('.');
  return `r[${JSON.stringify(head)}]` + rest.map((p) => `?.[${JSON.stringify(p)}]`).join('');
}

/** The expression of one source's value, converted. */
function valueOf(s: Source): string {
  const raw = read(s.path);
  return s.via === undefined ? raw : `cv.${s.via}(${raw}, ${JSON.stringify(s.path)})`;
}

/** Statements filling one field (or the variable `target`) from the sources the shape carries. */
function fieldCode(e: Equivalence, keys: ReadonlySet<string>, protocol: string, target = `n[${JSON.stringify(e.field)}]`): string[] {
  const present = e.from.map(asSource).filter((s) => carries(keys, protocol, s));
  if (present.length === 0) return [];
  if (e.all) {
    // sFlow's label list is already an array; the IPFIX stack sections are collected in order.
    const list = present.find((s) => s.via === undefined);
    if (list !== undefined) return [`v = ${read(list.path)}; if (Array.isArray(v)) ${target} = v;`];
    return [`a = []; ${present.map((s) => `v = ${valueOf(s)}; if (v !== undefined) a.push(v);`).join(' ')} if (a.length > 0) ${target} = a;`];
  }
  // The first source is usually the only one; later ones fill in when a record lacks a value.
  const out = [`v = ${valueOf(present[0]!)};`];
  for (const s of present.slice(1)) out.push(`if (v === undefined || v === null) v = ${valueOf(s)};`);
  out.push(`if (v !== undefined && v !== null) ${target} = v;`);
  return out;
}

/**
 * ICMP type and code in the destination port: the NetFlow convention (Cisco, softflowd:
 * port = type << 8 | code) when a record has no ICMP element.
 */
function icmpFromPort(keys: ReadonlySet<string>, protocol: string): string[] {
  if (!NETFLOW.has(protocol)) return [];
  const icmp = ['icmpTypeIPv4', 'icmpTypeIPv6', 'icmpTypeCodeIPv4', 'icmpTypeCodeIPv6'];
  if (icmp.some((k) => keys.has(k)) || !keys.has('destinationTransportPort') || !keys.has('protocolIdentifier')) return [];
  return [
    `v = r["protocolIdentifier"]; if ((v === 1 || v === 58) && typeof r["destinationTransportPort"] === "number") {`,
    `  n["icmpType"] = r["destinationTransportPort"] >> 8; n["icmpCode"] = r["destinationTransportPort"] & 255; }`,
  ];
}

/**
 * Builds the normalizer for records with these own keys. samplingRate is 1 and bytes/packets
 * equal the sampled counters: the caller sets the rate and scales (the keys stay in order).
 */
export function compileNormalizer(keys: readonly string[], protocol: string): CompiledNormalizer {
  const has = new Set(keys);
  const byField = new Map(EQUIVALENCES.map((e) => [e.field, e]));
  const sflow = protocol === 'sflow-v5';
  // The counters are read first: bytes/packets (the scaled estimates) come before them in order.
  const body: string[] = [
    'let v, a, sb, sp;',
    ...fieldCode(byField.get('sampledBytes')!, has, protocol, 'sb'),
    ...(sflow ? ['sp = 1;'] : fieldCode(byField.get('sampledPackets')!, has, protocol, 'sp')),
    'const n = { timeReceived: x.receivedAt, exporter: r.exporter, exporterAddress: x.addressOf(r.exporter), protocol: r.protocol, domain: r.domain, sequence: r.sequence };',
  ];
  for (const field of NORMALIZED_FIELDS.slice(6)) {
    if (field === 'samplingRate') body.push('n["samplingRate"] = 1;');
    else if (field === 'bytes' || field === 'sampledBytes') body.push(`if (sb !== undefined) n[${JSON.stringify(field)}] = sb;`);
    else if (field === 'packets' || field === 'sampledPackets') body.push(`if (sp !== undefined) n[${JSON.stringify(field)}] = sp;`);
    else {
      if (field === 'icmpType') body.push(...icmpFromPort(has, protocol));
      const e = byField.get(field);
      if (e !== undefined) body.push(...fieldCode(e, has, protocol));
    }
  }
  const make = new Function('cv', `return function normalize(r, x) {\n${body.join('\n')}\nreturn n;\n};`) as (cv: typeof CONVERSIONS) => CompiledNormalizer;
  return make(CONVERSIONS);
}

/** Compiled normalizers by key array (decoder runs share one frozen array per template) or by key text. */
export class NormalizerCache {
  private readonly byArray = new WeakMap<readonly string[], CompiledNormalizer>();
  private readonly byText = new Map<string, CompiledNormalizer>();
  private static readonly MAX_SHAPES = 4096;

  /** For records built by one compiled template (RecordRun keys). */
  forKeys(keys: readonly string[], protocol: string): CompiledNormalizer {
    let f = this.byArray.get(keys);
    if (f === undefined) {
      f = this.forText(keys.join(','), keys, protocol);
      this.byArray.set(keys, f);
    }
    return f;
  }

  /** For any record: its own keys name the shape. */
  forRecord(r: FlowRecord): CompiledNormalizer {
    const keys = Object.keys(r);
    return this.forText(keys.join(','), keys, r.protocol);
  }

  private forText(text: string, keys: readonly string[], protocol: string): CompiledNormalizer {
    const key = protocol + '|' + text;
    let f = this.byText.get(key);
    if (f === undefined) {
      if (this.byText.size >= NormalizerCache.MAX_SHAPES) this.byText.delete(this.byText.keys().next().value as string);
      f = compileNormalizer(keys, protocol);
      this.byText.set(key, f);
    }
    return f;
  }
}
