import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { captureBatches, captureSource, decode, pcapFile, filter, fromNdjson, map, toNdjson, udpSource, allowlist, type FlowRecord, type Datagram } from '../../index.js';
import { cat, ip4, set, u32, u8, v9, v9Template } from '../helpers/build.js';
import { loadManifest, readCorpus } from '../helpers/corpus.js';
import { compileFilter } from '../../lib/filter/expr.js';
import { pickFields } from '../../lib/ndjson/record-output.js';
import { ROOT } from '../helpers/paths.js';

const root = ROOT;
const collect = <T>(): { sink: Writable; items: T[] } => {
  const items: T[] = [];
  return { items, sink: new Writable({ objectMode: true, write(x: T, _e, done) { items.push(x); done(); } }) };
};

test('streams: capture file -> decode -> records; gzip and stdin-style streams give the same records', async () => {
  const file = root + 'test/fixtures/corpus/tcpdump/sflow-print-v6.pcap';
  const a = collect<FlowRecord>();
  const dec = decode();
  const errors: unknown[] = [];
  dec.on('flowpipe-error', (e) => errors.push(e));
  await pipeline(captureSource(file), dec, a.sink);
  assert.equal(a.items.length, 61);
  assert.deepEqual(errors, []);
  assert.equal(a.items[0]!.exporter, '[30::1:1:1]:36123');
  assert.equal(dec.stats.records['sflow-v5/counters'], 48);
  const b = collect<FlowRecord>();
  await pipeline(captureSource(Readable.from([gzipSync(readFileSync(file))])), decode(), b.sink);
  assert.deepEqual(b.items.map((r) => ({ ...r, exportTime: 0 })), a.items.map((r) => ({ ...r, exportTime: 0 })));
});

test('streams: captureBatches gives the datagrams of captureSource in arrays; decode() takes them as they come', async () => {
  for (const file of [root + 'test/fixtures/corpus/tcpdump/sflow-print-v6.pcap', root + 'examples/samples/softflowd-ipfix.bin']) {
    const singles: Datagram[] = [];
    for await (const d of captureSource(file)) singles.push(d as Datagram);
    const batches: Datagram[][] = [];
    for await (const b of captureBatches(file)) batches.push(b);
    const when = (d: Datagram): Datagram => ({ ...d, receivedAt: 0 }); // raw bytes are stamped when read
    assert.deepEqual(batches.flat().map(when), singles.map(when));
    const a = collect<FlowRecord>();
    await pipeline(captureSource(file), decode(), a.sink);
    const b = collect<FlowRecord>();
    await pipeline(Readable.from(captureBatches(file)), decode(), b.sink);
    assert.ok(a.items.length > 0);
    assert.deepEqual(b.items.map((r) => ({ ...r, exportTime: 0 })), a.items.map((r) => ({ ...r, exportTime: 0 })));
  }
});

test('streams: captureBatches cuts a large chunk into batches of at most 64 KiB of datagrams, in order', async () => {
  // One 1.2 MiB chunk (a user stream, a large read): decoded in one go it would leave as one burst.
  const payloads = Array.from({ length: 800 }, (_, i) => Buffer.alloc(1400 + (i % 7), i & 255));
  const pcap = pcapFile(payloads.map((payload, i) => ({ src: { address: '192.0.2.1', port: 2055 }, dst: { address: '192.0.2.2', port: 2055 }, time: 1_700_000_000_000 + i, payload })));
  const ipfix = readFileSync(root + 'examples/samples/softflowd-ipfix.bin');
  const raw = Buffer.concat(Array.from({ length: 1600 }, () => ipfix));
  let perCopy = 0;
  for await (const b of captureBatches(Readable.from([ipfix]))) perCopy += b.length;
  for (const [input, count] of [[pcap, payloads.length], [raw, 1600 * perCopy]] as const) {
    const batches: Datagram[][] = [];
    for await (const b of captureBatches(Readable.from([input]))) batches.push(b);
    assert.equal(batches.flat().length, count);
    assert.ok(batches.length >= Math.floor(input.length / 65536), `${batches.length} batches`);
    for (const b of batches) {
      const bytes = b.reduce((n, d) => n + d.data.length, 0);
      assert.ok(bytes - b.at(-1)!.data.length < 64 * 1024, `a batch of ${bytes} bytes`);
    }
    if (input === pcap) assert.deepEqual(batches.flat().map((d) => d.data), payloads);
  }
});

test('streams: raw export bytes are attributed to the given exporter', async () => {
  const out = collect<FlowRecord>();
  await pipeline(captureSource(root + 'examples/samples/softflowd-ipfix.bin', { exporter: { address: '192.0.2.7', port: 9995 } }), decode(), out.sink);
  assert.equal(out.items.length, 13);
  assert.equal(out.items[0]!.exporter, '192.0.2.7:9995');
});

test('streams: toNdjson batches, fromNdjson reads back with integers above 2^53 exact', async () => {
  const records = [{ a: 1, big: 2n ** 64n - 1n, s: 'x "12345678901234567890"' }, { a: 2, neg: -(2n ** 60n), f: 1.5 }];
  const chunks: string[] = [];
  await pipeline(Readable.from(records), toNdjson({ batch: 1 }), new Writable({ write(c: Buffer, _e, done) { chunks.push(c.toString()); done(); } }));
  assert.equal(chunks.join(''), '{"a":1,"big":18446744073709551615,"s":"x \\"12345678901234567890\\""}\n{"a":2,"neg":-1152921504606846976,"f":1.5}\n');
  const back = collect<Record<string, unknown>>();
  await pipeline(Readable.from([chunks.join('')]), fromNdjson(), back.sink);
  assert.deepEqual(back.items, records);
});

test('streams: toNdjson lets a trickle through without waiting for a full batch or the end', async () => {
  const out = toNdjson();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  out.write({ kind: 'flow', n: 1 });
  out.write({ kind: 'flow', n: 2 });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(chunks, ['{"kind":"flow","n":1}\n{"kind":"flow","n":2}\n']); // one chunk per turn
  out.write({ kind: 'flow', n: 3, big: 2n ** 64n, s: 'caf\u00e9 "x"' });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(chunks[1], '{"kind":"flow","n":3,"big":18446744073709551616,"s":"caf\u00e9 \\"x\\""}\n');
  out.end();
  await new Promise((r) => out.on('end', r));
  assert.equal(chunks.length, 2);
});

test("streams: decode({ output: 'ndjson' }) writes what decode() -> toNdjson() writes, filter and fields included", async () => {
  const datagrams: Datagram[] = [];
  loadManifest().filter((m) => m.container === 'raw' && !m.malformed).forEach((m, i) => {
    const exporter = { address: `10.8.0.${i}`, port: 2055 };
    for (const f of [...m.needs_templates_from, m.file]) datagrams.push({ data: readCorpus(f), exporter, receivedAt: Date.now() });
  });
  const text = async (...stages: NodeJS.ReadWriteStream[]): Promise<string> => {
    const chunks: Buffer[] = [];
    await pipeline([Readable.from(datagrams), ...stages, new Writable({ write(c: Buffer, _e, done) { chunks.push(c); done(); } })]);
    return Buffer.concat(chunks).toString();
  };
  const viaStages = await text(decode(), toNdjson());
  assert.ok(viaStages.split('\n').length > 700);
  assert.equal(await text(decode({ output: 'ndjson' })), viaStages);
  const expr = 'kind==flow && protocolIdentifier==17';
  const fields = ['exporter', 'destinationTransportPort', 'octetDeltaCount'];
  const selected = await text(decode({ output: 'ndjson', select: { filter: expr, fields } }));
  assert.equal(selected, await text(decode(), filter(compileFilter(expr)), map((r: Record<string, unknown>) => pickFields(r, fields)), toNdjson()));
  assert.ok(selected.split('\n').length > 20);
});

test('streams: map and filter', async () => {
  const out = collect<number>();
  await pipeline(Readable.from([1, 2, 3, 4]), filter((x: number) => x % 2 === 0), map(async (x: number) => x * 10), out.sink);
  assert.deepEqual(out.items, [20, 40]);
});

test('streams: backpressure: the source never runs far ahead of a slow sink', async () => {
  const tpl = v9({ sourceId: 1 }, set(0, v9Template(300, [[8, 4], [12, 4], [1, 4]])));
  const data = v9({ sourceId: 1 }, set(300, ...Array.from({ length: 20 }, (_, i) => cat(ip4(`10.0.0.${i}`), ip4('10.0.1.1'), u32(i)))));
  let produced = 0;
  let consumed = 0;
  let maxAhead = 0;
  const total = 20_000;
  const source = new Readable({
    objectMode: true,
    highWaterMark: 16,
    read() {
      const d: Datagram = { data: produced === 0 ? tpl : data, exporter: { address: '192.0.2.1', port: 2055 }, receivedAt: 0 };
      produced++;
      maxAhead = Math.max(maxAhead, produced - Math.floor(consumed / 20));
      this.push(produced > total ? null : d);
    },
  });
  const slow = new Writable({ objectMode: true, highWaterMark: 16, write(_r, _e, done) { consumed++; if (consumed % 50 === 0) setImmediate(done); else done(); } });
  await pipeline(source, decode(), slow);
  assert.equal(consumed, (total - 1) * 20);
  assert.ok(maxAhead < 2000, `source ran ${maxAhead} datagrams ahead of the sink`);
});

test('udpSource: loopback v4/v6, allowlist, bounded queue counts drops', async () => {
  const src = udpSource({ listen: ['127.0.0.1:0', '[::1]:0'], allow: ['127.0.0.1', '::1'], maxQueue: 5 });
  const [v4, v6] = await src.listen();
  const client4 = createSocket('udp4');
  const client6 = createSocket('udp6');
  const tpl = v9({ sourceId: 1 }, set(0, v9Template(300, [[8, 4], [4, 1]])));
  const data = v9({ sourceId: 1 }, set(300, cat(ip4('10.9.9.9'), u8(17))));
  const send = (c: ReturnType<typeof createSocket>, b: Buffer, port: number, host: string): Promise<void> => new Promise((r) => c.send(b, port, host, () => r()));
  await send(client4, tpl, v4!.port, '127.0.0.1');
  await send(client4, data, v4!.port, '127.0.0.1');
  await send(client6, cat(tpl), v6!.port, '::1');
  const got: Datagram[] = [];
  for await (const d of src) {
    got.push(d as Datagram);
    if (got.length === 3) break;
  }
  assert.deepEqual(got.map((d) => d.exporter.address).sort(), ['127.0.0.1', '127.0.0.1', '::1']);
  client4.close();
  client6.close();

  // A bigger kernel buffer and a pause every 50 sends: sender and receiver share this event loop.
  const flood = udpSource({ listen: ['127.0.0.1:0'], maxQueue: 10, recvBufferSize: 4 * 1024 * 1024 });
  const [addr] = await flood.listen();
  flood.pause();
  const c = createSocket('udp4');
  for (let i = 0; i < 400; i++) {
    await send(c, data, addr!.port, '127.0.0.1');
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(flood.stats.dropped > 0, 'datagrams beyond the queue are dropped and counted');
  assert.ok(flood.stats.queued <= 10);
  assert.equal(flood.stats.received, 400);
  assert.equal(flood.stats.dropped, 400 - 256 - 10, 'the stream buffer (256) and the queue (10) hold the rest');
  c.close();
  flood.destroy();

  const allow = allowlist(['192.0.2.0/24', '198.51.100.7:2055', '2001:db8::/32']);
  assert.equal(allow('192.0.2.9', 1), true);
  assert.equal(allow('198.51.100.7', 2055), true);
  assert.equal(allow('198.51.100.7', 2056), false);
  assert.equal(allow('2001:db8::5', 1), true);
  assert.equal(allow('203.0.113.1', 1), false);
});

test('framer: cuts concatenated raw exports by their own lengths and resyncs after garbage', async () => {
  const { framer } = await import('../../index.js');
  const corpus = (f: string): Buffer => readFileSync(root + 'test/fixtures/corpus/' + f);
  const v5 = corpus('logstash-codec-netflow/netflow5.dat'); // 12 v5 datagrams
  const ipfix = corpus('logstash-codec-netflow/ipfix.dat'); // 3 IPFIX messages
  const sflow = corpus('gopacket/sflow_packet2_flow_and_counter_samples.bin');
  const v9 = cat(corpus('goflow2/nfv9_template_260.bin'), corpus('goflow2/nfv9_data_260_21records.bin'));
  const stream = cat(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x42]), v5, ipfix, Buffer.alloc(3, 0xff), sflow, v9);
  const f = framer();
  const msgs = collect<Datagram>();
  // Feed in awkward chunk sizes: lengths must work across chunk boundaries.
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 97) chunks.push(stream.subarray(i, i + 97));
  await pipeline(Readable.from(chunks), f, msgs.sink);
  assert.equal(f.stats.messages, 12 + 3 + 1 + 2);
  assert.equal(f.stats.skippedBytes, 5 + 3);
  assert.equal(f.stats.garbageRuns, 2);
  const out = collect<FlowRecord>();
  const dec = decode();
  const errors: { kind: string }[] = [];
  dec.on('flowpipe-error', (e: { kind: string }) => errors.push(e));
  await pipeline(Readable.from(msgs.items), dec, out.sink);
  assert.equal(out.items.length, 30 + 13 + 3 + 21);
  assert.deepEqual(errors.map((e) => e.kind), ['unknown-version', 'unknown-version'], 'each garbage run is reported, not dropped silently');
});
