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

/** Copies fields the sample does not have yet (raw header dissection wins over summaries). */
function merge(out: Fields, fields: Fields): void {
  for (const k in fields) if (!(k in out)) out[k] = fields[k];
}

function sampledHeader(r: XdrReader, out: Fields): void {
  const headerProtocol = r.u32();
  const frameLength = r.u32();
  const stripped = r.u32();
  const headerLength = r.u32();
  const { at, len } = r.opaque(headerLength);
  out['headerProtocol'] = headerProtocol;
  out['frameLength'] = frameLength;
  out['stripped'] = stripped;
  out['headerLength'] = headerLength;
  out['sampledHeader'] = hex(r.b, at, len);
  dissectHeader(r.b, at, len, headerProtocol, out);
}

function asPath(r: XdrReader): { type: 'set' | 'sequence' | number; members: number[] }[] {
  const segments = [];
  const n = r.u32();
  for (let i = 0; i < n && i < 256 && !r.overrun; i++) {
    const t = r.u32();
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
    const tunnel = TUNNELS.get(format);
    if (tunnel) { put(out, tunnel[0], readLayout(r, tunnel[1])); return true; }
    const flat = FLOW_LAYOUTS.get(format);
    if (flat) { put(out, flat[0], readLayout(r, flat[1])); return true; }
    switch (format) {
      case 1003: put(out, 'extendedGateway', {
        nextHop: r.address(), as: r.u32(), sourceAs: r.u32(), peerAs: r.u32(), asPath: asPath(r), communities: r.u32s(1024), localPref: r.u32(),
      }); return true;
      case 1006: put(out, 'extendedMpls', { nextHop: r.address(), inLabels: r.u32s(), outLabels: r.u32s() }); return true;
      case 1012: put(out, 'extendedVlanTunnel', { stack: r.u32s() }); return true;
      case 1013: { const cipherSuite = r.u32(); put(out, 'extended80211Payload', { cipherSuite, data: r.hex(r.u32()) }); return true; }
      default: return false;
    }
  }
  // Vendor record decoded as node-sflow's tests document it (VyOS exports it): two 32-bit tags.
  if (enterprise === 8800 && format === 2) { put(out, 'enterprise8800Tags', { tag: r.u32(), tag2: r.u32() }); return true; }
  return false;
}

/** Decodes counter record (enterprise, format) into the sample. Returns false when unknown. */
export function counterRecord(enterprise: number, format: number, r: XdrReader, out: Fields): boolean {
  if (enterprise !== 0) return false;
  const flat = COUNTER_LAYOUTS.get(format);
  if (flat) { put(out, flat[0], readLayout(r, flat[1])); return true; }
  if (format === 2001) {
    const adapters = [];
    const n = r.u32();
    for (let i = 0; i < n && i < 1024 && !r.overrun; i++) {
      const ifIndex = r.u32();
      const macs: string[] = [];
      const m = r.u32();
      for (let j = 0; j < m && j < 256 && !r.overrun; j++) macs.push(r.macPadded());
      adapters.push({ ifIndex, macs });
    }
    put(out, 'hostAdapters', adapters);
    return true;
  }
  return false;
}
