import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder } from '../../../lib/index.js';
import {
  EXPORTER, cat, hex, ip4, ip6, ipfix, ipfixOptionsTemplate, ipfixTemplate, mac, set, u16, u32, u64, u8, varlen, withdrawal,
} from '../../helpers/build.js';

const T = ipfixTemplate(256, [[8, 4], [12, 4], [1, 8]]);
const rec = (src: string, bytes: number | bigint): Buffer => cat(ip4(src), ip4('10.9.9.9'), u64(bytes));

test('ipfix: values: canonical IPv6, MAC, 64-bit counters exact (bigint above 2^53), strings, hex, booleans, floats, times', () => {
  const tpl = ipfixTemplate(300, [
    [27, 16], [28, 16], [56, 6], [1, 8], [2, 8], [82, 16], [95, 4], [276, 1], [1002, 4, 0], // 1002: unassigned IANA id
    [150, 4], [152, 8], [154, 8], [156, 8], [210, 3], [325, 8],
  ]);
  const ntp = (unixSec: number, frac: number): Buffer => cat(u32(unixSec + 2208988800), u32(frac));
  const data = cat(
    ip6('2001:db8:0:0:1:0:0:1'), ip6('::ffff:0:0').subarray(0, 10), u16(0xffff), ip4('192.0.2.9'), mac('00:1b:21:bc:24:dd'),
    u64(2n ** 53n + 1n), u64(12345), Buffer.from('eth0\0\0\0\0\0\0\0\0\0\0\0\0'), hex('0d000050'), u8(1), hex('deadbeef'),
    u32(1_700_000_000), u64(1_700_000_000_123), ntp(1_700_000_000, 2 ** 31), ntp(1_700_000_000, 2 ** 30), hex('000000'), u64(0),
  );
  const { records, errors } = new FlowDecoder().decode(ipfix({}, set(2, tpl), set(300, data)), EXPORTER, 0);
  assert.deepEqual(errors, []);
  const r = records[0]!;
  assert.equal(r['sourceIPv6Address'], '2001:db8::1:0:0:1');
  assert.equal(r['destinationIPv6Address'], '::ffff:192.0.2.9');
  assert.equal(r['sourceMacAddress'], '00:1b:21:bc:24:dd');
  assert.equal(r['octetDeltaCount'], 2n ** 53n + 1n);
  assert.equal(r['packetDeltaCount'], 12345);
  assert.equal(r['interfaceName'], 'eth0', 'trailing NUL padding removed');
  assert.equal(r['applicationId'], '0d000050');
  assert.equal(r['dataRecordsReliability'], true);
  assert.equal(r['ie1002'], 'deadbeef', 'unknown elements keep their id and hex');
  assert.equal(r['flowStartSeconds'], 1_700_000_000_000, 'dateTimeSeconds as epoch ms');
  assert.equal(r['flowStartMilliseconds'], 1_700_000_000_123);
  assert.equal(r['flowStartMicroseconds'], 1_700_000_000_500);
  assert.equal(r['flowStartNanoseconds'], 1_700_000_000_250);
  assert.equal(r['paddingOctets'], '000000');
  assert.equal(r['observationTimeNanoseconds'], 0, 'an all-zero NTP time means unset');
});

test('ipfix: reduced-size encoding of unsigned, signed and float types', () => {
  const tpl = ipfixTemplate(300, [[1, 4], [2, 2], [85, 3], [434, 2], [211, 4], [320, 4]]);
  // 434 mibObjectValueInteger (signed32) in 2 bytes; 320 absoluteError (float64) as float32.
  const f32 = Buffer.alloc(4); f32.writeFloatBE(1.5);
  const data = cat(u32(0xfffffffe), u16(7), Buffer.from([1, 0, 0]), u16(0xfffe), ip4('10.1.2.3'), f32);
  const r = new FlowDecoder().decode(ipfix({}, set(2, tpl), set(300, data)), EXPORTER, 0).records[0]!;
  assert.equal(r['octetDeltaCount'], 0xfffffffe);
  assert.equal(r['packetDeltaCount'], 7);
  assert.equal(r['octetTotalCount'], 65536);
  assert.equal(r['mibObjectValueInteger'], -2);
  assert.equal(r['collectorIPv4Address'], '10.1.2.3');
  assert.equal(r['absoluteError'], 1.5);
});

test('ipfix: variable-length fields, 1-byte and 255+2-byte lengths, and zero set padding', () => {
  const tpl = ipfixTemplate(300, [[82, 65535], [7, 2], [83, 65535]]);
  const long = 'x'.repeat(300);
  const data = cat(varlen('ge-0/0/1'), u16(443), varlen(long), varlen('short', true), u16(80), varlen(''), Buffer.alloc(2));
  const { records, errors } = new FlowDecoder().decode(ipfix({}, set(2, tpl), set(300, data)), EXPORTER, 0);
  assert.deepEqual(errors, []);
  assert.equal(records.length, 2);
  assert.equal(records[0]!['interfaceName'], 'ge-0/0/1');
  assert.equal(records[0]!['interfaceDescription'], long);
  assert.equal(records[1]!['interfaceName'], 'short');
  assert.equal(records[1]!['interfaceDescription'], '');
});

test('ipfix: options template scope fields, systemInitTimeMilliseconds turns sysUpTime fields into epoch ms', () => {
  const opt = ipfixOptionsTemplate(400, 1, [[143, 4], [160, 8]]);
  const flow = ipfixTemplate(256, [[8, 4], [22, 4], [21, 4]]);
  const boot = 1_699_999_000_000;
  const pkt = ipfix({ exportTime: 1_700_000_000 }, set(3, opt), set(2, flow), set(400, cat(u32(9), u64(boot))), set(256, cat(ip4('10.0.0.1'), u32(5_000), u32(7_000))));
  const { records } = new FlowDecoder().decode(pkt, EXPORTER, 0);
  assert.equal(records[0]!.kind, 'options');
  assert.deepEqual(records[0]!.scopes, ['meteringProcessId']);
  assert.equal(records[1]!['flowStartMilliseconds'], boot + 5_000);
  assert.equal(records[1]!['flowEndMilliseconds'], boot + 7_000);
});

test('ipfix: enterprise elements by vendor name, RFC 5103 reverse elements, repeated elements get _2', () => {
  const tpl = ipfixTemplate(300, [[1, 8, 29305], [8, 4], [8, 4], [133, 4, 5951], [128, 4, 5951], [77, 2, 99999]]);
  const data = cat(u64(777), ip4('10.0.0.1'), ip4('10.0.0.2'), u32(14460661), u32(83), u16(0xabcd));
  const r = new FlowDecoder().decode(ipfix({}, set(2, tpl), set(300, data)), EXPORTER, 0).records[0]!;
  assert.equal(r['reverseOctetDeltaCount'], 777);
  assert.equal(r['sourceIPv4Address'], '10.0.0.1');
  assert.equal(r['sourceIPv4Address_2'], '10.0.0.2');
  assert.equal(r['netscalerConnectionId'], 14460661, 'a vendor name that collides with a common name gets its scope prefix');
  assert.equal(r['roundTripTime'], 83);
  assert.equal(r['ie99999_77'], 'abcd');
});

test('ipfix: RFC 6313 basicList, subTemplateList and subTemplateMultiList decode to nested values', () => {
  const inner = ipfixTemplate(310, [[7, 2], [11, 2]]);
  const outer = ipfixTemplate(300, [[291, 65535], [292, 65535], [293, 65535]]);
  const basic = cat(u8(3), u16(12), u16(4), ip4('10.0.0.1'), ip4('10.0.0.2')); // allOf destinationIPv4Address
  const stl = cat(u8(4), u16(310), u16(1), u16(2), u16(3), u16(4)); // ordered, two records
  const stml = cat(u8(3), u16(310), u16(8), u16(5), u16(6), u16(999), u16(6), u16(0xbeef));
  const data = cat(varlen(basic), varlen(stl), varlen(stml));
  const { records, errors } = new FlowDecoder().decode(ipfix({}, set(2, inner, outer), set(300, data)), EXPORTER, 0);
  assert.deepEqual(errors, []);
  const r = records[0]!;
  assert.deepEqual(r['basicList'], { semantic: 'allOf', element: 'destinationIPv4Address', values: ['10.0.0.1', '10.0.0.2'] });
  assert.deepEqual(r['subTemplateList'], {
    semantic: 'ordered', templateId: 310,
    records: [{ sourceTransportPort: 1, destinationTransportPort: 2 }, { sourceTransportPort: 3, destinationTransportPort: 4 }],
  });
  assert.deepEqual(r['subTemplateMultiList'], {
    semantic: 'allOf',
    lists: [{ templateId: 310, records: [{ sourceTransportPort: 5, destinationTransportPort: 6 }] }, { templateId: 999, records: [], raw: 'beef' }],
  });
});

test('ipfix: lists nested deeper than the limit stay hex and are reported, never recurse without end', () => {
  const self = ipfixTemplate(300, [[292, 65535]]); // a record that holds a list of itself
  let v: Buffer = Buffer.alloc(0);
  for (let i = 0; i < 40; i++) v = cat(u8(0), u16(300), varlen(v, true));
  const { records, errors } = new FlowDecoder().decode(ipfix({}, set(2, self), set(300, varlen(v, true))), EXPORTER, 0);
  assert.equal(records.length, 1);
  assert.ok(errors.some((e) => e.kind === 'nesting-too-deep'));
});

test('ipfix: withdrawal of one template and of all templates; redefinition replaces', () => {
  const dec = new FlowDecoder();
  dec.decode(ipfix({}, set(2, T, ipfixTemplate(257, [[8, 4]]))), EXPORTER, 0);
  const w = dec.decode(ipfix({}, set(2, withdrawal(256))), EXPORTER, 0);
  assert.deepEqual(w.events.map((e) => [e.type, e.templateId]), [['template-withdrawn', 256]]);
  assert.equal(dec.decode(ipfix({}, set(256, rec('10.0.0.1', 1))), EXPORTER, 0).records.length, 0);
  const all = dec.decode(ipfix({}, set(2, withdrawal(2))), EXPORTER, 0);
  assert.deepEqual(all.events.map((e) => e.templateId), [257]);
  assert.equal(dec.templates().length, 0);

  const redef = new FlowDecoder();
  redef.decode(ipfix({}, set(2, T)), EXPORTER, 0);
  const same = redef.decode(ipfix({}, set(2, T)), EXPORTER, 0);
  assert.equal(same.events.length, 0, 'a refresh is not an event');
  const changed = redef.decode(ipfix({}, set(2, ipfixTemplate(256, [[7, 2]])), set(256, u16(53))), EXPORTER, 0);
  assert.equal(changed.events[0]!.redefined, true);
  assert.equal(changed.records[0]!['sourceTransportPort'], 53);
});

test('ipfix: templates expire when not refreshed', () => {
  const dec = new FlowDecoder({ templateTimeoutMs: 60_000, sweepIntervalMs: 0 });
  dec.decode(ipfix({}, set(2, T)), EXPORTER, 0);
  assert.equal(dec.decode(ipfix({}, set(256, rec('10.0.0.1', 1))), EXPORTER, 30_000).records.length, 1);
  const late = dec.decode(ipfix({}, set(256, rec('10.0.0.1', 1))), EXPORTER, 61_000);
  assert.deepEqual(late.events.map((e) => e.type), ['template-expired']);
  assert.equal(dec.templates().length, 0);
});

test('ipfix: data before its template waits (bounded by count, bytes, age) and misses are counted per template', () => {
  const dec = new FlowDecoder({ maxPendingSets: 3, maxPendingAgeMs: 10_000, sweepIntervalMs: 0 });
  const errors = [];
  for (let i = 0; i < 5; i++) errors.push(...dec.decode(ipfix({ sequence: i }, set(256, rec(`10.0.0.${i}`, i))), EXPORTER, 1000 + i).errors);
  assert.equal(dec.pendingSets, 3);
  const learned = dec.decode(ipfix({}, set(2, T)), EXPORTER, 2000);
  assert.deepEqual(learned.records.map((r) => r['sourceIPv4Address']), ['10.0.0.2', '10.0.0.3', '10.0.0.4']);
  assert.deepEqual(learned.records.map((r) => r.sequence), [2, 3, 4], 'records keep the header values they arrived with');
  const misses = errors.filter((e) => e.kind === 'template-miss');
  assert.equal(misses.length, 2, 'reported at the sweeps after each eviction');
  const miss = { ...misses[0]!, dropped: { sets: misses.reduce((n, m) => n + m.dropped!.sets, 0), bytes: misses.reduce((n, m) => n + m.dropped!.bytes, 0) } };
  assert.equal(miss.templateId, 256);
  assert.deepEqual(miss.dropped, { sets: 2, bytes: 32 });
  assert.equal(dec.stats.templateMisses['192.0.2.1:2055 0/256'], 2);

  const aged = new FlowDecoder({ maxPendingAgeMs: 10_000, sweepIntervalMs: 0 });
  aged.decode(ipfix({}, set(258, u32(1))), EXPORTER, 0);
  const later = aged.decode(ipfix({}, set(2, T)), EXPORTER, 20_000);
  assert.equal(later.errors[0]!.kind, 'template-miss');
  assert.equal(aged.pendingSets, 0);

  const bytes = new FlowDecoder({ maxPendingBytes: 40 });
  for (let i = 0; i < 4; i++) bytes.decode(ipfix({}, set(256, rec('10.0.0.1', 1))), EXPORTER, 0);
  assert.equal(bytes.pendingSets, 2);
  assert.equal(bytes.flush(0).errors[0]!.dropped!.sets, 4, 'flush reports everything still waiting');
});

test('ipfix: sequence counts data records per observation domain', () => {
  const dec = new FlowDecoder();
  dec.decode(ipfix({ sequence: 0, domain: 5 }, set(2, T), set(256, rec('10.0.0.1', 1), rec('10.0.0.2', 1))), EXPORTER, 0);
  dec.decode(ipfix({ sequence: 2, domain: 5 }, set(256, rec('10.0.0.1', 1))), EXPORTER, 0);
  dec.decode(ipfix({ sequence: 10, domain: 5 }, set(256, rec('10.0.0.1', 1))), EXPORTER, 0);
  const s = dec.sequenceStats()[0]!;
  assert.equal(s.domain, 5);
  assert.equal(s.lost, 7);
});

test('ipfix: several messages in one payload', () => {
  const pkt = cat(ipfix({ sequence: 0 }, set(2, T)), ipfix({ sequence: 0 }, set(256, rec('10.0.0.1', 1))), ipfix({ sequence: 1 }, set(256, rec('10.0.0.2', 2))));
  const { records, errors } = new FlowDecoder().decode(pkt, EXPORTER, 0);
  assert.deepEqual(errors, []);
  assert.equal(records.length, 2);
});
