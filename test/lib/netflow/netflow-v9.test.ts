import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder } from '../../../lib/index.js';
import { EXPORTER, OTHER_EXPORTER, cat, ip4, set, u16, u32, u8, v9, v9OptionsTemplate, v9Template, varlen } from '../../helpers/build.js';

// IN_BYTES, IN_PKTS, PROTOCOL, IPV4_SRC_ADDR, IPV4_DST_ADDR, FIRST_SWITCHED, LAST_SWITCHED
const FIELDS = [[1, 4], [2, 4], [4, 1], [8, 4], [12, 4], [22, 4], [21, 4]] as const;
const rec = (src: string, bytes: number): Buffer => cat(u32(bytes), u32(1), u8(6), ip4(src), ip4('10.0.0.9'), u32(90_000), u32(95_000));

test('v9: template then data, IANA names, absolute times from sysUptime', () => {
  const dec = new FlowDecoder();
  const t = dec.decode(v9({ sourceId: 7 }, set(0, v9Template(300, FIELDS))), EXPORTER, 0);
  assert.equal(t.events[0]!.type, 'template-learned');
  assert.equal(t.events[0]!.templateId, 300);
  assert.equal(t.records.length, 0);
  const { records, errors } = dec.decode(v9({ sourceId: 7, uptime: 100_000, secs: 1_700_000_000, sequence: 1 }, set(300, rec('10.0.0.1', 1500), rec('10.0.0.2', 40))), EXPORTER, 0);
  assert.deepEqual(errors, []);
  assert.equal(records.length, 2);
  const r = records[0]!;
  assert.equal(r.kind, 'flow');
  assert.equal(r.domain, 7);
  assert.equal(r.templateId, 300);
  assert.equal(r['octetDeltaCount'], 1500);
  assert.equal(r['sourceIPv4Address'], '10.0.0.1');
  assert.equal(r['flowStartMilliseconds'], 1_700_000_000_000 - 10_000);
  assert.equal(r['flowEndMilliseconds'], 1_700_000_000_000 - 5_000);
});

test('v9: data before its template in the same packet decodes, and the header count is advisory', () => {
  const pkt = v9({ count: 1 }, set(300, rec('10.0.0.1', 1)), set(0, v9Template(300, FIELDS)), set(300, rec('10.0.0.2', 2)));
  const { records, errors } = new FlowDecoder().decode(pkt, EXPORTER, 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(records.map((r) => r['sourceIPv4Address']), ['10.0.0.1', '10.0.0.2']);
});

test('v9: options template: scope types 1-5 named, marked as scope', () => {
  const tpl = v9OptionsTemplate(257, [[1, 4], [2, 4], [3, 2], [4, 1], [5, 2]], [[34, 4], [35, 1]]);
  const data = cat(u32(0x0a000001), u32(3), u16(1), u8(2), u16(256), u32(100), u8(2));
  const { records } = new FlowDecoder().decode(v9({}, set(1, tpl), set(257, data)), EXPORTER, 0);
  const r = records[0]!;
  assert.equal(r.kind, 'options');
  assert.deepEqual(r.scopes, ['scopeSystem', 'scopeInterface', 'scopeLineCard', 'scopeCache', 'scopeTemplate']);
  assert.equal(r['scopeSystem'], 0x0a000001);
  assert.equal(r['scopeInterface'], 3);
  assert.equal(r['scopeTemplate'], 256);
  assert.equal(r['samplingInterval'], 100);
  assert.equal(r['samplingAlgorithm'], 2);
});

test('v9: a template is never used for another address or source id; another port of the same address and source id uses it (counted)', () => {
  const dec = new FlowDecoder({ sweepIntervalMs: 0 });
  dec.decode(v9({ sourceId: 1 }, set(0, v9Template(300, FIELDS))), EXPORTER, 0);
  assert.equal(dec.decode(v9({ sourceId: 1 }, set(300, rec('10.0.0.1', 1))), OTHER_EXPORTER, 0).records.length, 0);
  assert.equal(dec.decode(v9({ sourceId: 2 }, set(300, rec('10.0.0.1', 1))), EXPORTER, 0).records.length, 0);
  assert.equal(dec.decode(v9({ sourceId: 2 }, set(300, rec('10.0.0.1', 1))), { ...EXPORTER, port: 9999 }, 0).records.length, 0);
  const other = dec.decode(v9({ sourceId: 1 }, set(300, rec('10.0.0.1', 1))), { ...EXPORTER, port: 9999 }, 0).records;
  assert.equal(other.length, 1, 'IOS XR line cards: template from one source port, data from another');
  assert.equal(other[0]!.exporter, `${EXPORTER.address}:9999`, 'the record keeps the port it came from');
  assert.equal(dec.stats.templateFallbacks, 1);
  assert.equal(dec.decode(v9({ sourceId: 1 }, set(300, rec('10.0.0.1', 1))), EXPORTER, 0).records.length, 1);
  assert.equal(dec.pendingSets, 3);
});

test('v9: templateScope strict: a template is never used for another exporter, port or source id', () => {
  const dec = new FlowDecoder({ sweepIntervalMs: 0, templateScope: 'strict' });
  dec.decode(v9({ sourceId: 1 }, set(0, v9Template(300, FIELDS))), EXPORTER, 0);
  assert.equal(dec.decode(v9({ sourceId: 1 }, set(300, rec('10.0.0.1', 1))), OTHER_EXPORTER, 0).records.length, 0);
  assert.equal(dec.decode(v9({ sourceId: 1 }, set(300, rec('10.0.0.1', 1))), { ...EXPORTER, port: 9999 }, 0).records.length, 0);
  assert.equal(dec.decode(v9({ sourceId: 2 }, set(300, rec('10.0.0.1', 1))), EXPORTER, 0).records.length, 0);
  assert.equal(dec.decode(v9({ sourceId: 1 }, set(300, rec('10.0.0.1', 1))), EXPORTER, 0).records.length, 1);
  assert.equal(dec.pendingSets, 3);
  assert.equal(dec.stats.templateFallbacks, 0);
});

test('v9: data held on one port decodes when its template arrives on another port of the same address', () => {
  const dec = new FlowDecoder({ sweepIntervalMs: 0 });
  const dataPort = { ...EXPORTER, port: 40001 };
  assert.equal(dec.decode(v9({ sourceId: 1, sequence: 5 }, set(300, rec('10.0.0.7', 7))), dataPort, 0).records.length, 0);
  const { records, errors } = dec.decode(v9({ sourceId: 1 }, set(0, v9Template(300, FIELDS))), EXPORTER, 0);
  assert.deepEqual(errors, []);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.exporter, `${EXPORTER.address}:40001`);
  assert.equal(records[0]!.sequence, 5);
  assert.equal(dec.pendingSets, 0);
  assert.equal(dec.stats.templateFallbacks, 1);
  const strict = new FlowDecoder({ sweepIntervalMs: 0, templateScope: 'strict' });
  strict.decode(v9({ sourceId: 1 }, set(300, rec('10.0.0.7', 7))), dataPort, 0);
  assert.equal(strict.decode(v9({ sourceId: 1 }, set(0, v9Template(300, FIELDS))), EXPORTER, 0).records.length, 0);
  assert.equal(strict.pendingSets, 1);
});

test('v9: data held for its template is a copy: the datagram\'s memory may be reused meanwhile', () => {
  const dec = new FlowDecoder({ sweepIntervalMs: 0 });
  const datagram = v9({ sourceId: 1 }, set(300, rec('10.0.0.7', 7)));
  assert.equal(dec.decode(datagram, EXPORTER, 0).records.length, 0);
  datagram.fill(0xee); // a capture's read buffer, a reused receive buffer
  const { records } = dec.decode(v9({ sourceId: 1 }, set(0, v9Template(300, FIELDS))), EXPORTER, 0);
  assert.equal(records.length, 1);
  assert.equal(records[0]!['sourceIPv4Address'], '10.0.0.7');
  assert.equal(records[0]!['octetDeltaCount'], 7);
});

test('v9: zero padding after the last flowset is not an error; garbage is', () => {
  const tpl = set(0, v9Template(300, FIELDS));
  const ok = new FlowDecoder().decode(cat(v9({}, tpl, set(300, rec('10.0.0.1', 1))), Buffer.alloc(600)), EXPORTER, 0);
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.records.length, 1);
  const bad = new FlowDecoder().decode(cat(v9({}, tpl, set(300, rec('10.0.0.1', 1))), Buffer.from([0, 300 >> 8, 0, 2, 0xff, 0xff])), EXPORTER, 0);
  assert.equal(bad.records.length, 1);
  assert.equal(bad.errors[0]!.kind, 'bad-length');
});

test('v9: variable-length field (length 65535, as H3C sends) and types >= 32768 by name', () => {
  // 236 VRFname, 40001 = ASA xlate source address (netflowExtra / Cisco names), 57590 nprobe (Cisco name, camelCased)
  const tpl = v9Template(400, [[236, 65535], [7, 2], [40001, 4], [57590, 2], [60000, 3]]);
  const data = cat(varlen('vrf-red'), u16(137), ip4('198.51.100.7'), u16(82), Buffer.from([1, 2, 3]));
  const { records, errors } = new FlowDecoder().decode(v9({}, set(0, tpl), set(400, data)), EXPORTER, 0);
  assert.deepEqual(errors, []);
  const r = records[0]!;
  assert.equal(r['VRFname'], 'vrf-red');
  assert.equal(r['sourceTransportPort'], 137);
  assert.equal(r['xlateSrcAddrIpv4'], '198.51.100.7');
  assert.equal(r['nprobeProto'], 82);
  assert.equal(r['ie60000'], '010203', 'unknown v9 types keep their number and hex');
});

test('v9: sequence numbers count packets per source id: loss, duplicates, reordering', () => {
  const dec = new FlowDecoder();
  const tpl = set(0, v9Template(300, FIELDS));
  for (const seq of [1, 2, 5, 5, 4, 6]) dec.decode(v9({ sequence: seq }, tpl), EXPORTER, 0);
  const s = dec.sequenceStats().find((x) => x.protocol === 'netflow-v9')!;
  assert.equal(s.duplicate, 1);
  assert.equal(s.outOfOrder, 1);
  assert.equal(s.lost, 1, '3 and 4 went missing, then 4 arrived late');
});
