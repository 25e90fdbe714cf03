// sFlow flow and counter records that are more than a flat list of fields.
import { hex } from '../codec/bytes.js';
import { dissectHeader } from './dissect.js';
import { COUNTER_LAYOUTS, FLOW_LAYOUTS, readLayout, type Layout } from './layouts.js';
import type { XdrReader } from './reader.js';

export type Fields = Record<string, unknown>;

const SAMPLED_ETHERNET: Layout = [['frameLength', 'u32'], ['sourceMacAddress', 'mac'], ['destinationMacAddress', 'mac'], ['ethernetType', 'u32']];
const SAMPLED_IPV4: Layout = [['ipTotalLength', 'u32'], ['protocolIdentifier', 'u32'], ['sourceIPv4Address', 'ip4'], ['destinationIPv4Address', 'ip4'],
  ['sourceTransportPort', 'u32'], ['destinationTransportPort', 'u32'], ['tcpControlBits', 'u32'], ['ipClassOfService', 'u32']];
const SAMPLED_IPV6: Layout = [['payloadLengthIPv6', 'u32'], ['protocolIdentifier', 'u32'], ['sourceIPv6Address', 'ip6'], ['destinationIPv6Address', 'ip6'],
  ['sourceTransportPort', 'u32'], ['destinationTransportPort', 'u32'], ['tcpControlBits', 'u32'], ['ipClassOfService', 'u32']];

const TUNNELS = new Map<number, readonly [string, Layout]>([
  [1021, ['extendedL2TunnelEgress', SAMPLED_ETHERNET]], [1022, ['extendedL2TunnelIngress', SAMPLED_ETHERNET]],
  [1023, ['extendedIPv4TunnelEgress', SAMPLED_IPV4]], [1024, ['extendedIPv4TunnelIngress', SAMPLED_IPV4]],
  [1025, ['extendedIPv6TunnelEgress', SAMPLED_IPV6]], [1026, ['extendedIPv6TunnelIngress', SAMPLED_IPV6]],
]);
const SAMPLED = new Map<number, Layout>([[2, SAMPLED_ETHERNET], [3, SAMPLED_IPV4], [4, SAMPLED_IPV6]]);

/** Sets `name` on the sample without overwriting: a second record of one kind becomes name_2. */
export function put(out: Fields, name: string, value: unknown): void {
  let key = name;
  for (let n = 2; key in out; n++) key = `${name}_${n}`;
  out[key] = value;
}

type Putter = (out: Fields, value: unknown) => void;

/**
 * put() compiled for one name: its `in` check and store are inline-cached for that name (in the
 * shared put() the name varies, and both go the slow generic way: 5 % of a sample's decoding).
 */
function putter(name: string): Putter {
  const key = JSON.stringify(name);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-name code generation is the design
  return new Function('put', `'use strict'; return function (out, v) { if (!(${key} in out)) out[${key}] = v; else put(out, ${key}, v); };`)(put) as Putter;
}

/** Record layouts by format, each with the putter of its name. */
function withPutters(layouts: ReadonlyMap<number, readonly [string, Layout]>): ReadonlyMap<number, readonly [Putter, Layout]> {
  return new Map([...layouts].map(([format, [name, layout]]) => [format, [putter(name), layout] as const]));
}

const FLOW_PUTS = withPutters(FLOW_LAYOUTS);
const TUNNEL_PUTS = withPutters(TUNNELS);
const COUNTER_PUTS = withPutters(COUNTER_LAYOUTS);

/** Copies fields the sample does not have yet (raw header dissection wins over summaries). */
function merge(out: Fields, fields: Fields): void {
  for (const k in fields) if (!(k in out)) out[k] = fields[k];
}

/**
 * The header's fields under their literal names (a store under a name passed in, as in
 * XdrReader.keep, is one site for every record shape: megamorphic); a record cut short keeps the
 * fields it holds.
 */
function sampledHeader(r: XdrReader, out: Fields): void {
  if (r.left < 16) {
    r.keep(out, 'headerProtocol', r.u32());
    r.keep(out, 'frameLength', r.u32());
    r.keep(out, 'stripped', r.u32());
    r.u32(); // the header length, past the end
    return;
  }
  out['headerProtocol'] = r.u32();
  out['frameLength'] = r.u32();
  out['stripped'] = r.u32();
  const headerLength = r.u32();
  out['headerLength'] = headerLength;
  const { at, len } = r.opaque(headerLength);
  out['sampledHeader'] = hex(r.b, at, len);
  dissectHeader(r.b, at, len, out['headerProtocol'] as number, out);
}

/** Sets a counted list unless even its count is past the end; a list cut short keeps what it holds. */
function keepList(r: XdrReader, o: Fields, name: string, read: () => unknown[]): void {
  if (r.overrun) return;
  if (r.left < 4) { r.overrun = true; return; }
  o[name] = read();
}

function asPath(r: XdrReader): { type: 'set' | 'sequence' | number; members: number[] }[] {
  const segments = [];
  const n = r.u32();
  for (let i = 0; i < n && i < 256 && !r.overrun; i++) {
    const t = r.u32();
    if (r.overrun) break;
    segments.push({ type: t === 1 ? 'set' as const : t === 2 ? 'sequence' as const : t, members: r.u32s(1024) });
  }
  if (n > 256) r.overrun = true;
  return segments;
}

/** Decodes flow record (enterprise, format) into the sample. Returns false when unknown. */
export function flowRecord(enterprise: number, format: number, r: XdrReader, out: Fields): boolean {
  if (enterprise === 0) {
    if (format === 1) { sampledHeader(r, out); return true; }
    const sampled = SAMPLED.get(format);
    if (sampled) { merge(out, readLayout(r, sampled)); return true; }
    const tunnel = TUNNEL_PUTS.get(format);
    if (tunnel) { tunnel[0](out, readLayout(r, tunnel[1])); return true; }
    const flat = FLOW_PUTS.get(format);
    if (flat) { flat[0](out, readLayout(r, flat[1])); return true; }
    switch (format) {
      case 1003: {
        const g: Fields = {};
        r.keep(g, 'nextHop', r.address());
        r.keep(g, 'as', r.u32());
        r.keep(g, 'sourceAs', r.u32());
        r.keep(g, 'peerAs', r.u32());
        keepList(r, g, 'asPath', () => asPath(r));
        keepList(r, g, 'communities', () => r.u32s(1024));
        r.keep(g, 'localPref', r.u32());
        put(out, 'extendedGateway', g);
        return true;
      }
      case 1006: {
        const m: Fields = {};
        r.keep(m, 'nextHop', r.address());
        keepList(r, m, 'inLabels', () => r.u32s());
        keepList(r, m, 'outLabels', () => r.u32s());
        put(out, 'extendedMpls', m);
        return true;
      }
      case 1012: {
        const v: Fields = {};
        keepList(r, v, 'stack', () => r.u32s());
        put(out, 'extendedVlanTunnel', v);
        return true;
      }
      case 1013: {
        const p: Fields = {};
        r.keep(p, 'cipherSuite', r.u32());
        const n = r.u32();
        if (!r.overrun) p['data'] = r.hex(n);
        put(out, 'extended80211Payload', p);
        return true;
      }
      default: return false;
    }
  }
  // Vendor record decoded as node-sflow's tests document it (VyOS exports it): two 32-bit tags.
  if (enterprise === 8800 && format === 2) {
    const t: Fields = {};
    r.keep(t, 'tag', r.u32());
    r.keep(t, 'tag2', r.u32());
    put(out, 'enterprise8800Tags', t);
    return true;
  }
  return false;
}

/** Decodes counter record (enterprise, format) into the sample. Returns false when unknown. */
export function counterRecord(enterprise: number, format: number, r: XdrReader, out: Fields): boolean {
  if (enterprise !== 0) return false;
  const flat = COUNTER_PUTS.get(format);
  if (flat) { flat[0](out, readLayout(r, flat[1])); return true; }
  if (format === 2001) {
    const adapters = [];
    const n = r.u32();
    for (let i = 0; i < n && i < 1024 && !r.overrun; i++) {
      const ifIndex = r.u32();
      const m = r.u32();
      if (r.overrun) break;
      const macs: string[] = [];
      for (let j = 0; j < m && j < 256; j++) {
        const a = r.macPadded();
        if (r.overrun) break;
        macs.push(a);
      }
      adapters.push({ ifIndex, macs });
    }
    put(out, 'hostAdapters', adapters);
    return true;
  }
  return false;
}
