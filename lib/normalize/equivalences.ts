// Which source elements fill each normalized field: one table for every vendor, each row with
// where the equivalence comes from. Sources are tried in order; the first one a record carries
// wins (decided once per record shape in compile.ts, not per record). Element names are the
// decoder's: IANA names, RFC 5103 `reverse…`, v9 vendor types by their Cisco names.
import type { NormalizedFlow } from './flow.js';

/** How a source value becomes the field's value. */
export type Conversion =
  | 'mplsLabel'        // 3-byte label stack entry (hex) -> label value (entry >> 4)
  | 'high8' | 'low8'   // icmpTypeCode (type << 8 | code) -> type / code
  | 'ipVersionEtype'   // ipVersion 4/6 -> 0x0800 / 0x86dd
  | 'addressEtype'     // an IPv4 / IPv6 address -> 0x0800 / 0x86dd
  | 'application'      // RFC 6759 applicationId (hex: engine byte, selector) -> "engine:selector"
  | 'lastAs';          // sFlow extended gateway AS path -> its last AS (the destination's)

/** One source: an element name (a dotted path into an sFlow record object), maybe converted. */
export interface Source {
  readonly path: string;
  readonly via?: Conversion;
  /** Only for these protocols (default: any). */
  readonly protocols?: readonly string[];
}

export interface Equivalence {
  readonly field: keyof NormalizedFlow & string;
  /** Tried in order; the first the record has wins. */
  readonly from: readonly (string | Source)[];
  /** Where this comes from: RFC, vendor documentation, corpus file. */
  readonly source: string;
  /** Collect every present source into an array instead of taking the first (MPLS label stack). */
  readonly all?: boolean;
}

const SFLOW = ['sflow-v5'];
const NETFLOW = ['netflow-v1', 'netflow-v5', 'netflow-v7', 'netflow-v9', 'ipfix'];

export const EQUIVALENCES: readonly Equivalence[] = [
  {
    field: 'timeStart',
    from: ['flowStartMilliseconds', 'flowStartSeconds', 'flowStartMicroseconds', 'flowStartNanoseconds', { path: 'exportTime', protocols: SFLOW }],
    source: 'RFC 7011 / IANA 150-156 (seconds, ms, µs, ns are all epoch ms after decoding); sysUpTime (21/22) and delta (158/159) times are converted to flowStart/EndMilliseconds by the decoder; sFlow has no flow times: the receive time',
  },
  {
    field: 'timeEnd',
    from: ['flowEndMilliseconds', 'flowEndSeconds', 'flowEndMicroseconds', 'flowEndNanoseconds', 'observationTimeMilliseconds', 'observationTimeSeconds', 'observationTimeMicroseconds', 'observationTimeNanoseconds', { path: 'exportTime', protocols: SFLOW }],
    source: 'IANA 151-157; Cisco ASA NSEL event time NF_F_EVENT_TIME_MSEC (323, observationTimeMilliseconds) when no end time is sent (corpus netflow9_test_cisco_asa_*)',
  },
  { field: 'srcAddr', from: ['sourceIPv4Address', 'sourceIPv6Address'], source: 'IANA 8, 27; sFlow sampled header (dissected into the same names)' },
  { field: 'dstAddr', from: ['destinationIPv4Address', 'destinationIPv6Address'], source: 'IANA 12, 28; sFlow sampled header' },
  {
    field: 'nextHop',
    from: ['ipNextHopIPv4Address', 'ipNextHopIPv6Address', 'bgpNextHopIPv4Address', 'bgpNextHopIPv6Address', 'extendedRouter.nextHop', 'extendedGateway.nextHop'],
    source: 'IANA 15, 62, 18, 63 (IOS XR sends only the BGP next hop: corpus netflow9_test_cisco_asr9k); sFlow extended router/gateway data (sFlow v5 §5.2)',
  },
  { field: 'srcPort', from: ['sourceTransportPort', 'udpSourcePort', 'tcpSourcePort'], source: 'IANA 7, 180, 182' },
  { field: 'dstPort', from: ['destinationTransportPort', 'udpDestinationPort', 'tcpDestinationPort'], source: 'IANA 11, 181, 183' },
  { field: 'proto', from: ['protocolIdentifier'], source: 'IANA 4; sFlow sampled header' },
  {
    field: 'etype',
    from: ['ethernetType', { path: 'ipVersion', via: 'ipVersionEtype' }, { path: 'sourceIPv4Address', via: 'addressEtype' }, { path: 'sourceIPv6Address', via: 'addressEtype' }],
    source: 'IANA 256; else from ipVersion (60) or the address family, which determine it (as goflow2 does)',
  },
  { field: 'tcpFlags', from: ['tcpControlBits'], source: 'IANA 6' },
  { field: 'tos', from: ['ipClassOfService'], source: 'IANA 5 (v5 tos byte; IPv6 traffic class)' },
  {
    field: 'icmpType',
    from: ['icmpTypeIPv4', 'icmpTypeIPv6', { path: 'icmpTypeCodeIPv4', via: 'high8' }, { path: 'icmpTypeCodeIPv6', via: 'high8' }],
    source: 'IANA 176, 178, 32, 139; records without ICMP elements: type/code from the destination port for ICMP (see compile.ts)',
  },
  {
    field: 'icmpCode',
    from: ['icmpCodeIPv4', 'icmpCodeIPv6', { path: 'icmpTypeCodeIPv4', via: 'low8' }, { path: 'icmpTypeCodeIPv6', via: 'low8' }],
    source: 'IANA 177, 179, 32, 139',
  },
  { field: 'srcAs', from: ['bgpSourceAsNumber', 'extendedGateway.sourceAs'], source: 'IANA 16; sFlow extended gateway source AS' },
  { field: 'dstAs', from: ['bgpDestinationAsNumber', { path: 'extendedGateway.asPath', via: 'lastAs' }], source: 'IANA 17; sFlow extended gateway: the last AS of the AS path' },
  { field: 'srcMask', from: ['sourceIPv4PrefixLength', 'sourceIPv6PrefixLength', 'extendedRouter.sourceMask'], source: 'IANA 9, 29; sFlow extended router' },
  { field: 'dstMask', from: ['destinationIPv4PrefixLength', 'destinationIPv6PrefixLength', 'extendedRouter.destinationMask'], source: 'IANA 13, 30; sFlow extended router' },
  { field: 'srcVlan', from: ['vlanId', 'dot1qVlanId', 'extendedSwitch.sourceVlan'], source: 'IANA 58, 243; sFlow 802.1Q header tag, extended switch' },
  { field: 'dstVlan', from: ['postVlanId', 'postDot1qVlanId', 'extendedSwitch.destinationVlan'], source: 'IANA 59, 254; sFlow extended switch' },
  { field: 'srcMac', from: ['sourceMacAddress', 'postSourceMacAddress'], source: 'IANA 56, 81; sFlow Ethernet header' },
  { field: 'dstMac', from: ['destinationMacAddress', 'postDestinationMacAddress'], source: 'IANA 80, 57; sFlow Ethernet header' },
  {
    field: 'mplsLabels',
    all: true,
    from: [
      'mplsLabels',
      ...['mplsTopLabelStackSection', 'mplsLabelStackSection2', 'mplsLabelStackSection3', 'mplsLabelStackSection4', 'mplsLabelStackSection5',
        'mplsLabelStackSection6', 'mplsLabelStackSection7', 'mplsLabelStackSection8', 'mplsLabelStackSection9', 'mplsLabelStackSection10'].map((path) => ({ path, via: 'mplsLabel' as const })),
    ],
    source: 'IANA 70-79 (RFC 3032 entries: label = entry >> 4; corpus netflow9_test_ubnt_edgerouter); sFlow MPLS header (already label values)',
  },
  { field: 'direction', from: ['flowDirection'], source: 'IANA 61' },
  { field: 'forwardingStatus', from: ['forwardingStatus'], source: 'IANA 89' },
  {
    field: 'inIf',
    from: ['ingressInterface', 'ingressPhysicalInterface'],
    source: 'IANA 10; Nokia sends the physical interfaces 252/253 without 10/14 (Nokia 7750 SR cflowd guide); sFlow flow sample input',
  },
  { field: 'outIf', from: ['egressInterface', 'egressPhysicalInterface'], source: 'IANA 14; Nokia 253; sFlow flow sample output' },
  { field: 'inVrf', from: ['ingressVRFID'], source: 'IANA 234 (Cisco IOS XR: corpus goflow2/nfv9_template_260)' },
  { field: 'outVrf', from: ['egressVRFID'], source: 'IANA 235' },
  {
    field: 'natSrcAddr',
    from: ['postNATSourceIPv4Address', 'postNATSourceIPv6Address', 'xlateSrcAddrIpv4'],
    source: 'IANA 225, 281 (RFC 8158); Cisco ASA NSEL NF_F_XLATE_SRC_ADDR_IPV4 (v9 40001, Cisco ASA NetFlow implementation guide; corpus netflow9_test_cisco_asa_1)',
  },
  { field: 'natDstAddr', from: ['postNATDestinationIPv4Address', 'postNATDestinationIPv6Address', 'xlateDstAddrIpv4'], source: 'IANA 226, 282; ASA NF_F_XLATE_DST_ADDR_IPV4 (40002)' },
  { field: 'natSrcPort', from: ['postNAPTSourceTransportPort', 'xlateSrcPort'], source: 'IANA 227; ASA NF_F_XLATE_SRC_PORT (40003)' },
  { field: 'natDstPort', from: ['postNAPTDestinationTransportPort', 'xlateDstPort'], source: 'IANA 228; ASA NF_F_XLATE_DST_PORT (40004)' },
  {
    field: 'application',
    from: [{ path: 'applicationId', via: 'application' }, 'appId'],
    source: 'IANA 95 / RFC 6759 (classification engine id : selector id; corpus netflow9_test_cisco_nbar); Palo Alto PAN-OS APPID (v9 56701, a name; corpus netflow9_test_paloalto_panos)',
  },
  {
    field: 'sampledBytes',
    from: ['octetDeltaCount', 'octetTotalCount', 'initiatorOctets', 'postOctetDeltaCount', 'frameLength'],
    source: 'IANA 1; Juniper SRX and ASA 8.x send total counters (85; corpus netflow9_test_cisco_asa_1); ASA 9.x NSEL initiator octets (231, the forward direction; corpus netflow9_test_cisco_asa_2); sFlow: the sampled frame length as sent (stripped bytes not subtracted)',
  },
  {
    field: 'sampledPackets',
    from: ['packetDeltaCount', 'packetTotalCount', 'initiatorPackets', 'postPacketDeltaCount'],
    source: 'IANA 2; 86 (Juniper SRX); ASA NSEL initiator packets (298); sFlow: each flow sample is 1 sampled packet',
  },
  {
    field: 'reverseBytes',
    from: ['reverseOctetDeltaCount', 'reverseOctetTotalCount', 'responderOctets'],
    source: 'RFC 5103 reverse elements (PEN 29305); ASA NSEL responder octets (232)',
  },
  { field: 'reversePackets', from: ['reversePacketDeltaCount', 'reversePacketTotalCount', 'responderPackets'], source: 'RFC 5103; ASA NSEL responder packets (299)' },
];

/** Element names the sampling rate may come from in a data record itself (see sampling.ts). */
export const RECORD_SAMPLING_ELEMENTS = ['samplingInterval', 'samplerRandomInterval', 'samplingPacketInterval', 'samplingProbability', 'samplingPopulation'] as const;

/** The protocols each kind of source applies to, for documentation. */
export const PROTOCOL_FAMILIES = { netflow: NETFLOW, sflow: SFLOW } as const;
