import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder, decodePacket, type FlowRecord } from '../../../lib/index.js';
import {
  addr4, addr6, cat, counterSample, datagram, discardSample, eth, expandedCounterSample, expandedFlowSample, flowSample, ip4, ip6, ipv4, ipv6,
  macPadded, record, sampledHeader, tcp, u16, u32, u64, u8, udp, xdrString,
} from '../../helpers/sflow-build.js';

const EXPORTER = { address: '192.0.2.10', port: 6343 };
const decode = (b: Buffer): { records: FlowRecord[]; errors: { kind: string; reason: string }[] } => new FlowDecoder().decode(b, EXPORTER, 1_700_000_000_000);
const one = (records: Buffer[]): FlowRecord => {
  const { records: out, errors } = decode(datagram([flowSample({}, records)]));
  assert.deepEqual(errors, []);
  return out[0]!;
};

test('sflow: datagram header, IPv4 and IPv6 agents, one record per sample with the shared meta', () => {
  for (const agent of ['198.51.100.1', '2001:db8::1']) {
    const { records, errors } = decode(datagram([flowSample({ rate: 512, pool: 9000, drops: 3, input: 7, output: 9 }, [])], { agent, sub: 4, seq: 77, uptime: 123456 }));
    assert.deepEqual(errors, []);
    const r = records[0]!;
    assert.equal(r.protocol, 'sflow-v5');
    assert.equal(r.kind, 'flow');
    assert.equal(r['agent'], agent);
    assert.equal(r.domain, 4);
    assert.equal(r.sequence, 77);
    assert.equal(r['agentUptime'], 123456);
    assert.equal(r.exportTime, 1_700_000_000_000, 'sFlow has no wall clock: the receive time');
    assert.equal(r['samplingRate'], 512);
    assert.equal(r['samplePool'], 9000);
    assert.equal(r['drops'], 3);
    assert.equal(r['ingressInterface'], 7);
    assert.equal(r['egressInterface'], 9);
  }
});

test('sflow: compact interface formats and source ids; expanded samples give the same names', () => {
  const r = one([]);
  assert.equal(r['sourceIdType'], 0);
  assert.equal(r['sourceIdIndex'], 3);
  const compact = decode(datagram([flowSample({ sourceId: (2 << 24) | 1000, input: 0x3fffffff, output: 0x80000003 }, [])])).records[0]!;
  assert.equal(compact['sourceIdType'], 2);
  assert.equal(compact['sourceIdIndex'], 1000);
  assert.equal(compact['ingressInterface'], 0x3fffffff, 'internal / unknown interface');
  assert.equal(compact['egressInterface'], 3);
  assert.equal(compact['egressInterfaceFormat'], 2, 'multiple destination interfaces: the value is a count');
  const x = decode(datagram([expandedFlowSample({ sourceType: 1, sourceId: 70000, input: 5, outFormat: 1, output: 258 }, [])])).records[0]!;
  assert.equal(x['sampleType'], 'expanded-flow');
  assert.equal(x['sourceIdType'], 1);
  assert.equal(x['sourceIdIndex'], 70000);
  assert.equal(x['egressInterfaceFormat'], 1);
  assert.equal(x['egressInterface'], 258);
});

test('sflow: sampled header: Ethernet, 802.1Q, IPv4, TCP flags', () => {
  const pkt = eth(0x0800, ipv4(6, '10.0.0.1', '10.0.0.2', tcp(40000, 443, 0x12), { tos: 0xb8, ttl: 61 }), [{ vid: 100, pcp: 5 }]);
  const r = one([sampledHeader(pkt, 1, 1518)]);
  assert.equal(r['frameLength'], 1518);
  assert.equal(r['stripped'], 4);
  assert.equal(r['headerLength'], pkt.length);
  assert.equal(r['sampledHeader'], pkt.toString('hex'));
  assert.equal(r['destinationMacAddress'], '00:00:5e:00:53:01');
  assert.equal(r['sourceMacAddress'], '00:00:5e:00:53:02');
  assert.equal(r['vlanId'], 100);
  assert.equal(r['dot1qPriority'], 5);
  assert.equal(r['ethernetType'], 0x0800);
  assert.equal(r['sourceIPv4Address'], '10.0.0.1');
  assert.equal(r['destinationIPv4Address'], '10.0.0.2');
  assert.equal(r['ipClassOfService'], 0xb8);
  assert.equal(r['ipTTL'], 61);
  assert.equal(r['protocolIdentifier'], 6);
  assert.equal(r['sourceTransportPort'], 40000);
  assert.equal(r['destinationTransportPort'], 443);
  assert.equal(r['tcpControlBits'], 0x12);
  assert.equal(r['headerTruncated'], undefined);
});

test('sflow: QinQ outer and customer tags, MPLS label stack, IPv4 options and fragments', () => {
  const q = one([sampledHeader(eth(0x0800, ipv4(17, '10.1.1.1', '10.2.2.2', udp(53, 5353)), [{ vid: 200 }, { vid: 30, pcp: 3 }]))]);
  assert.equal(q['vlanId'], 200);
  assert.equal(q['dot1qCustomerVlanId'], 30);
  assert.equal(q['dot1qCustomerPriority'], 3);
  assert.equal(q['destinationTransportPort'], 5353);

  const labels = cat(u32((16001 << 12) | (5 << 9) | 64), u32((24 << 12) | 0x100 | 64));
  const m = one([sampledHeader(eth(0x8847, cat(labels, ipv4(1, '10.3.3.3', '10.4.4.4', cat(u8(8), u8(0), u16(0))))))]);
  assert.deepEqual(m['mplsLabels'], [16001, 24]);
  assert.equal(m['mplsTopLabelExp'], 5);
  assert.equal(m['icmpTypeCodeIPv4'], 0x0800);

  const opt = one([sampledHeader(eth(0x0800, ipv4(6, '10.5.5.5', '10.6.6.6', tcp(1, 2, 0x02), { options: Buffer.alloc(8, 1) })))]);
  assert.equal(opt['ipv4OptionsLength'], 8);
  assert.equal(opt['sourceTransportPort'], 1);
  const frag = one([sampledHeader(eth(0x0800, ipv4(17, '10.7.7.7', '10.8.8.8', Buffer.alloc(16, 0xee), { frag: 185, id: 4242 })))]);
  assert.equal(frag['fragmentOffset'], 185);
  assert.equal(frag['fragmentIdentification'], 4242);
  assert.equal(frag['sourceTransportPort'], undefined, 'later fragments carry no transport header');
});

test('sflow: IPv6 with extension headers, ICMPv6, fragments; raw IPv4 / IPv6 header protocols', () => {
  const hopByHop = cat(u8(43), u8(0), Buffer.alloc(6));
  const routing = cat(u8(17), u8(0), Buffer.alloc(6));
  const v6 = one([sampledHeader(eth(0x86dd, ipv6(0, '2001:db8::1', '2001:db8::2', cat(hopByHop, routing, udp(546, 547)), { tc: 0x28, flow: 0xabcde })))]);
  assert.equal(v6['sourceIPv6Address'], '2001:db8::1');
  assert.equal(v6['ipClassOfService'], 0x28);
  assert.equal(v6['flowLabelIPv6'], 0xabcde);
  assert.equal(v6['protocolIdentifier'], 17);
  assert.equal(v6['destinationTransportPort'], 547);
  const icmp6 = one([sampledHeader(ipv6(58, 'fe80::1', 'ff02::1', cat(u8(135), u8(0), u16(0))), 12)]);
  assert.equal(icmp6['icmpTypeCodeIPv6'], 135 << 8);
  assert.equal(icmp6['sourceMacAddress'], undefined, 'header protocol 12: the sample starts at IPv6');
  const fragHdr = cat(u8(6), u8(0), u16(8 << 3), u32(99));
  const f6 = one([sampledHeader(ipv6(44, '2001:db8::3', '2001:db8::4', cat(fragHdr, Buffer.alloc(8))), 12)]);
  assert.equal(f6['fragmentOffset'], 8);
  assert.equal(f6['fragmentIdentification'], 99);
  assert.equal(f6['protocolIdentifier'], 6);
  const raw4 = one([sampledHeader(ipv4(6, '192.0.2.1', '192.0.2.2', tcp(22, 5000, 0x10)), 11)]);
  assert.equal(raw4['sourceTransportPort'], 22);
});

test('sflow: GRE and VXLAN tunnels give the inner packet', () => {
  const inner = ipv4(6, '172.16.0.1', '172.16.0.2', tcp(8080, 80, 0x18));
  const greHdr = cat(u16(0x2000), u16(0x0800), u32(777));
  const g = one([sampledHeader(eth(0x0800, ipv4(47, '203.0.113.1', '203.0.113.2', cat(greHdr, inner))))]);
  assert.equal(g['tunnel'], 'gre');
  assert.equal(g['greKey'], 777);
  assert.equal(g['sourceIPv4Address'], '203.0.113.1');
  const gi = g['inner'] as unknown as Record<string, unknown>;
  assert.equal(gi['sourceIPv4Address'], '172.16.0.1');
  assert.equal(gi['destinationTransportPort'], 80);

  const vx = cat(u8(0x08), Buffer.alloc(3), u8(0x12), u16(0x3456), u8(0)); // flags, reserved, VNI 0x123456, reserved
  const v = one([sampledHeader(eth(0x0800, ipv4(17, '198.51.100.1', '198.51.100.2', udp(50000, 4789, cat(vx, eth(0x0800, inner))))))]);
  assert.equal(v['tunnel'], 'vxlan');
  assert.equal(v['layer2SegmentId'], 0x123456);
  assert.equal((v['inner'] as unknown as Record<string, unknown>)['sourceTransportPort'], 8080);
});

test('sflow: a truncated sampled header decodes as far as it goes and says so', () => {
  const full = eth(0x0800, ipv4(6, '10.0.0.1', '10.0.0.2', tcp(1, 2, 0)));
  const r = one([sampledHeader(full.subarray(0, 14 + 20 + 2))]);
  assert.equal(r['destinationIPv4Address'], '10.0.0.2');
  assert.equal(r['sourceTransportPort'], undefined);
  assert.equal(r['headerTruncated'], true);
});

test('sflow: Ethernet, IPv4 and IPv6 summary records fill the same fields', () => {
  const e = one([record(2, cat(u32(1500), macPadded('aa:bb:cc:00:00:01'), macPadded('aa:bb:cc:00:00:02'), u32(0x86dd)))]);
  assert.deepEqual([e['frameLength'], e['sourceMacAddress'], e['destinationMacAddress'], e['ethernetType']], [1500, 'aa:bb:cc:00:00:01', 'aa:bb:cc:00:00:02', 0x86dd]);
  const v4 = one([record(3, cat(u32(60), u32(6), ip4('10.0.0.1'), ip4('10.0.0.2'), u32(1), u32(2), u32(0x02), u32(0x20)))]);
  assert.deepEqual([v4['sourceIPv4Address'], v4['destinationTransportPort'], v4['tcpControlBits'], v4['ipClassOfService']], ['10.0.0.1', 2, 2, 0x20]);
  const v6 = one([record(4, cat(u32(60), u32(17), ip6('2001:db8::a'), ip6('2001:db8::b'), u32(53), u32(53), u32(0), u32(0)))]);
  assert.deepEqual([v6['sourceIPv6Address'], v6['protocolIdentifier']], ['2001:db8::a', 17]);
});

// Extended flow records: [format, body, output object, expected fields]
const EXTENDED: [number, Buffer, string, Record<string, unknown>][] = [
  [1001, cat(u32(10), u32(1), u32(20), u32(2)), 'extendedSwitch', { sourceVlan: 10, sourcePriority: 1, destinationVlan: 20, destinationPriority: 2 }],
  [1002, cat(addr6('2001:db8::ff'), u32(48), u32(64)), 'extendedRouter', { nextHop: '2001:db8::ff', sourceMask: 48, destinationMask: 64 }],
  [1003, cat(addr4('192.0.2.254'), u32(65000), u32(64512), u32(64513), u32(1), u32(2), u32(2), u32(64513), u32(3356), u32(2), u32(100), u32(200), u32(150)), 'extendedGateway',
    { nextHop: '192.0.2.254', as: 65000, sourceAs: 64512, peerAs: 64513, asPath: [{ type: 'sequence', members: [64513, 3356] }], communities: [100, 200], localPref: 150 }],
  [1004, cat(u32(106), xdrString('alice'), u32(106), xdrString('bob')), 'extendedUser', { sourceCharset: 106, sourceUser: 'alice', destinationCharset: 106, destinationUser: 'bob' }],
  [1005, cat(u32(1), xdrString('/index.html'), xdrString('example.com')), 'extendedUrl', { direction: 1, url: '/index.html', host: 'example.com' }],
  [1006, cat(addr4('10.9.9.9'), u32(2), u32(100), u32(200), u32(1), u32(300)), 'extendedMpls', { nextHop: '10.9.9.9', inLabels: [100, 200], outLabels: [300] }],
  [1007, cat(addr4('10.0.0.1'), addr4('100.64.0.1')), 'extendedNat', { sourceAddress: '10.0.0.1', destinationAddress: '100.64.0.1' }],
  [1008, cat(xdrString('lsp-a'), u32(11), u32(3)), 'extendedMplsTunnel', { name: 'lsp-a', id: 11, cos: 3 }],
  [1009, cat(xdrString('vc-b'), u32(12), u32(4)), 'extendedMplsVc', { name: 'vc-b', id: 12, cos: 4 }],
  [1010, cat(xdrString('ftn'), u32(24)), 'extendedMplsFtn', { description: 'ftn', mask: 24 }],
  [1011, u32(32), 'extendedMplsLdpFec', { addressPrefixLength: 32 }],
  [1012, cat(u32(2), u32(0x8100000a), u32(0x88a80014)), 'extendedVlanTunnel', { stack: [0x8100000a, 0x88a80014] }],
  [1013, cat(u32(0x000fac04), u32(3), Buffer.from([1, 2, 3, 0])), 'extended80211Payload', { cipherSuite: 0x000fac04, data: '010203' }],
  [1014, cat(xdrString('corp'), macPadded('02:00:00:00:00:01'), u32(5), u32(36), u64(866_000_000), u32(40), u32(50), u32(120)), 'extended80211Rx',
    { ssid: 'corp', bssid: '02:00:00:00:00:01', version: 5, channel: 36, speed: 866_000_000, rsni: 40, rcpi: 50, packetDuration: 120 }],
  [1015, cat(xdrString('corp'), macPadded('02:00:00:00:00:01'), u32(5), u32(2), u32(100), u32(30), u32(36), u64(433_000_000), u32(20)), 'extended80211Tx',
    { ssid: 'corp', bssid: '02:00:00:00:00:01', version: 5, transmissions: 2, packetDuration: 100, retransmissionDuration: 30, channel: 36, speed: 433_000_000, power: 20 }],
  [1021, cat(u32(64), macPadded('02:00:00:00:00:0a'), macPadded('02:00:00:00:00:0b'), u32(0x0800)), 'extendedL2TunnelEgress',
    { frameLength: 64, sourceMacAddress: '02:00:00:00:00:0a', destinationMacAddress: '02:00:00:00:00:0b', ethernetType: 0x0800 }],
  [1022, cat(u32(64), macPadded('02:00:00:00:00:0a'), macPadded('02:00:00:00:00:0b'), u32(0x86dd)), 'extendedL2TunnelIngress',
    { frameLength: 64, sourceMacAddress: '02:00:00:00:00:0a', destinationMacAddress: '02:00:00:00:00:0b', ethernetType: 0x86dd }],
  [1023, cat(u32(100), u32(47), ip4('1.1.1.1'), ip4('2.2.2.2'), u32(0), u32(0), u32(0), u32(0)), 'extendedIPv4TunnelEgress',
    { ipTotalLength: 100, protocolIdentifier: 47, sourceIPv4Address: '1.1.1.1', destinationIPv4Address: '2.2.2.2', sourceTransportPort: 0, destinationTransportPort: 0, tcpControlBits: 0, ipClassOfService: 0 }],
  [1024, cat(u32(100), u32(17), ip4('3.3.3.3'), ip4('4.4.4.4'), u32(1), u32(4789), u32(0), u32(0)), 'extendedIPv4TunnelIngress',
    { ipTotalLength: 100, protocolIdentifier: 17, sourceIPv4Address: '3.3.3.3', destinationIPv4Address: '4.4.4.4', sourceTransportPort: 1, destinationTransportPort: 4789, tcpControlBits: 0, ipClassOfService: 0 }],
  [1025, cat(u32(80), u32(41), ip6('2001:db8::1'), ip6('2001:db8::2'), u32(0), u32(0), u32(0), u32(0)), 'extendedIPv6TunnelEgress',
    { payloadLengthIPv6: 80, protocolIdentifier: 41, sourceIPv6Address: '2001:db8::1', destinationIPv6Address: '2001:db8::2', sourceTransportPort: 0, destinationTransportPort: 0, tcpControlBits: 0, ipClassOfService: 0 }],
  [1026, cat(u32(80), u32(17), ip6('2001:db8::3'), ip6('2001:db8::4'), u32(9), u32(4789), u32(0), u32(0)), 'extendedIPv6TunnelIngress',
    { payloadLengthIPv6: 80, protocolIdentifier: 17, sourceIPv6Address: '2001:db8::3', destinationIPv6Address: '2001:db8::4', sourceTransportPort: 9, destinationTransportPort: 4789, tcpControlBits: 0, ipClassOfService: 0 }],
  [1027, u32(14), 'extendedDecapsulateEgress', { innerHeaderOffset: 14 }],
  [1028, u32(50), 'extendedDecapsulateIngress', { innerHeaderOffset: 50 }],
  [1036, u32(7), 'egressQueue', { queue: 7 }],
  [1039, u32(125000), 'transitDelay', { delayNanoseconds: 125000 }],
  [1040, u32(65536), 'queueDepth', { depthBytes: 65536 }],
  [2100, cat(u32(6), ip4('10.0.0.5'), ip4('10.0.0.6'), u32(443), u32(51000)), 'extendedSocketIPv4', { protocol: 6, localAddress: '10.0.0.5', remoteAddress: '10.0.0.6', localPort: 443, remotePort: 51000 }],
  [2101, cat(u32(17), ip6('2001:db8::5'), ip6('2001:db8::6'), u32(53), u32(40000)), 'extendedSocketIPv6', { protocol: 17, localAddress: '2001:db8::5', remoteAddress: '2001:db8::6', localPort: 53, remotePort: 40000 }],
  [2201, cat(u32(2), u32(1001), xdrString('/api'), xdrString('h.example'), xdrString(''), xdrString('curl/8'), xdrString(''), xdrString(''), xdrString('text/html'),
    u64(120), u64(4096), u32(1500), u32(200)), 'httpRequest',
    { method: 2, protocol: 1001, uri: '/api', host: 'h.example', referer: '', userAgent: 'curl/8', xff: '', authUser: '', mimeType: 'text/html', requestBytes: 120, responseBytes: 4096, durationMicroseconds: 1500, status: 200 }],
];

for (const [format, body, name, expected] of EXTENDED) {
  test(`sflow: flow record ${format} -> ${name}`, () => {
    const r = one([record(format, body)]);
    assert.deepEqual(r[name], expected);
  });
}

test('sflow: discarded packet samples (drops reason, egress queue / ACL / function records)', () => {
  const s = discardSample(9, 4, 12, 1, 2, 262, [record(1037, cat(u32(42), xdrString('deny-all'), u32(2))), record(1038, xdrString('fib_lookup'))]);
  const { records, errors } = decode(datagram([s]));
  assert.deepEqual(errors, []);
  const r = records[0]!;
  assert.equal(r.kind, 'drop');
  assert.equal(r['dropReason'], 262);
  assert.equal(r['drops'], 12);
  assert.deepEqual(r['extendedAcl'], { number: 42, name: 'deny-all', direction: 2 });
  assert.deepEqual(r['extendedFunction'], { symbol: 'fib_lookup' });
});

// Counter records: [format, body, output object, a few expected fields]
const COUNTERS: [number, Buffer, string, Record<string, unknown>][] = [
  [1, cat(u32(3), u32(6), u64(10_000_000_000), u32(1), u32(3), u64(2n ** 60n), u32(1), u32(2), u32(3), u32(4), u32(5), u32(6), u64(7), u32(8), u32(9), u32(10), u32(11), u32(12), u32(0)), 'genericInterface',
    { ifIndex: 3, ifType: 6, ifSpeed: 10_000_000_000, ifDirection: 1, ifStatus: 3, ifInOctets: 2n ** 60n, ifInUcastPkts: 1, ifInUnknownProtos: 6, ifOutOctets: 7, ifOutErrors: 12, ifPromiscuousMode: 0 }],
  [2, cat(...Array.from({ length: 13 }, (_, i) => u32(i + 1))), 'ethernet', { dot3StatsAlignmentErrors: 1, dot3StatsFCSErrors: 2, dot3StatsSymbolErrors: 13 }],
  [3, cat(...Array.from({ length: 18 }, (_, i) => u32(i + 1))), 'tokenRing', { dot5StatsLineErrors: 1, dot5StatsFreqErrors: 18 }],
  [4, cat(u32(1), u64(2), u32(3), u64(4), u32(5), u32(6), u32(7), u32(8), u32(9), u64(10), u32(11), u64(12), u64(13), u64(14)), 'vg100',
    { dot12InHighPriorityFrames: 1, dot12InHighPriorityOctets: 2, dot12OutHighPriorityOctets: 10, dot12HCOutHighPriorityOctets: 14 }],
  [5, cat(u32(100), u64(123456), u32(1), u32(2), u32(3), u32(4)), 'vlan', { vlanId: 100, octets: 123456, ucastPkts: 1, discards: 4 }],
  [1001, cat(u32(1250), u32(900), u32(800), u64(16e9), u64(4e9)), 'processor', { cpu5s: 1250, cpu1m: 900, cpu5m: 800, totalMemory: 16e9, freeMemory: 4e9 }],
  [1002, cat(u32(1000), u32(900), u32(300)), 'radioUtilization', { elapsedTime: 1000, onChannelTime: 900, onChannelBusyTime: 300 }],
  [2000, cat(xdrString('web1'), Buffer.alloc(16, 0xab), u32(3), u32(2), xdrString('6.1.0')), 'hostDescription',
    { hostname: 'web1', uuid: 'ab'.repeat(16), machineType: 3, osName: 2, osRelease: '6.1.0' }],
  [2002, cat(u32(2), u32(7)), 'hostParent', { containerType: 2, containerIndex: 7 }],
  [2003, cat(Buffer.from([0x3f, 0x80, 0, 0]), Buffer.from([0x40, 0, 0, 0]), Buffer.from([0x40, 0x40, 0, 0]), ...Array.from({ length: 14 }, (_, i) => u32(i))), 'hostCpu',
    { loadOne: 1, loadFive: 2, loadFifteen: 3, procRun: 0, cpuNum: 2, uptime: 4, contexts: 13 }],
  [2004, cat(u64(1e9), u64(2e8), u64(0), u64(1e7), u64(3e8), u64(2e9), u64(2e9), u32(1), u32(2), u32(3), u32(4)), 'hostMemory', { memTotal: 1e9, memFree: 2e8, swapFree: 2e9, swapOut: 4 }],
  [2005, cat(u64(5e11), u64(1e11), u32(7500), u32(10), u64(4096), u32(5), u32(20), u64(8192), u32(6)), 'hostDiskIo', { diskTotal: 5e11, partMaxUsed: 7500, bytesWritten: 8192, writeTime: 6 }],
  [2006, cat(u64(1000), u32(10), u32(0), u32(1), u64(2000), u32(20), u32(0), u32(2)), 'hostNetIo', { bytesIn: 1000, packetsIn: 10, dropsIn: 1, bytesOut: 2000, dropsOut: 2 }],
  [2007, cat(...Array.from({ length: 19 }, (_, i) => u32(i))), 'mib2Ip', { ipForwarding: 0, ipDefaultTTL: 1, ipFragCreates: 18 }],
  [2008, cat(...Array.from({ length: 25 }, (_, i) => u32(i))), 'mib2Icmp', { icmpInMsgs: 0, icmpOutAddrMaskReps: 24 }],
  [2009, cat(u32(1), u32(200), u32(120000), u32(0xffffffff), ...Array.from({ length: 11 }, (_, i) => u32(i))), 'mib2Tcp', { tcpRtoAlgorithm: 1, tcpMaxConn: -1, tcpActiveOpens: 0, tcpInCsumErrors: 10 }],
  [2010, cat(...Array.from({ length: 7 }, (_, i) => u32(i + 100))), 'mib2Udp', { udpInDatagrams: 100, udpInCsumErrors: 106 }],
];

for (const [format, body, name, expected] of COUNTERS) {
  test(`sflow: counter record ${format} -> ${name}`, () => {
    const { records, errors } = decode(datagram([counterSample(5, 3, [record(format, body)])]));
    assert.deepEqual(errors, []);
    const got = records[0]![name] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(got[k], v, `${name}.${k}`);
  });
}

test('sflow: host adapters, expanded counter samples, several counter records in one sample', () => {
  const adapters = record(2001, cat(u32(2), u32(1), u32(1), macPadded('02:00:00:00:00:01'), u32(2), u32(2), macPadded('02:00:00:00:00:02'), macPadded('02:00:00:00:00:03')));
  const { records } = decode(datagram([expandedCounterSample(8, 2, 5, [adapters, record(2002, cat(u32(2), u32(1)))])]));
  const r = records[0]!;
  assert.equal(r.kind, 'counters');
  assert.equal(r['sampleType'], 'expanded-counters');
  assert.equal(r['sourceIdType'], 2);
  assert.deepEqual(r['hostAdapters'], [{ ifIndex: 1, macs: ['02:00:00:00:00:01'] }, { ifIndex: 2, macs: ['02:00:00:00:00:02', '02:00:00:00:00:03'] }]);
  assert.deepEqual(r['hostParent'], { containerType: 2, containerIndex: 1 });
});

test('sflow: unknown enterprise records and sample types are kept with their bytes', () => {
  const r = one([record(7, Buffer.from([1, 2, 3, 4]), 4242)]);
  assert.deepEqual(r['unknownRecords'], [{ enterprise: 4242, format: 7, data: '01020304' }]);
  const { records } = decode(datagram([record(9, Buffer.from([9, 9, 9, 9]), 77)]));
  assert.equal(records[0]!['sampleType'], 'enterprise77:9');
  assert.equal(records[0]!['data'], '09090909');
});

test('sflow: malformed datagrams give typed errors and whatever their lengths allow', () => {
  assert.equal(decode(Buffer.from([0, 0, 0, 5, 0, 0, 0, 1])).errors[0]!.kind, 'truncated');
  const good = flowSample({}, [record(1001, cat(u32(1), u32(2), u32(3), u32(4)))]);
  const cut = datagram([good, good]).subarray(0, datagram([good]).length + 12);
  const r1 = decode(cut);
  assert.equal(r1.records.length, 2);
  assert.ok(r1.errors.some((e) => e.kind === 'truncated'));
  const short = decode(datagram([flowSample({}, [record(1001, u32(1))])]));
  assert.equal(short.errors[0]!.kind, 'record-overflow');
  assert.equal((short.records[0]!['extendedSwitch'] as unknown as Record<string, unknown>)['sourceVlan'], 1);
  const hugeString = decode(datagram([flowSample({}, [record(1005, cat(u32(1), u32(0xfffffff0), Buffer.alloc(8)))])]));
  assert.equal(hugeString.records.length, 1);
  assert.equal(hugeString.errors[0]!.kind, 'record-overflow');
  const many = decode(datagram([counterSample(1, 1, Array.from({ length: 300 }, () => record(2002, cat(u32(1), u32(1)))))]));
  assert.ok(many.errors.some((e) => e.kind === 'bad-length' && /only the first 256/.test(e.reason)));
});

test('sflow: sequence tracking per agent and sub-agent, and per data source for samples', () => {
  const dec = new FlowDecoder();
  for (const [seq, sampleSeq] of [[1, 10], [2, 11], [5, 15], [6, 16]] as const) dec.decode(datagram([flowSample({ seq: sampleSeq }, [])], { seq, sub: 1 }), EXPORTER, 0);
  const stats = dec.sequenceStats().filter((s) => s.protocol === 'sflow-v5');
  const datagrams = stats.find((s) => s.source === undefined)!;
  const samples = stats.find((s) => s.source !== undefined)!;
  assert.equal(datagrams.agent, '192.0.2.10');
  assert.equal(datagrams.lost, 2);
  assert.equal(samples.source, 'flows 0:3');
  assert.equal(samples.lost, 3);
});

test('sflow: decodePacket lists samples and records with offsets and lengths', () => {
  const d = datagram([flowSample({}, [record(1001, cat(u32(1), u32(2), u32(3), u32(4)))]), counterSample(1, 1, [])]);
  const s = decodePacket(d).sflow!;
  assert.equal(s.header?.samples, 2);
  assert.deepEqual(s.samples.map((x) => [x.format, x.offset]), [[1, 28], [2, 28 + 8 + 32 + 24]]);
  assert.deepEqual(s.samples[0]!.records, [{ enterprise: 0, format: 1001, offset: 68, length: 16 }]);
});
