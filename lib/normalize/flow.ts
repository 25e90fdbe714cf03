// The normalized flow: one flat shape for every vendor and protocol (goflow2's and Akvorado's
// idea), short camelCase names. Which source elements fill each field is in equivalences.ts;
// the README documents both. Absent values are absent keys: nothing is guessed.

/** One flow record (NetFlow/IPFIX data record, sFlow flow sample) in the normalized shape. */
export interface NormalizedFlow {
  /** When the datagram was received (the capture timestamp when reading a capture), epoch ms. */
  timeReceived: number;
  /** `ip:port` of the exporter (`[v6]:port`). */
  exporter: string;
  /** The exporter's address alone. */
  exporterAddress: string;
  /** `netflow-v5`, `netflow-v9`, `ipfix`, `sflow-v5`, … */
  protocol: string;
  /** v9 source id, IPFIX observation domain, v5 engine, sFlow sub-agent. */
  domain: number;
  /** The message header's sequence number. */
  sequence: number;
  /** Flow start and end, epoch ms, from whichever time elements the record has. */
  timeStart?: number;
  timeEnd?: number;
  /** IPv4 or IPv6 text. */
  srcAddr?: string;
  dstAddr?: string;
  nextHop?: string;
  srcPort?: number;
  dstPort?: number;
  /** IP protocol number. */
  proto?: number;
  /** Ethernet type (0x0800 = 2048 IPv4, 0x86dd = 34525 IPv6). */
  etype?: number;
  tcpFlags?: number;
  /** IP type of service / traffic class byte. */
  tos?: number;
  icmpType?: number;
  icmpCode?: number;
  srcAs?: number;
  dstAs?: number;
  srcMask?: number;
  dstMask?: number;
  srcVlan?: number;
  dstVlan?: number;
  srcMac?: string;
  dstMac?: string;
  /** MPLS label values, top of the stack first. */
  mplsLabels?: number[];
  /** 0 ingress, 1 egress (flowDirection). */
  direction?: number;
  forwardingStatus?: number;
  inIf?: number;
  outIf?: number;
  inVrf?: number;
  outVrf?: number;
  natSrcAddr?: string;
  natDstAddr?: string;
  natSrcPort?: number;
  natDstPort?: number;
  /** RFC 6759 `class:selector` (e.g. `3:80`), or the vendor's application text. */
  application?: string;
  /** 1-in-N: `bytes` and `packets` are the sampled counters × this. */
  samplingRate?: number;
  /** Estimates of the real traffic: sampledBytes × samplingRate. */
  bytes?: number | bigint;
  packets?: number | bigint;
  /** What the exporter counted (an sFlow sample: its frame length, and 1 packet). */
  sampledBytes?: number | bigint;
  sampledPackets?: number | bigint;
  /** The reverse direction of a bidirectional record, as counted (RFC 5103, ASA responder counters). */
  reverseBytes?: number | bigint;
  reversePackets?: number | bigint;
  /** Enrichers add more (interface and VRF names, networks, GeoIP, exporter info, service names). */
  [enriched: string]: unknown;
}

/** The fields of the normalized shape in documentation (and column) order. */
export const NORMALIZED_FIELDS = [
  'timeReceived', 'exporter', 'exporterAddress', 'protocol', 'domain', 'sequence', 'timeStart', 'timeEnd',
  'srcAddr', 'dstAddr', 'nextHop', 'srcPort', 'dstPort', 'proto', 'etype', 'tcpFlags', 'tos', 'icmpType', 'icmpCode',
  'srcAs', 'dstAs', 'srcMask', 'dstMask', 'srcVlan', 'dstVlan', 'srcMac', 'dstMac', 'mplsLabels', 'direction',
  'forwardingStatus', 'inIf', 'outIf', 'inVrf', 'outVrf', 'natSrcAddr', 'natDstAddr', 'natSrcPort', 'natDstPort',
  'application', 'samplingRate', 'bytes', 'packets', 'sampledBytes', 'sampledPackets', 'reverseBytes', 'reversePackets',
] as const;

/** Fields the enrichers add, in column order. */
export const ENRICHED_FIELDS = [
  'applicationName', 'samplerName', 'inIfName', 'outIfName', 'inIfDescription', 'outIfDescription', 'inIfSpeed', 'outIfSpeed',
  'inVrfName', 'outVrfName', 'exporterName', 'exporterSite', 'exporterRole', 'exporterGroup', 'exporterRegion', 'exporterTenant',
  'srcNetName', 'srcNetRole', 'srcNetSite', 'srcNetRegion', 'srcNetTenant', 'dstNetName', 'dstNetRole', 'dstNetSite', 'dstNetRegion', 'dstNetTenant',
  'srcCountry', 'dstCountry', 'srcCity', 'dstCity', 'srcRegion', 'dstRegion', 'srcAsName', 'dstAsName',
  'protoName', 'srcService', 'dstService',
] as const;

export { exporterAddressOf } from '../codec/bytes.js';
