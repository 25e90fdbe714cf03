import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder } from '../../../lib/index.js';
import { EXPORTER, cat, ip4, u16, u32, u8, v5, v5Record } from '../../helpers/build.js';

test('v5: IANA names, header sampling split into mode (top 2 bits) and interval (low 14)', () => {
  const sampling = (1 << 14) | 1000;
  const pkt = v5({ sampling, engineType: 1, engineId: 7, sequence: 42 }, [v5Record({ src: '10.0.0.1', dst: '10.0.0.2', pkts: 3, bytes: 300, sport: 5555, dport: 443, proto: 6 })]);
  const { records, errors } = new FlowDecoder().decode(pkt, EXPORTER, 0);
  assert.deepEqual(errors, []);
  const r = records[0]!;
  assert.equal(r.protocol, 'netflow-v5');
  assert.equal(r.exporter, '192.0.2.1:2055');
  assert.equal(r.domain, (1 << 8) | 7);
  assert.equal(r.sequence, 42);
  assert.equal(r['sourceIPv4Address'], '10.0.0.1');
  assert.equal(r['destinationIPv4Address'], '10.0.0.2');
  assert.equal(r['packetDeltaCount'], 3);
  assert.equal(r['octetDeltaCount'], 300);
  assert.equal(r['sourceTransportPort'], 5555);
  assert.equal(r['destinationTransportPort'], 443);
  assert.equal(r['protocolIdentifier'], 6);
  assert.equal(r['tcpControlBits'], 0x12);
  assert.equal(r['bgpSourceAsNumber'], 64500);
  assert.equal(r['sourceIPv4PrefixLength'], 24);
  assert.equal(r['samplingAlgorithm'], 1);
  assert.equal(r['samplingInterval'], 1000);
  assert.equal(r['engineType'], 1);
  assert.equal(r['engineId'], 7);
});

test('v5: sysUptime-relative times become epoch ms, across the 2^32 ms uptime wrap', () => {
  // Export at uptime 3000 ms (the counter wrapped 5 s ago); the flow started at 4294966296 (8 s before export).
  const pkt = v5({ uptime: 3000, secs: 1_700_000_000, nsecs: 500_000_000 }, [v5Record({ src: '1.1.1.1', dst: '2.2.2.2', first: 4294966296, last: 2000 })]);
  const r = new FlowDecoder().decode(pkt, EXPORTER, 0).records[0]!;
  const exportMs = 1_700_000_000_500;
  assert.equal(r.exportTime, exportMs);
  assert.equal(r['flowStartSysUpTime'], 4294966296);
  assert.equal(r['flowStartMilliseconds'], exportMs - 4000);
  assert.equal(r['flowEndMilliseconds'], exportMs - 1000);
});

test('v5: a header count beyond the datagram is a typed truncated error plus the records that fit', () => {
  const recs = [v5Record({ src: '1.1.1.1', dst: '2.2.2.2' }), v5Record({ src: '3.3.3.3', dst: '4.4.4.4' })];
  const { records, errors } = new FlowDecoder().decode(v5({}, recs, 30), EXPORTER, 0);
  assert.equal(records.length, 2);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.kind, 'truncated');
  assert.equal(errors[0]!.exporter, '192.0.2.1:2055');
  assert.equal(errors[0]!.offset, 2);
});

test('v5: several datagrams concatenated in one payload all decode; sequence counts records', () => {
  const a = v5({ sequence: 0 }, [v5Record({ src: '1.1.1.1', dst: '2.2.2.2' })]);
  const b = v5({ sequence: 1 }, [v5Record({ src: '3.3.3.3', dst: '4.4.4.4' }), v5Record({ src: '5.5.5.5', dst: '6.6.6.6' })]);
  const c = v5({ sequence: 10 }, [v5Record({ src: '7.7.7.7', dst: '8.8.8.8' })]); // 7 records lost before this one
  const dec = new FlowDecoder();
  const { records } = dec.decode(cat(a, b, c), EXPORTER, 0);
  assert.deepEqual(records.map((r) => r['sourceIPv4Address']), ['1.1.1.1', '3.3.3.3', '5.5.5.5', '7.7.7.7']);
  assert.equal(dec.sequenceStats()[0]!.lost, 7);
});

test('v1 and v7 fixed formats decode with the same names', () => {
  const rec1 = cat(ip4('10.1.1.1'), ip4('10.2.2.2'), ip4('10.3.3.3'), u16(4), u16(5), u32(6), u32(700), u32(1000), u32(2000), u16(53), u16(5353), u16(0), u8(17), u8(0), u8(0), Buffer.alloc(7));
  const v1 = cat(u16(1), u16(1), u32(5000), u32(1_600_000_000), u32(0), rec1);
  const r1 = new FlowDecoder().decode(v1, EXPORTER, 0).records[0]!;
  assert.equal(r1.protocol, 'netflow-v1');
  assert.equal(r1['protocolIdentifier'], 17);
  assert.equal(r1['ipNextHopIPv4Address'], '10.3.3.3');
  assert.equal(r1['flowStartMilliseconds'], 1_600_000_000_000 - 4000);

  const rec7 = cat(v5Record({ src: '10.9.9.9', dst: '10.8.8.8' }).subarray(0, 46), u16(0), ip4('10.7.7.7'));
  const v7 = cat(u16(7), u16(1), u32(5000), u32(1_600_000_000), u32(0), u32(99), u32(0), rec7);
  const r7 = new FlowDecoder().decode(v7, EXPORTER, 0).records[0]!;
  assert.equal(r7.protocol, 'netflow-v7');
  assert.equal(r7['sourceIPv4Address'], '10.9.9.9');
  assert.equal(r7['v7RouterShortcut'], '10.7.7.7');
  assert.equal(r7.sequence, 99);
});
