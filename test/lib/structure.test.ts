import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '../../lib/index.js';
import { cat, ip4, ipfix, ipfixOptionsTemplate, ipfixTemplate, set, u16, u32, v5, v5Record, withdrawal } from '../helpers/build.js';

test('decodePacket: headers, every set with id/offset/length, templates and raw data, without state', () => {
  const msg = ipfix({ domain: 3, sequence: 9, exportTime: 1_700_000_000 },
    set(2, ipfixTemplate(256, [[8, 4], [1, 8, 29305]]), withdrawal(257)),
    set(3, ipfixOptionsTemplate(258, 1, [[149, 4], [160, 8]])),
    set(256, ip4('10.0.0.1'), u32(0), u32(5)));
  const p = decodePacket(msg);
  assert.deepEqual(p.errors, []);
  assert.equal(p.messages.length, 1);
  const m = p.messages[0]!;
  assert.equal(m.protocol, 'ipfix');
  assert.equal(m.header.domain, 3);
  assert.equal(m.header.sequence, 9);
  assert.equal(m.header.length, msg.length);
  assert.deepEqual(m.sets.map((s) => [s.id, s.offset, s.kind]), [[2, 16, 'template'], [3, 40, 'options-template'], [256, 58, 'data']]);
  assert.deepEqual(m.sets[0]!.templates![0]!.fields.map((f) => f.name), ['sourceIPv4Address', 'reverseOctetDeltaCount']);
  assert.deepEqual(m.sets[0]!.withdrawals, [{ templateId: 257, options: false, all: false }]);
  assert.deepEqual(m.sets[1]!.templates![0]!.fields.map((f) => f.scope), [true, false]);
  assert.equal(m.sets[2]!.data, '0a0000010000000000000005');
});

test('decodePacket: fixed formats report their record count; garbage gives errors, not exceptions', () => {
  const p = decodePacket(cat(v5({}, [v5Record({ src: '1.1.1.1', dst: '2.2.2.2' })]), v5({}, [], 0)));
  assert.deepEqual(p.messages.map((m) => m.records), [1, 0]);
  assert.equal(decodePacket(Buffer.from([0xff, 0xff, 0, 1])).errors[0]!.kind, 'unknown-version');
  assert.equal(decodePacket(cat(u16(10), u16(8))).errors[0]!.kind, 'truncated');
});
