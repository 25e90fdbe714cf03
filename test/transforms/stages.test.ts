import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { Collector, FlowDecoder, fileSink, tee, toNdjson, type FlowRecord } from '../../index.js';
import { EXPORTER, cat, ip4, ipfix, ipfixTemplate, set, u16, u8, v9, v9Template } from '../helpers/build.js';
import { ROOT } from '../helpers/paths.js';

test('template state survives a restart: exportTemplates -> JSON -> importTemplates', () => {
  const a = new FlowDecoder();
  a.decode(ipfix({ domain: 3 }, set(2, ipfixTemplate(256, [[8, 4], [7, 2], [1, 8, 29305]]))), EXPORTER, 0);
  a.decode(v9({ sourceId: 9 }, set(0, v9Template(300, [[8, 4], [4, 1]]))), EXPORTER, 0);
  const saved = JSON.parse(JSON.stringify(a.exportTemplates())) as ReturnType<FlowDecoder['exportTemplates']>;
  const b = new FlowDecoder();
  assert.equal(b.importTemplates(saved), 2);
  const r1 = b.decode(ipfix({ domain: 3 }, set(256, cat(ip4('10.0.0.1'), u16(80), Buffer.alloc(8)))), EXPORTER, 0).records;
  assert.equal(r1[0]!['sourceTransportPort'], 80);
  assert.equal(r1[0]!['reverseOctetDeltaCount'], 0);
  const r2 = b.decode(v9({ sourceId: 9 }, set(300, cat(ip4('10.0.0.2'), u8(17)))), EXPORTER, 0).records;
  assert.equal(r2[0]!['protocolIdentifier'], 17);
});

test('tee: every destination gets every chunk; the slowest sets the pace', async () => {
  const fast: number[] = [];
  const slow: number[] = [];
  let pending = 0;
  let maxPending = 0;
  const a = new Writable({ objectMode: true, write(x: number, _e, done) { fast.push(x); done(); } });
  const b = new Writable({
    objectMode: true, highWaterMark: 4,
    write(x: number, _e, done) { pending++; maxPending = Math.max(maxPending, pending); setTimeout(() => { slow.push(x); pending--; done(); }, 1); },
  });
  await pipeline(Readable.from(Array.from({ length: 200 }, (_, i) => i)), tee(a, b));
  assert.equal(fast.length, 200);
  assert.deepEqual(slow, fast);
  assert.ok(maxPending <= 1, 'the slow destination is never handed more than it asked for');
});

test('fileSink: NDJSON to gzip files rotated by size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowpipe-sink-'));
  const records = Array.from({ length: 1000 }, (_, i) => ({ i, sourceIPv4Address: `10.0.${i >> 8}.${i & 255}` }));
  const sink = fileSink(join(dir, 'flows.ndjson.gz'), { maxBytes: 10_000 });
  const rotated: string[] = [];
  sink.on('rotate', (f: string) => rotated.push(f));
  await pipeline(Readable.from(records), toNdjson({ batch: 50 }), sink);
  const files = readdirSync(dir).sort((x, y) => Number(x.split('.')[2]) - Number(y.split('.')[2]));
  assert.ok(files.length >= 4, `rotated into ${files.length} files`);
  assert.ok(files.every((f) => /^flows\.ndjson\.\d+\.gz$/.test(f)));
  assert.equal(rotated.length, files.length - 1);
  const lines = files.flatMap((f) => gunzipSync(readFileSync(join(dir, f))).toString().trim().split('\n'));
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { i: number }).i), records.map((r) => r.i));
});

test('fileSink sync: plain files rotated by size hold every line in order; a full device is an error, not a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowpipe-sink-'));
  const records = Array.from({ length: 1000 }, (_, i) => ({ i, sourceIPv4Address: `10.0.${i >> 8}.${i & 255}` }));
  await pipeline(Readable.from(records), toNdjson({ batch: 50 }), fileSink(join(dir, 'flows.ndjson'), { maxBytes: 10_000, sync: true }));
  const files = readdirSync(dir).sort((x, y) => Number(x.split('.')[2]) - Number(y.split('.')[2]));
  assert.ok(files.length >= 4, `rotated into ${files.length} files`);
  const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { i: number }).i), records.map((r) => r.i));
  await assert.rejects(pipeline(Readable.from(records), toNdjson({ batch: 50 }), fileSink('/dev/full', { sync: true })), /ENOSPC/);
});

test('Collector: node-netflowv9 style events on loopback', async () => {
  const c = new Collector({ listen: ['127.0.0.1:0'] });
  const [addr] = await new Promise<{ port: number }[]>((r) => c.once('listening', r));
  const flows: FlowRecord[] = [];
  const templates: unknown[] = [];
  const errors: unknown[] = [];
  c.on('template', (t) => templates.push(t));
  c.on('flowpipe-error', (e) => errors.push(e));
  const got = new Promise<void>((resolve) => c.on('data', (f: FlowRecord) => { flows.push(f); resolve(); }));
  const s = createSocket('udp4');
  const send = (b: Buffer): Promise<void> => new Promise((r) => s.send(b, addr!.port, '127.0.0.1', () => r()));
  await send(v9({}, set(0, v9Template(300, [[8, 4], [4, 1]]))));
  await send(v9({}, set(300, cat(ip4('10.1.2.3'), u8(6)))));
  await send(Buffer.alloc(20, 0xff));
  await got;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(flows[0]!['sourceIPv4Address'], '10.1.2.3');
  assert.equal(templates.length, 1);
  assert.equal((errors[0] as { kind: string }).kind, 'unknown-version');
  s.close();
  c.close();
});

test('demux: datagrams go to their protocol\'s destination; unknown versions are typed errors', async () => {
  const { demux } = await import('../../index.js');
  const { readFileSync } = await import('node:fs');
  const root = ROOT;
  const got: Record<string, number> = {};
  const sinkFor = (name: string): Writable => new Writable({ objectMode: true, write(_d, _e, done) { got[name] = (got[name] ?? 0) + 1; done(); } });
  const d = demux({ ipfix: sinkFor('ipfix'), 'netflow-v9': sinkFor('v9'), 'sflow-v5': sinkFor('sflow'), default: sinkFor('other') });
  const errors: { kind: string }[] = [];
  d.on('flowpipe-error', (e: { kind: string }) => errors.push(e));
  const file = (f: string): Buffer => readFileSync(root + 'test/fixtures/corpus/' + f);
  const datagrams = ['logstash-codec-netflow/ipfix.dat', 'goflow2/nfv9_template_260.bin', 'goflow2/sflow_flow_sample_ipv4.bin', 'goflow2/nfv5_6records.bin']
    .map((f) => ({ data: file(f), exporter: EXPORTER, receivedAt: 0 }));
  datagrams.push({ data: Buffer.alloc(8, 0xff), exporter: EXPORTER, receivedAt: 0 });
  await pipeline(Readable.from(datagrams), d);
  assert.deepEqual(got, { ipfix: 1, v9: 1, sflow: 1, other: 1 });
  assert.deepEqual(errors.map((e) => e.kind), ['unknown-version']);
  assert.equal(d.stats['unknown'], 1);
});
