// One case per vendor equivalence of lib/normalize/equivalences.ts: a corpus record or a datagram
// built field by field, decoded, normalized, and the normalized field checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder } from '../../../lib/decoder.js';
import { FlowNormalizer, type OutputRecord } from '../../../lib/normalize/normalizer.js';
import { EQUIVALENCES } from '../../../lib/normalize/equivalences.js';
import type { NormalizedFlow } from '../../../lib/normalize/flow.js';
import { EXPORTER, cat, hex, ip4, ip6, ipfix, ipfixTemplate, set, u16, u32, u64, u8, v5, v5Record, v9, v9OptionsTemplate, v9Template, varlen } from '../../helpers/build.js';
import { CORPUS_EXPORTER, readCorpus } from '../../helpers/corpus.js';

const NOW = 1_700_000_100_000;

/** Decodes datagrams in order; the normalized flows of all of them. */
function flows(datagrams: Buffer[], exporter = EXPORTER): NormalizedFlow[] {
  const dec = new FlowDecoder();
  const norm = new FlowNormalizer();
  const out: OutputRecord[] = [];
  for (const d of datagrams) {
    const res = dec.decode(d, exporter, NOW);
    assert.deepEqual(res.errors, []);
    norm.process(res.records, NOW, res.runs, out);
  }
  return out.filter((r): r is NormalizedFlow => !('kind' in r));
}

const corpus = (...files: string[]): NormalizedFlow[] => flows(files.map(readCorpus), CORPUS_EXPORTER);
const ipfixOne = (fields: [number, number, number?][], data: Buffer): NormalizedFlow => flows([ipfix({}, set(2, ipfixTemplate(300, fields)), set(300, data))])[0]!;
const v9One = (fields: [number, number][], data: Buffer): NormalizedFlow => flows([v9({}, set(0, v9Template(300, fields)), set(300, data))])[0]!;

test('equivalences: every row names its source and every field it fills exists once', () => {
  const seen = new Set<string>();
  for (const e of EQUIVALENCES) {
    assert.match(e.source, /IANA|RFC|corpus|Cisco|Juniper|Nokia|sFlow/, `${e.field}: source`);
    assert.ok(!seen.has(e.field), `${e.field} twice`);
    seen.add(e.field);
  }
});

test('Cisco ASA 8.x NSEL (corpus): total octets, xlate addresses and ports (v9 40001-40004) -> NAT fields, ICMP elements', () => {
  const [f] = corpus('logstash-codec-netflow/netflow9_test_cisco_asa_1_tpl.dat', 'logstash-codec-netflow/netflow9_test_cisco_asa_1_data.dat');
  assert.equal(f!.srcAddr, '192.168.14.1');
  assert.equal(f!.sampledBytes, 56);
  assert.equal(f!.natSrcAddr, '192.168.14.1');
  assert.equal(f!.natDstAddr, '2.2.2.11');
  assert.equal(f!.natSrcPort, 0);
  assert.equal(f!.natDstPort, 17549);
  assert.equal(f!.icmpType, 0);
  assert.equal(f!.timeStart, 1444384067569);
  assert.equal(f!.timeEnd, 1444384069599, 'NSEL event time (323) when no end time is sent');
});

test('Cisco ASA 9.x NSEL (corpus): initiator/responder octets (231/232) -> sampledBytes/reverseBytes, post-NAT (225-228)', () => {
  const all = corpus('logstash-codec-netflow/netflow9_test_cisco_asa_2_tpl_26x.dat', 'logstash-codec-netflow/netflow9_test_cisco_asa_2_tpl_27x.dat', 'logstash-codec-netflow/netflow9_test_cisco_asa_2_data.dat');
  const f = all.find((x) => x.reverseBytes !== undefined)!;
  assert.equal(f.sampledBytes, 81);
  assert.equal(f.bytes, 81);
  assert.equal(f.reverseBytes, 763);
  assert.equal(f.natSrcAddr, '192.168.0.2');
  assert.equal(f.natDstPort, 80);
});

test('ASA initiator/responder packets (298/299) and v9 vendor xlate types, built', () => {
  const f = v9One([[231, 4], [232, 4], [298, 4], [299, 4], [40001, 4], [40002, 4], [40003, 2], [40004, 2]],
    cat(u32(1000), u32(2000), u32(10), u32(20), ip4('203.0.113.5'), ip4('198.51.100.9'), u16(40000), u16(443)));
  assert.deepEqual([f.sampledBytes, f.reverseBytes, f.sampledPackets, f.reversePackets], [1000, 2000, 10, 20]);
  assert.deepEqual([f.natSrcAddr, f.natDstAddr, f.natSrcPort, f.natDstPort], ['203.0.113.5', '198.51.100.9', 40000, 443]);
});

test('Juniper SRX total counters (85/86) when no delta counters are sent', () => {
  const f = v9One([[8, 4], [12, 4], [85, 8], [86, 8]], cat(ip4('10.0.0.1'), ip4('10.0.0.2'), u64(123456), u64(789)));
  assert.equal(f.sampledBytes, 123456);
  assert.equal(f.sampledPackets, 789);
});

test('Nokia physical interfaces 252/253 when 10/14 are absent; 10/14 win when both are sent', () => {
  const nokia = ipfixOne([[8, 4], [252, 4], [253, 4], [1, 8]], cat(ip4('10.0.0.1'), u32(35684352), u32(35717120), u64(99)));
  assert.equal(nokia.inIf, 35684352);
  assert.equal(nokia.outIf, 35717120);
  const both = ipfixOne([[10, 4], [14, 4], [252, 4], [253, 4]], cat(u32(5), u32(6), u32(7), u32(8)));
  assert.deepEqual([both.inIf, both.outIf], [5, 6]);
});

test('RFC 6759 application id as class:selector, and its name from the exporter\'s options mapping (corpus NBAR)', () => {
  const all = corpus('logstash-codec-netflow/netflow9_test_cisco_nbar_opttpl260.dat', 'logstash-codec-netflow/netflow9_test_cisco_nbar_tpl262.dat', 'logstash-codec-netflow/netflow9_test_cisco_nbar_data262.dat');
  const icmp = all.find((f) => f.application === '1:1')!;
  assert.equal(icmp.applicationName, 'icmp', 'NBAR options: 01000001 -> icmp');
  assert.ok(all.some((f) => f.application === '3:123'));
});

test('Palo Alto APPID (v9 56701) is the application text', () => {
  const all = corpus('logstash-codec-netflow/netflow9_test_paloalto_panos_tpl.dat', 'logstash-codec-netflow/netflow9_test_paloalto_panos_data.dat');
  assert.ok(all.length > 0 && all.every((f) => typeof f.application === 'string' && f.application.length > 0));
});

test('flow times from seconds, micro- and nanoseconds, delta microseconds, and v5 sysUpTime', () => {
  const secs = ipfixOne([[150, 4], [151, 4]], cat(u32(1_700_000_000), u32(1_700_000_060)));
  assert.deepEqual([secs.timeStart, secs.timeEnd], [1_700_000_000_000, 1_700_000_060_000]);
  const ntp = (s: number): Buffer => cat(u32(s + 2_208_988_800), u32(0x80000000)); // + 0.5 s
  const micro = ipfixOne([[154, 8], [155, 8]], cat(ntp(1_700_000_000), ntp(1_700_000_001)));
  assert.deepEqual([micro.timeStart, micro.timeEnd], [1_700_000_000_500, 1_700_000_001_500]);
  const nano = ipfixOne([[156, 8], [157, 8]], cat(ntp(1_700_000_002), ntp(1_700_000_003)));
  assert.deepEqual([nano.timeStart, nano.timeEnd], [1_700_000_002_500, 1_700_000_003_500]);
  const delta = flows([ipfix({ exportTime: 1_700_000_100 }, set(2, ipfixTemplate(301, [[158, 4], [159, 4]])), set(301, cat(u32(5_000_000), u32(1_000_000))))])[0]!;
  assert.deepEqual([delta.timeStart, delta.timeEnd], [1_700_000_095_000, 1_700_000_099_000]);
  const v5f = flows([v5({ uptime: 100_000, secs: 1_700_000_000 }, [v5Record({ src: '10.0.0.1', dst: '10.0.0.2', first: 90_000, last: 95_000 })])])[0]!;
  assert.deepEqual([v5f.timeStart, v5f.timeEnd], [1_700_000_000_000 - 10_000, 1_700_000_000_000 - 5_000]);
});

test('IPv6 addresses and next hop, prefix lengths, etype from the address family', () => {
  const f = ipfixOne([[27, 16], [28, 16], [62, 16], [29, 1], [30, 1], [4, 1]], cat(ip6('2001:db8::1'), ip6('2001:db8::2'), ip6('fe80::1'), u8(48), u8(64), u8(58)));
  assert.deepEqual([f.srcAddr, f.dstAddr, f.nextHop, f.srcMask, f.dstMask, f.etype, f.proto], ['2001:db8::1', '2001:db8::2', 'fe80::1', 48, 64, 0x86dd, 58]);
});

test('MPLS label stack sections (70-72) -> label values, top first (built; none from a stack length alone)', () => {
  const f = ipfixOne([[70, 3], [71, 3], [72, 3]], cat(hex('003e81'), hex('004e20'), hex('00c351')));
  assert.deepEqual(f.mplsLabels, [1000, 1250, 3125]);
  // The EdgeRouter corpus records carry only mplsLabelStackLength (no label): no invented labels.
  const edge = corpus('logstash-codec-netflow/netflow9_test_ubnt_edgerouter_tpl.dat', 'logstash-codec-netflow/netflow9_test_ubnt_edgerouter_data1025.dat');
  assert.ok(edge.length > 0 && edge.every((x) => x.mplsLabels === undefined));
});

test('ICMP: icmpTypeCodeIPv4 (32) split; v5 ICMP type/code in the destination port', () => {
  const f = ipfixOne([[4, 1], [32, 2]], cat(u8(1), u16(0x0303)));
  assert.deepEqual([f.icmpType, f.icmpCode], [3, 3]);
  const v = flows([v5({}, [v5Record({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1, sport: 0, dport: 0x0800 })])])[0]!;
  assert.deepEqual([v.icmpType, v.icmpCode, v.dstPort], [8, 0, 2048]);
  const tcp = flows([v5({}, [v5Record({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, dport: 0x0800 })])])[0]!;
  assert.equal(tcp.icmpType, undefined, 'only for ICMP');
});

test('RFC 5103 reverse elements (PEN 29305) -> reverseBytes/reversePackets', () => {
  const f = ipfixOne([[1, 8], [2, 8], [1, 8, 29305], [2, 8, 29305]], cat(u64(500), u64(5), u64(7000), u64(9)));
  assert.deepEqual([f.sampledBytes, f.sampledPackets, f.reverseBytes, f.reversePackets], [500, 5, 7000, 9]);
});

test('VLANs, MACs, VRFs, direction, AS numbers, BGP next hop (IOS XR corpus) and post-VLAN', () => {
  const [xr] = corpus('goflow2/nfv9_template_260.bin', 'goflow2/nfv9_data_260_21records.bin');
  assert.deepEqual([xr!.inVrf, xr!.outVrf, xr!.nextHop, xr!.direction, xr!.forwardingStatus], [1610612738, 1610612736, '252.223.0.0', 0, 64]);
  const f = ipfixOne([[58, 2], [59, 2], [56, 6], [80, 6], [16, 4], [17, 4]], cat(u16(10), u16(20), hex('001b21bc24dd'), hex('00005e005301'), u32(64500), u32(64501)));
  assert.deepEqual([f.srcVlan, f.dstVlan, f.srcMac, f.dstMac, f.srcAs, f.dstAs], [10, 20, '00:1b:21:bc:24:dd', '00:00:5e:00:53:01', 64500, 64501]);
});

test('sFlow flow sample: header fields, frame length as sampledBytes, 1 sampled packet, switch VLANs, receive time', () => {
  const all = corpus('goflow2/sflow_expanded_flow_samples.bin');
  const f = all[0]!;
  assert.deepEqual([f.srcAddr, f.dstAddr, f.proto, f.srcPort, f.srcVlan, f.dstVlan, f.sampledBytes, f.sampledPackets], ['185.59.220.147', '88.238.78.19', 6, 443, 30, 30, 1514, 1]);
  assert.equal(f.samplingRate, 16383);
  assert.equal(f.bytes, 1514 * 16383);
  assert.equal(f.timeStart, NOW);
});

test('an options record in v9 is not a flow: it passes through unchanged', () => {
  const opts = v9({}, set(1, v9OptionsTemplate(257, [[1, 4]], [[34, 4]])), set(257, cat(u32(1), u32(100))));
  const res = new FlowDecoder().decode(opts, EXPORTER, NOW);
  const out = new FlowNormalizer().process(res.records, NOW, res.runs);
  assert.equal(out.length, 1);
  assert.equal(out[0], res.records[0]);
  assert.equal(new FlowNormalizer({ flowsOnly: true }).process(res.records, NOW, res.runs).length, 0);
});

test('variable-length strings do not disturb the shape (IPFIX varlen interface name beside the flow)', () => {
  const f = ipfixOne([[8, 4], [82, 65535], [1, 4]], cat(ip4('10.1.1.1'), varlen('Gi0/0/1'), u32(77)));
  assert.deepEqual([f.srcAddr, f.sampledBytes], ['10.1.1.1', 77]);
});
