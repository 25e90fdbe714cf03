import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureParser, isCapture, readCapture } from '../../../lib/capture/reader.js';
import { pcapFile, pcapRecord } from '../../../lib/capture/pcap-writer.js';
import { cat, ip4, ip6, u16, u32, u8 } from '../../helpers/build.js';

const P = { src: { address: '192.0.2.1', port: 2055 }, dst: { address: '192.0.2.2', port: 9995 }, payload: Buffer.from('hello flows'), time: 1_700_000_000_123.456 };

/** A classic pcap with one frame of the given link type, in either byte order and resolution. */
function pcap(linkType: number, frame: Buffer, o: { bigEndian?: boolean; nanos?: boolean } = {}): Buffer {
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, at: number): number => (o.bigEndian ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
  w32(h, o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  (o.bigEndian ? h.writeUInt16BE.bind(h) : h.writeUInt16LE.bind(h))(2, 4);
  (o.bigEndian ? h.writeUInt16BE.bind(h) : h.writeUInt16LE.bind(h))(4, 6);
  w32(h, 65535, 16);
  w32(h, linkType, 20);
  const r = Buffer.alloc(16);
  w32(r, 1_700_000_000, 0);
  w32(r, o.nanos ? 123_456_000 : 123_456, 4);
  w32(r, frame.length, 8);
  w32(r, frame.length, 12);
  return cat(h, r, frame);
}

const udp = (payload: Buffer): Buffer => cat(u16(2055), u16(9995), u16(8 + payload.length), u16(0), payload);
const ipv4 = (payload: Buffer, id = 1, frag = 0): Buffer => cat(u8(0x45), u8(0), u16(20 + payload.length), u16(id), u16(frag), u8(64), u8(17), u16(0), ip4('192.0.2.1'), ip4('192.0.2.2'), payload);

test('capture: the pcap writer and reader round-trip IPv4 and IPv6 datagrams with their times', () => {
  const v6 = { ...P, src: { address: '2001:db8::1', port: 4739 }, dst: { address: '2001:db8::2', port: 4739 } };
  const file = pcapFile([P, v6]);
  assert.ok(isCapture(file));
  const [a, b] = readCapture(file);
  assert.deepEqual([a!.src, a!.dst, a!.payload.toString()], [P.src, P.dst, 'hello flows']);
  assert.ok(Math.abs(a!.time - P.time) < 0.002);
  assert.deepEqual([b!.src.address, b!.dst.port], ['2001:db8::1', 4739]);
});

test('capture: big-endian and nanosecond pcaps, raw IP, Linux SLL and SLL2, BSD loopback, VLAN', () => {
  const ip = ipv4(udp(Buffer.from('x')));
  const eth = cat(Buffer.alloc(12, 2), u16(0x8100), u16(100), u16(0x0800), ip);
  const sll = cat(u16(0), u16(1), u16(6), Buffer.alloc(8), u16(0x0800), ip);
  const sll2 = cat(u16(0x0800), u16(0), u32(1), u16(1), u8(0), u8(6), Buffer.alloc(8), ip);
  const loop = cat(Buffer.from([2, 0, 0, 0]), ip);
  for (const [name, lt, frame, opts] of [
    ['ethernet+vlan big-endian', 1, eth, { bigEndian: true }], ['raw', 101, ip, {}], ['sll', 113, sll, { nanos: true }],
    ['sll2', 276, sll2, {}], ['loopback', 0, loop, {}],
  ] as const) {
    const [d] = readCapture(pcap(lt, frame, opts));
    assert.equal(d?.payload.toString(), 'x', name);
    assert.equal(d!.src.address, '192.0.2.1', name);
    assert.ok(Math.abs(d!.time - 1_700_000_000_123.456) < 0.001, `${name} time ${d!.time}`);
  }
});

test('capture: pcapng with if_tsresol, and any chunking', () => {
  const frame = pcapRecord(P).subarray(16);
  const block = (type: number, body: Buffer): Buffer => { const len = 12 + body.length; return cat(u32le(type), u32le(len), body, u32le(len)); };
  const u32le = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
  const u16le = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
  const shb = block(0x0a0d0d0a, cat(u32le(0x1a2b3c4d), u16le(1), u16le(0), Buffer.alloc(8, 0xff)));
  const idb = block(1, cat(u16le(1), u16le(0), u32le(65535), u16le(9), u16le(1), Buffer.from([9, 0, 0, 0]), u16le(0), u16le(0))); // tsresol 10^-9
  const ticks = BigInt(1_700_000_000_123_456_789n);
  const pad = Buffer.alloc((4 - (frame.length % 4)) % 4);
  const epb = block(6, cat(u32le(0), u32le(Number(ticks >> 32n)), u32le(Number(ticks & 0xffffffffn)), u32le(frame.length), u32le(frame.length), frame, pad));
  const file = cat(shb, idb, epb);
  const parser = new CaptureParser();
  const out = [];
  for (let i = 0; i < file.length; i += 7) out.push(...parser.push(file.subarray(i, i + 7)));
  assert.equal(out.length, 1);
  assert.equal(out[0]!.payload.toString(), 'hello flows');
  assert.ok(Math.abs(out[0]!.time - 1_700_000_000_123.456789) < 0.001);
});

test('capture: IPv4 and IPv6 fragments are reassembled (large IPFIX datagrams)', () => {
  const payload = Buffer.alloc(3000, 0x5a);
  const u = udp(payload);
  const v4frames = [ipv4(u.subarray(0, 1480), 9, 0x2000), ipv4(u.subarray(1480, 2960), 9, 0x2000 | 185), ipv4(u.subarray(2960), 9, 370)];
  const eth = (ip: Buffer, type = 0x0800): Buffer => cat(Buffer.alloc(12, 1), u16(type), ip);
  // Out of order on purpose.
  const file4 = pcapFile([]).subarray(0, 24);
  const recs = [v4frames[2]!, v4frames[0]!, v4frames[1]!].map((f) => { const r = Buffer.alloc(16); r.writeUInt32LE(1, 0); r.writeUInt32LE(eth(f).length, 8); r.writeUInt32LE(eth(f).length, 12); return cat(r, eth(f)); });
  const [d4] = readCapture(cat(file4, ...recs));
  assert.equal(d4?.payload.length, 3000);
  assert.ok(d4!.payload.equals(payload));

  const frag6 = (off: number, more: boolean, data: Buffer): Buffer => {
    const fh = cat(u8(17), u8(0), u16((off << 3) | (more ? 1 : 0)), u32(77));
    return cat(u32(0x60000000), u16(8 + data.length), u8(44), u8(64), ip6('2001:db8::1'), ip6('2001:db8::2'), fh, data);
  };
  const six = [frag6(0, true, u.subarray(0, 1448)), frag6(181, false, u.subarray(1448))];
  const recs6 = six.map((f) => { const e = eth(f, 0x86dd); const r = Buffer.alloc(16); r.writeUInt32LE(2, 0); r.writeUInt32LE(e.length, 8); r.writeUInt32LE(e.length, 12); return cat(r, e); });
  const [d6] = readCapture(cat(file4, ...recs6));
  assert.ok(d6?.payload.equals(payload));
  assert.equal(d6!.src.address, '2001:db8::1');
});

test('capture: what is not UDP, truncated or of an unknown link type is counted', () => {
  const p = new CaptureParser();
  p.push(pcap(1, cat(Buffer.alloc(12), u16(0x0806), Buffer.alloc(28)))); // ARP
  assert.equal(p.stats.notUdp, 1);
  const q = new CaptureParser();
  q.push(pcap(147, Buffer.alloc(40)));
  assert.equal(q.stats.unsupportedLinkType, 1);
  assert.throws(() => new CaptureParser().push(Buffer.alloc(64, 7)), /not a pcap/);
});

test('capture: any chunking of records small and large (past the bytes carried over) gives the same datagrams; the chunks are not kept', () => {
  let x = 7;
  const rand = (n: number): number => (x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) % n;
  const sizes = [1, 40, 1400, 1472, 2100, 8972, 30000, 65000, 3, 1500];
  const packets = Array.from({ length: 60 }, (_, i) => ({ ...P, time: P.time + i, payload: Buffer.alloc(sizes[i % sizes.length]!, i + 1) }));
  const file = pcapFile(packets);
  const want = readCapture(file).map((d) => d.payload.toString('hex'));
  assert.equal(want.length, packets.length);
  for (const payloadViews of [false, true]) {
    for (const cut of [1, 7, 1000, 2047, 2049, 4096, 70000, 'random'] as const) {
      const parser = new CaptureParser({ payloadViews });
      const got: Buffer[] = [];
      let views = 0;
      for (let i = 0; i < file.length;) {
        const n = cut === 'random' ? 1 + rand(20000) : cut;
        const chunk = Buffer.allocUnsafeSlow(Math.min(n, file.length - i)); // its own memory
        file.copy(chunk, 0, i, i + n);
        const payloads = parser.push(chunk).map((d) => d.payload);
        views += payloads.filter((p) => p.buffer === chunk.buffer).length;
        if (payloadViews) got.push(...payloads.map((p) => Buffer.from(p)));
        else {
          got.push(...payloads);
          chunk.fill(0xee); // the caller reuses its buffer: nothing given out or kept may change
        }
        i += n;
      }
      assert.deepEqual(got.map((b) => b.toString('hex')), want, `chunks of ${cut}`);
      assert.equal(parser.leftover, 0);
      // Views into the chunk where a record lies wholly inside one; never without the option.
      if (!payloadViews) assert.equal(views, 0);
      else if (cut === 70000) assert.ok(views > 0);
    }
  }
});
