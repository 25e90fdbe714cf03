import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder, type DecodeError } from '../../../lib/index.js';
import { EXPORTER, cat, ip4, ipfix, ipfixOptionsTemplate, ipfixTemplate, set, u16, u32, u8, v9, v9Template } from '../../helpers/build.js';

const T = ipfixTemplate(256, [[8, 4], [7, 2]]);
const REC = cat(ip4('10.0.0.1'), u16(80));

function decode(b: Buffer): { records: unknown[]; errors: DecodeError[] } {
  const dec = new FlowDecoder();
  const r = dec.decode(b, EXPORTER, 0);
  return { records: r.records, errors: [...r.errors, ...dec.flush(0).errors] };
}

function typed(errors: DecodeError[], kind: DecodeError['kind']): DecodeError {
  const e = errors.find((x) => x.kind === kind);
  assert.ok(e, `expected a ${kind} error, got ${JSON.stringify(errors)}`);
  assert.equal(e.exporter, '192.0.2.1:2055');
  assert.equal(typeof e.reason, 'string');
  assert.equal(typeof e.offset, 'number');
  return e;
}

test('truncated headers', () => {
  typed(decode(Buffer.from([0, 10, 0, 40, 1, 2])).errors, 'truncated');
  typed(decode(Buffer.from([0, 9, 0, 1, 0, 0, 0])).errors, 'truncated');
  typed(decode(Buffer.from([0, 5, 0, 1])).errors, 'truncated');
});

test('unknown version (0xFFFF garbage)', () => {
  const { records, errors } = decode(Buffer.alloc(21, 0xff));
  assert.equal(records.length, 0);
  assert.equal(typed(errors, 'unknown-version').offset, 0);
});

test('message length beyond the buffer: what is there still decodes', () => {
  const msg = ipfix({}, set(2, T), set(256, REC));
  msg.writeUInt16BE(msg.length + 100, 2);
  const { records, errors } = decode(msg);
  assert.equal(records.length, 1);
  typed(errors, 'truncated');
});

test('zero-length set in the middle of a message stops the walk with an error', () => {
  const msg = ipfix({}, set(2, T), set(256, REC), cat(u16(256), u16(0), u32(0xdeadbeef)));
  const { records, errors } = decode(msg);
  assert.equal(records.length, 1);
  assert.equal(typed(errors, 'bad-length').offset, msg.length - 8);
});

test('template field count overflow is a bad-template error; later templates in the packet still count', () => {
  const bad = cat(u16(300), u16(50), u16(8), u16(4)); // declares 50 fields, has 1
  const { errors } = decode(ipfix({}, set(2, bad), set(2, T), set(256, REC)));
  typed(errors, 'bad-template');
  const v9bad = decode(v9({}, set(0, cat(u16(300), u16(90), u16(8), u16(4))), set(0, v9Template(301, [[8, 4]])), set(301, ip4('1.2.3.4'))));
  typed(v9bad.errors, 'bad-template');
  assert.equal(v9bad.records.length, 1);
});

test('reserved template ids and zero-length-only templates are rejected, not looped on', () => {
  typed(decode(ipfix({}, set(2, ipfixTemplate(5, [[8, 4]])))).errors, 'bad-template');
  const zero = decode(v9({}, set(0, v9Template(300, [[8, 0], [12, 0]])), set(300, u32(1), u32(2))));
  typed(zero.errors, 'bad-template');
  assert.equal(zero.records.length, 0);
});

test('a template record with reserved id 0 at the start of a set is stepped over by its length, not taken as padding', () => {
  const ip = decode(ipfix({}, set(2, ipfixTemplate(0, [[8, 4], [7, 2]]), T), set(256, REC)));
  typed(ip.errors, 'bad-template');
  assert.equal(ip.records.length, 1, 'the valid template after it was learned');
  const v = decode(v9({}, set(0, v9Template(0, [[8, 4]]), v9Template(300, [[8, 4], [7, 2]])), set(300, REC)));
  typed(v.errors, 'bad-template');
  assert.equal(v.records.length, 1);
  const opt = decode(ipfix({}, set(3, ipfixOptionsTemplate(0, 1, [[149, 4], [160, 8]]), ipfixOptionsTemplate(257, 1, [[149, 4], [160, 8]])), set(257, u32(7), Buffer.alloc(8))));
  typed(opt.errors, 'bad-template');
  assert.equal(opt.records.length, 1);
  // Options template records aligned to 4 bytes by 2 zero bytes between them stay padding.
  const aligned = decode(ipfix({}, set(3, ipfixOptionsTemplate(258, 1, [[149, 4]]), u16(0), ipfixOptionsTemplate(259, 1, [[149, 4]])), set(259, u32(7))));
  assert.deepEqual(aligned.errors, []);
  assert.equal(aligned.records.length, 1);
});

test('a record longer than its set: record-overflow, earlier records kept', () => {
  const tpl = ipfixTemplate(256, [[8, 4], [82, 65535]]);
  const data = cat(ip4('10.0.0.1'), u8(3), Buffer.from('abc'), ip4('10.0.0.2'), u8(200), Buffer.from('short'));
  const { records, errors } = decode(ipfix({}, set(2, tpl), set(256, data)));
  assert.equal(records.length, 1);
  typed(errors, 'record-overflow');
});

test('set length beyond the message but inside the datagram is decoded by the set length and reported', () => {
  const msg = ipfix({}, set(2, T), set(256, REC, REC));
  msg.writeUInt16BE(msg.length - 6, 2);
  const { records, errors } = decode(msg);
  assert.equal(records.length, 2);
  typed(errors, 'length-mismatch');
});

test('trailing garbage after a message is reported; short tails are counted, not errors', () => {
  const msg = ipfix({}, set(2, T), set(256, REC));
  typed(decode(cat(msg, Buffer.alloc(40, 0xab))).errors, 'length-mismatch');
  const dec = new FlowDecoder();
  assert.deepEqual(dec.decode(cat(msg, Buffer.from([1, 2, 3])), EXPORTER, 0).errors, []);
  assert.equal(dec.stats.trailingBytes, 3);
});

test('errors are counted by kind in the stats', () => {
  const dec = new FlowDecoder();
  dec.decode(Buffer.alloc(30, 0xff), EXPORTER, 0);
  dec.decode(Buffer.alloc(30, 0xff), EXPORTER, 0);
  assert.equal(dec.stats.errors['unknown-version'], 2);
  assert.equal(dec.stats.datagrams, 2);
});
