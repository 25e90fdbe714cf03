// Dissects the packet header an sFlow agent sampled: Ethernet, 802.1Q / QinQ, MPLS, IPv4 (with
// options and fragments), IPv6 (extension headers), TCP, UDP, ICMP/ICMPv6, and GRE / VXLAN with
// the packet inside. Writes IANA-named fields; stops where the bytes stop and says so.
import { ipv4, ipv6, mac, u16, u32 } from '../codec/bytes.js';

export interface Dissected {
  [field: string]: unknown;
}

const ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_VLAN = 0x8100, ETH_QINQ = 0x88a8, ETH_QINQ_OLD = 0x9100;
const ETH_MPLS = 0x8847, ETH_MPLS_MC = 0x8848, ETH_TEB = 0x6558;
const VXLAN_PORT = 4789;
/** A tunnel inside a tunnel inside…: stop after this many. */
const MAX_TUNNELS = 3;


/** sFlow header_protocol values this dissector understands. */
export const HEADER_ETHERNET = 1, HEADER_IPV4 = 11, HEADER_IPV6 = 12, HEADER_MPLS = 13;

/**
 * Dissects `len` bytes at `o` of the given sFlow header protocol into `out`. Sets
 * `headerTruncated: true` when the bytes end before the headers do.
 */
export function dissectHeader(b: Uint8Array, o: number, len: number, headerProtocol: number, out: Dissected): void {
  const end = o + len;
  if (headerProtocol === HEADER_ETHERNET) ethernet(b, o, end, out, 0);
  else if (headerProtocol === HEADER_IPV4) ip(b, o, end, out, 0);
  else if (headerProtocol === HEADER_IPV6) ip(b, o, end, out, 0);
  else if (headerProtocol === HEADER_MPLS) mpls(b, o, end, out, 0);
}

function truncated(out: Dissected): void {
  out['headerTruncated'] = true;
}

function ethernet(b: Uint8Array, o: number, end: number, out: Dissected, depth: number): void {
  if (o + 14 > end) return truncated(out);
  out['destinationMacAddress'] = mac(b, o);
  out['sourceMacAddress'] = mac(b, o + 6);
  let type = u16(b, o + 12);
  let p = o + 14;
  let tags = 0;
  while (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) {
    if (p + 4 > end) return truncated(out);
    const tci = u16(b, p);
    if (tags === 0) {
      out['vlanId'] = tci & 0xfff;
      out['dot1qPriority'] = tci >> 13;
    } else if (tags === 1) {
      // Outer tag first on the wire: the second is the customer (inner) tag.
      out['dot1qCustomerVlanId'] = tci & 0xfff;
      out['dot1qCustomerPriority'] = tci >> 13;
    }
    tags++;
    type = u16(b, p + 2);
    p += 4;
  }
  out['ethernetType'] = type;
  if (type === ETH_IPV4 || type === ETH_IPV6) ip(b, p, end, out, depth);
  else if (type === ETH_MPLS || type === ETH_MPLS_MC) mpls(b, p, end, out, depth);
}

function mpls(b: Uint8Array, p: number, end: number, out: Dissected, depth: number): void {
  const labels: number[] = [];
  for (;;) {
    if (p + 4 > end) {
      out['mplsLabels'] = labels;
      return truncated(out);
    }
    const entry = u32(b, p);
    labels.push(Math.floor(entry / 4096));
    p += 4;
    if (entry & 0x100) break; // bottom of stack
  }
  out['mplsLabels'] = labels;
  out['mplsTopLabelExp'] = (b[p - 4 * labels.length + 2]! >> 1) & 7;
  // No next-protocol field in MPLS: the first nibble tells IPv4 from IPv6.
  if (p < end && (b[p]! >> 4 === 4 || b[p]! >> 4 === 6)) ip(b, p, end, out, depth);
}

function ip(b: Uint8Array, p: number, end: number, out: Dissected, depth: number): void {
  if (p >= end) return truncated(out);
  const version = b[p]! >> 4;
  if (version === 4) ipv4Header(b, p, end, out, depth);
  else if (version === 6) ipv6Header(b, p, end, out, depth);
}

function ipv4Header(b: Uint8Array, p: number, end: number, out: Dissected, depth: number): void {
  if (p + 20 > end) return truncated(out);
  const ihl = (b[p]! & 15) * 4;
  out['ipVersion'] = 4;
  out['ipClassOfService'] = b[p + 1];
  out['ipTotalLength'] = u16(b, p + 2);
  out['fragmentIdentification'] = u16(b, p + 4);
  const frag = u16(b, p + 6);
  out['fragmentFlags'] = frag >> 13;
  out['fragmentOffset'] = frag & 0x1fff;
  out['ipTTL'] = b[p + 8];
  const proto = b[p + 9]!;
  out['protocolIdentifier'] = proto;
  out['sourceIPv4Address'] = ipv4(b, p + 12);
  out['destinationIPv4Address'] = ipv4(b, p + 16);
  if (ihl > 20) out['ipv4OptionsLength'] = ihl - 20;
  if (ihl < 20) return; // a broken IHL: addresses are all we can trust
  // Only the first fragment carries the transport header.
  if ((frag & 0x1fff) !== 0) return;
  transport(b, p + ihl, end, proto, out, depth, false);
}

const IPV6_EXTENSIONS = new Set([0, 43, 44, 60, 51, 135, 139, 140]);

function ipv6Header(b: Uint8Array, p: number, end: number, out: Dissected, depth: number): void {
  if (p + 40 > end) return truncated(out);
  out['ipVersion'] = 6;
  out['ipClassOfService'] = ((b[p]! & 15) << 4) | (b[p + 1]! >> 4);
  out['flowLabelIPv6'] = ((b[p + 1]! & 15) << 16) | u16(b, p + 2);
  out['payloadLengthIPv6'] = u16(b, p + 4);
  out['ipTTL'] = b[p + 7];
  out['sourceIPv6Address'] = ipv6(b, p + 8);
  out['destinationIPv6Address'] = ipv6(b, p + 24);
  let next = b[p + 6]!;
  let q = p + 40;
  for (let hops = 0; IPV6_EXTENSIONS.has(next) && hops < 16; hops++) {
    if (q + 8 > end) {
      out['protocolIdentifier'] = next;
      return truncated(out);
    }
    if (next === 44) {
      const frag = u16(b, q + 2);
      out['fragmentOffset'] = frag >> 3;
      out['fragmentIdentification'] = u32(b, q + 4);
      next = b[q]!;
      q += 8;
      if (frag >> 3 !== 0) {
        out['protocolIdentifier'] = next;
        return;
      }
      continue;
    }
    const len = next === 51 ? (b[q + 1]! + 2) * 4 : (b[q + 1]! + 1) * 8;
    next = b[q]!;
    q += len;
  }
  out['protocolIdentifier'] = next;
  transport(b, q, end, next, out, depth, true);
}

function transport(b: Uint8Array, p: number, end: number, proto: number, out: Dissected, depth: number, v6: boolean): void {
  switch (proto) {
    case 6: // TCP
      if (p + 14 > end) return truncated(out);
      out['sourceTransportPort'] = u16(b, p);
      out['destinationTransportPort'] = u16(b, p + 2);
      out['tcpSequenceNumber'] = u32(b, p + 4);
      out['tcpControlBits'] = ((b[p + 12]! & 1) << 8) | b[p + 13]!;
      if (p + 16 <= end) out['tcpWindowSize'] = u16(b, p + 14);
      return;
    case 17: // UDP
      if (p + 8 > end) return truncated(out);
      out['sourceTransportPort'] = u16(b, p);
      out['destinationTransportPort'] = u16(b, p + 2);
      if (u16(b, p + 2) === VXLAN_PORT && p + 16 <= end && depth < MAX_TUNNELS && (b[p + 8]! & 0x08)) {
        out['tunnel'] = 'vxlan';
        out['layer2SegmentId'] = (b[p + 12]! << 16) | u16(b, p + 13);
        out['inner'] = inside((inner) => ethernet(b, p + 16, end, inner, depth + 1));
      }
      return;
    case 1: case 58: // ICMP, ICMPv6
      if (p + 2 > end) return truncated(out);
      out[v6 || proto === 58 ? 'icmpTypeCodeIPv6' : 'icmpTypeCodeIPv4'] = (b[p]! << 8) | b[p + 1]!;
      return;
    case 47: // GRE
      return gre(b, p, end, out, depth);
    case 4: case 41: // IP in IP
      if (depth >= MAX_TUNNELS) return;
      out['tunnel'] = proto === 4 ? 'ipip' : 'ip6ip';
      out['inner'] = inside((inner) => ip(b, p, end, inner, depth + 1));
      return;
    default:
  }
}

/** The packet inside a tunnel, dissected into its own object. */
function inside(fill: (inner: Dissected) => void): Dissected {
  const inner: Dissected = {};
  fill(inner);
  return inner;
}

function gre(b: Uint8Array, p: number, end: number, out: Dissected, depth: number): void {
  if (p + 4 > end) return truncated(out);
  const flags = u16(b, p);
  const type = u16(b, p + 2);
  out['tunnel'] = 'gre';
  let q = p + 4;
  if (flags & 0x8000) q += 4; // checksum + reserved
  if (flags & 0x2000) {
    if (q + 4 > end) return truncated(out);
    out['greKey'] = u32(b, q);
    q += 4;
  }
  if (flags & 0x1000) q += 4; // sequence number
  if (depth >= MAX_TUNNELS) return;
  if (type === ETH_IPV4 || type === ETH_IPV6) out['inner'] = inside((inner) => ip(b, q, end, inner, depth + 1));
  else if (type === ETH_TEB) out['inner'] = inside((inner) => ethernet(b, q, end, inner, depth + 1));
}
