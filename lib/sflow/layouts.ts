// Flat sFlow structures described as field lists, read by one small interpreter. Names follow
// the sFlow specifications (sflow_version_5.txt, sflow_host.txt, sflow_drops.txt, …), camelCased.
import type { XdrReader } from './reader.js';

export type FieldKind = 'u32' | 'i32' | 'u64' | 'f32' | 'str' | 'mac' | 'addr' | 'ip4' | 'ip6' | 'hex16';
export type Layout = readonly (readonly [name: string, kind: FieldKind])[];

const u32s = (...names: string[]): Layout => names.map((n) => [n, 'u32'] as const);

/** Bytes of each fixed-size kind; `str` and `addr` vary. */
const SIZE: Partial<Record<FieldKind, number>> = { u32: 4, i32: 4, u64: 8, f32: 4, mac: 8, ip4: 4, ip6: 16, hex16: 16 };
const READ: Record<FieldKind, string> = { u32: 'u32', i32: 'i32', u64: 'u64', f32: 'float', str: 'string', mac: 'macPadded', addr: 'address', ip4: 'ipv4', ip6: 'ipv6', hex16: 'hex' };

type CompiledLayout = (r: XdrReader) => Record<string, unknown> | null;
const compiledLayouts = new WeakMap<Layout, CompiledLayout | false>();

/**
 * A layout of fixed-size fields as one function building the record as an object literal (one
 * shape, no per-field switch), as NetFlow templates are compiled; null when the record is shorter
 * than the layout (the interpreter then keeps the fields it holds). False for variable layouts.
 */
function compiledLayout(layout: Layout): CompiledLayout | false {
  let f = compiledLayouts.get(layout);
  if (f === undefined) {
    const size = layout.reduce((n, [, kind]) => n + (SIZE[kind] ?? NaN), 0);
    f = Number.isNaN(size) || layout.length === 0 ? false
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-layout code generation is the design
      : new Function('r', `'use strict'; if (r.end - r.p < ${size}) return null; return { ${layout.map(([name, kind]) => `${JSON.stringify(name)}: r.${READ[kind]}(${kind === 'hex16' ? '16' : ''})`).join(', ')} };`) as CompiledLayout;
    compiledLayouts.set(layout, f);
  }
  return f;
}

export function readLayout(r: XdrReader, layout: Layout): Record<string, unknown> {
  const compiled = compiledLayout(layout);
  if (compiled !== false) {
    const whole = compiled(r);
    if (whole !== null) return whole;
  }
  const o: Record<string, unknown> = {};
  for (const [name, kind] of layout) {
    const v = readField(r, kind);
    if (r.overrun) break; // fields past the end of the record were never sent: absent, not zero
    o[name] = v;
  }
  return o;
}

function readField(r: XdrReader, kind: FieldKind): unknown {
  switch (kind) {
    case 'u32': return r.u32();
    case 'i32': return r.i32();
    case 'u64': return r.u64();
    case 'f32': return r.float();
    case 'str': return r.string();
    case 'mac': return r.macPadded();
    case 'addr': return r.address();
    case 'ip4': return r.ipv4();
    case 'ip6': return r.ipv6();
    case 'hex16': return r.hex(16);
  }
}

/** Flat flow records: (format) -> [output name, layout]. */
export const FLOW_LAYOUTS: ReadonlyMap<number, readonly [string, Layout]> = new Map([
  [1001, ['extendedSwitch', u32s('sourceVlan', 'sourcePriority', 'destinationVlan', 'destinationPriority')]],
  [1002, ['extendedRouter', [['nextHop', 'addr'], ['sourceMask', 'u32'], ['destinationMask', 'u32']]]],
  [1004, ['extendedUser', [['sourceCharset', 'u32'], ['sourceUser', 'str'], ['destinationCharset', 'u32'], ['destinationUser', 'str']]]],
  [1005, ['extendedUrl', [['direction', 'u32'], ['url', 'str'], ['host', 'str']]]],
  [1007, ['extendedNat', [['sourceAddress', 'addr'], ['destinationAddress', 'addr']]]],
  [1008, ['extendedMplsTunnel', [['name', 'str'], ['id', 'u32'], ['cos', 'u32']]]],
  [1009, ['extendedMplsVc', [['name', 'str'], ['id', 'u32'], ['cos', 'u32']]]],
  [1010, ['extendedMplsFtn', [['description', 'str'], ['mask', 'u32']]]],
  [1011, ['extendedMplsLdpFec', u32s('addressPrefixLength')]],
  [1014, ['extended80211Rx', [['ssid', 'str'], ['bssid', 'mac'], ['version', 'u32'], ['channel', 'u32'], ['speed', 'u64'], ['rsni', 'u32'], ['rcpi', 'u32'], ['packetDuration', 'u32']]]],
  [1015, ['extended80211Tx', [['ssid', 'str'], ['bssid', 'mac'], ['version', 'u32'], ['transmissions', 'u32'], ['packetDuration', 'u32'], ['retransmissionDuration', 'u32'], ['channel', 'u32'], ['speed', 'u64'], ['power', 'u32']]]],
  [1020, ['extendedNatPort', u32s('sourcePort', 'destinationPort')]],
  [1027, ['extendedDecapsulateEgress', u32s('innerHeaderOffset')]],
  [1028, ['extendedDecapsulateIngress', u32s('innerHeaderOffset')]],
  [1029, ['extendedVniEgress', u32s('vni')]],
  [1030, ['extendedVniIngress', u32s('vni')]],
  [1036, ['egressQueue', u32s('queue')]],
  [1037, ['extendedAcl', [['number', 'u32'], ['name', 'str'], ['direction', 'u32']]]],
  [1038, ['extendedFunction', [['symbol', 'str']]]],
  [1039, ['transitDelay', u32s('delayNanoseconds')]],
  [1040, ['queueDepth', u32s('depthBytes')]],
  [2100, ['extendedSocketIPv4', [['protocol', 'u32'], ['localAddress', 'ip4'], ['remoteAddress', 'ip4'], ['localPort', 'u32'], ['remotePort', 'u32']]]],
  [2101, ['extendedSocketIPv6', [['protocol', 'u32'], ['localAddress', 'ip6'], ['remoteAddress', 'ip6'], ['localPort', 'u32'], ['remotePort', 'u32']]]],
  [2102, ['extendedProxySocketIPv4', [['protocol', 'u32'], ['localAddress', 'ip4'], ['remoteAddress', 'ip4'], ['localPort', 'u32'], ['remotePort', 'u32']]]],
  [2103, ['extendedProxySocketIPv6', [['protocol', 'u32'], ['localAddress', 'ip6'], ['remoteAddress', 'ip6'], ['localPort', 'u32'], ['remotePort', 'u32']]]],
  [2201, ['httpRequest', [['method', 'u32'], ['protocol', 'u32'], ['uri', 'str'], ['host', 'str'], ['referer', 'str'], ['userAgent', 'str'], ['xff', 'str'], ['authUser', 'str'], ['mimeType', 'str'], ['requestBytes', 'u64'], ['responseBytes', 'u64'], ['durationMicroseconds', 'u32'], ['status', 'i32']]]],
  [2202, ['applicationOperation', [['application', 'str'], ['operation', 'str'], ['attributes', 'str'], ['statusDescription', 'str'], ['requestBytes', 'u64'], ['responseBytes', 'u64'], ['durationMicroseconds', 'u32'], ['status', 'u32']]]],
  [2203, ['applicationParentContext', [['application', 'str'], ['operation', 'str'], ['attributes', 'str']]]],
]);

/** Flat counter records: (format) -> [output name, layout]. */
export const COUNTER_LAYOUTS: ReadonlyMap<number, readonly [string, Layout]> = new Map([
  [1, ['genericInterface', [
    ['ifIndex', 'u32'], ['ifType', 'u32'], ['ifSpeed', 'u64'], ['ifDirection', 'u32'], ['ifStatus', 'u32'],
    ['ifInOctets', 'u64'], ...u32s('ifInUcastPkts', 'ifInMulticastPkts', 'ifInBroadcastPkts', 'ifInDiscards', 'ifInErrors', 'ifInUnknownProtos'),
    ['ifOutOctets', 'u64'], ...u32s('ifOutUcastPkts', 'ifOutMulticastPkts', 'ifOutBroadcastPkts', 'ifOutDiscards', 'ifOutErrors', 'ifPromiscuousMode'),
  ]]],
  [2, ['ethernet', u32s('dot3StatsAlignmentErrors', 'dot3StatsFCSErrors', 'dot3StatsSingleCollisionFrames', 'dot3StatsMultipleCollisionFrames',
    'dot3StatsSQETestErrors', 'dot3StatsDeferredTransmissions', 'dot3StatsLateCollisions', 'dot3StatsExcessiveCollisions',
    'dot3StatsInternalMacTransmitErrors', 'dot3StatsCarrierSenseErrors', 'dot3StatsFrameTooLongs', 'dot3StatsInternalMacReceiveErrors', 'dot3StatsSymbolErrors')]],
  [3, ['tokenRing', u32s('dot5StatsLineErrors', 'dot5StatsBurstErrors', 'dot5StatsACErrors', 'dot5StatsAbortTransErrors', 'dot5StatsInternalErrors',
    'dot5StatsLostFrameErrors', 'dot5StatsReceiveCongestions', 'dot5StatsFrameCopiedErrors', 'dot5StatsTokenErrors', 'dot5StatsSoftErrors',
    'dot5StatsHardErrors', 'dot5StatsSignalLoss', 'dot5StatsTransmitBeacons', 'dot5StatsRecoverys', 'dot5StatsLobeWires', 'dot5StatsRemoves',
    'dot5StatsSingles', 'dot5StatsFreqErrors')]],
  [4, ['vg100', [
    ['dot12InHighPriorityFrames', 'u32'], ['dot12InHighPriorityOctets', 'u64'], ['dot12InNormPriorityFrames', 'u32'], ['dot12InNormPriorityOctets', 'u64'],
    ...u32s('dot12InIPMErrors', 'dot12InOversizeFrameErrors', 'dot12InDataErrors', 'dot12InNullAddressedFrames', 'dot12OutHighPriorityFrames'),
    ['dot12OutHighPriorityOctets', 'u64'], ['dot12TransitionIntoTrainings', 'u32'], ['dot12HCInHighPriorityOctets', 'u64'],
    ['dot12HCInNormPriorityOctets', 'u64'], ['dot12HCOutHighPriorityOctets', 'u64'],
  ]]],
  [5, ['vlan', [['vlanId', 'u32'], ['octets', 'u64'], ...u32s('ucastPkts', 'multicastPkts', 'broadcastPkts', 'discards')]]],
  [7, ['lacp', [['actorSystemId', 'mac'], ['partnerSystemId', 'mac'], ['attachedAggId', 'u32'], ['portState', 'u32'],
    ...u32s('lacpdusRx', 'markerPdusRx', 'markerResponsePdusRx', 'unknownRx', 'illegalRx', 'lacpdusTx', 'markerPdusTx', 'markerResponsePdusTx')]]],
  [1001, ['processor', [...u32s('cpu5s', 'cpu1m', 'cpu5m'), ['totalMemory', 'u64'], ['freeMemory', 'u64']]]],
  [1002, ['radioUtilization', u32s('elapsedTime', 'onChannelTime', 'onChannelBusyTime')]],
  [1004, ['openflowPort', [['datapathId', 'u64'], ['portNumber', 'u32']]]],
  [1005, ['portName', [['name', 'str']]]],
  [2000, ['hostDescription', [['hostname', 'str'], ['uuid', 'hex16'], ['machineType', 'u32'], ['osName', 'u32'], ['osRelease', 'str']]]],
  [2002, ['hostParent', u32s('containerType', 'containerIndex')]],
  [2003, ['hostCpu', [['loadOne', 'f32'], ['loadFive', 'f32'], ['loadFifteen', 'f32'], ...u32s('procRun', 'procTotal', 'cpuNum', 'cpuSpeed', 'uptime',
    'cpuUser', 'cpuNice', 'cpuSystem', 'cpuIdle', 'cpuWio', 'cpuIntr', 'cpuSintr', 'interrupts', 'contexts')]]],
  [2004, ['hostMemory', [['memTotal', 'u64'], ['memFree', 'u64'], ['memShared', 'u64'], ['memBuffers', 'u64'], ['memCached', 'u64'],
    ['swapTotal', 'u64'], ['swapFree', 'u64'], ...u32s('pageIn', 'pageOut', 'swapIn', 'swapOut')]]],
  [2005, ['hostDiskIo', [['diskTotal', 'u64'], ['diskFree', 'u64'], ['partMaxUsed', 'u32'], ['reads', 'u32'], ['bytesRead', 'u64'], ['readTime', 'u32'],
    ['writes', 'u32'], ['bytesWritten', 'u64'], ['writeTime', 'u32']]]],
  [2006, ['hostNetIo', [['bytesIn', 'u64'], ...u32s('packetsIn', 'errorsIn', 'dropsIn'), ['bytesOut', 'u64'], ...u32s('packetsOut', 'errorsOut', 'dropsOut')]]],
  [2007, ['mib2Ip', u32s('ipForwarding', 'ipDefaultTTL', 'ipInReceives', 'ipInHdrErrors', 'ipInAddrErrors', 'ipForwDatagrams', 'ipInUnknownProtos',
    'ipInDiscards', 'ipInDelivers', 'ipOutRequests', 'ipOutDiscards', 'ipOutNoRoutes', 'ipReasmTimeout', 'ipReasmReqds', 'ipReasmOKs',
    'ipReasmFails', 'ipFragOKs', 'ipFragFails', 'ipFragCreates')]],
  [2008, ['mib2Icmp', u32s('icmpInMsgs', 'icmpInErrors', 'icmpInDestUnreachs', 'icmpInTimeExcds', 'icmpInParamProbs', 'icmpInSrcQuenchs',
    'icmpInRedirects', 'icmpInEchos', 'icmpInEchoReps', 'icmpInTimestamps', 'icmpInAddrMasks', 'icmpInAddrMaskReps', 'icmpOutMsgs',
    'icmpOutErrors', 'icmpOutDestUnreachs', 'icmpOutTimeExcds', 'icmpOutParamProbs', 'icmpOutSrcQuenchs', 'icmpOutRedirects', 'icmpOutEchos',
    'icmpOutEchoReps', 'icmpOutTimestamps', 'icmpOutTimestampReps', 'icmpOutAddrMasks', 'icmpOutAddrMaskReps')]],
  [2009, ['mib2Tcp', [...u32s('tcpRtoAlgorithm', 'tcpRtoMin', 'tcpRtoMax'), ['tcpMaxConn', 'i32'], ...u32s('tcpActiveOpens', 'tcpPassiveOpens',
    'tcpAttemptFails', 'tcpEstabResets', 'tcpCurrEstab', 'tcpInSegs', 'tcpOutSegs', 'tcpRetransSegs', 'tcpInErrs', 'tcpOutRsts', 'tcpInCsumErrors')]]],
  [2010, ['mib2Udp', u32s('udpInDatagrams', 'udpNoPorts', 'udpInErrors', 'udpOutDatagrams', 'udpRcvbufErrors', 'udpSndbufErrors', 'udpInCsumErrors')]],
  [2203, ['applicationResources', [...u32s('userTime', 'systemTime'), ['memoryUsed', 'u64'], ['memoryMax', 'u64'], ...u32s('fdOpen', 'fdMax', 'connectionsOpen', 'connectionsMax')]]],
  [2207, ['ovsDatapath', u32s('hits', 'misses', 'lost', 'maskHits', 'flows', 'masks')]],
]);
