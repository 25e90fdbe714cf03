import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FlowDecoder, type FlowRecord } from '../../../lib/index.js';
import { kernelUdpCounters } from '../../../transforms/sources/proc-net-udp.js';
import { toJson } from '../../../lib/ndjson/json.js';
import { parallelDecode } from '../../../transforms/core/parallel-decode.js';
import type { Datagram } from '../../../transforms/core/datagram.js';
import { loadManifest, readCorpus } from '../../helpers/corpus.js';

/** Receive time: now, so templates are not expired when the workers flush at the end. */
const NOW = Date.now();

/** Every raw NetFlow/IPFIX/sFlow corpus sequence, each from its own exporter, interleaved. */
function corpusDatagrams(): Datagram[] {
  const perExporter: Datagram[][] = [];
  loadManifest().filter((m) => m.container === 'raw' && !m.malformed).forEach((m, i) => {
    const exporter = { address: `10.9.${i >> 8}.${i & 255}`, port: 2055 + (i % 3) };
    perExporter.push([...m.needs_templates_from, m.file].map((f) => ({ data: readCorpus(f), exporter, receivedAt: NOW })));
  });
  const out: Datagram[] = [];
  for (let k = 0; perExporter.some((q) => k < q.length); k++) for (const q of perExporter) if (k < q.length) out.push(q[k]!);
  return out;
}

/** What one in-thread decoder gives, as NDJSON lines grouped by exporter (their order kept). */
function expectedByExporter(datagrams: readonly Datagram[], keep: (r: FlowRecord) => boolean = () => true): Map<string, string[]> {
  const dec = new FlowDecoder();
  const out = new Map<string, string[]>();
  const add = (r: FlowRecord): void => {
    if (!keep(r)) return;
    const list = out.get(r.exporter) ?? [];
    list.push(toJson(r));
    out.set(r.exporter, list);
  };
  for (const d of datagrams) dec.decode(d.data, d.exporter, d.receivedAt).records.forEach(add);
  dec.flush(NOW).records.forEach(add);
  return out;
}

function byExporter(ndjson: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of ndjson.split('\n')) {
    if (line === '') continue;
    const exporter = (JSON.parse(line) as { exporter: string }).exporter;
    const list = out.get(exporter) ?? [];
    list.push(line);
    out.set(exporter, list);
  }
  return out;
}

async function run(datagrams: Datagram[], options: Parameters<typeof parallelDecode>[0], slow = false): Promise<{ text: string; stage: ReturnType<typeof parallelDecode> }> {
  const stage = parallelDecode(options);
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1,
    write(c: Buffer, _e, done) {
      chunks.push(c);
      if (slow) setTimeout(done, 2); else done();
    },
  });
  await pipeline(Readable.from(datagrams), stage, sink);
  return { text: Buffer.concat(chunks).toString(), stage };
}

for (const batchDelayMs of [0, 5]) test(`parallelDecode: the whole corpus over 3 workers gives exactly the in-thread records, in order per exporter (batchDelayMs ${batchDelayMs})`, async () => {
  const datagrams = corpusDatagrams();
  const { text, stage } = await run(datagrams, { workers: 3, batchDatagrams: 7, batchDelayMs });
  const expected = expectedByExporter(datagrams);
  const got = byExporter(text);
  assert.ok(expected.size > 50, `${expected.size} exporters`);
  assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
  for (const [exporter, lines] of expected) assert.deepEqual(got.get(exporter), lines, exporter);
  const report = await stage.report();
  assert.equal(report.workers, 3);
  assert.equal(report.stats.datagrams, datagrams.length);
  const total = [...expected.values()].reduce((a, l) => a + l.length, 0);
  assert.equal(report.written, total);
  assert.equal(Object.values(report.stats.records).reduce((a, b) => a + b, 0), total);
});

test('parallelDecode: filter and fields in the workers; count output writes nothing; templates come back', async () => {
  const datagrams = corpusDatagrams();
  const keep = (r: FlowRecord): boolean => r.kind === 'flow' && r['protocolIdentifier'] === 6;
  const { text } = await run(datagrams, { workers: 2, filter: 'kind==flow && protocolIdentifier==6', fields: ['exporter', 'sourceTransportPort'] });
  const expected = [...expectedByExporter(datagrams, keep).values()].flat().map((l) => {
    const r = JSON.parse(l) as Record<string, unknown>;
    return JSON.stringify({ exporter: r['exporter'], sourceTransportPort: r['sourceTransportPort'] });
  }).sort();
  assert.ok(expected.length > 50);
  assert.deepEqual(text.trim().split('\n').sort(), expected);

  const counted = await run(datagrams, { workers: 2, output: 'count' });
  assert.equal(counted.text, '');
  const report = await counted.stage.report();
  assert.equal(report.written, [...expectedByExporter(datagrams).values()].reduce((a, l) => a + l.length, 0));
  const saved = await counted.stage.exportTemplates();
  const reference = new FlowDecoder();
  for (const d of datagrams) reference.decode(d.data, d.exporter, d.receivedAt);
  assert.equal(saved.length, reference.exportTemplates().length);
  assert.equal(new FlowDecoder().importTemplates(saved), saved.length);
});

test('parallelDecode: a stalled reader holds the input back (bounded in flight), and nothing is lost', async () => {
  const once = corpusDatagrams();
  const datagrams = Array.from({ length: 20 }, () => once).flat();
  let pulled = 0;
  const source = Readable.from((function* () { for (const d of datagrams) { pulled++; yield d; } })());
  const stage = parallelDecode({ workers: 2, maxInFlight: 16, batchDatagrams: 4 });
  const chunks: Buffer[] = [];
  let release: (() => void) | null = null;
  const stalled = new Promise<void>((r) => { release = r; });
  const sink = new Writable({
    highWaterMark: 1,
    write(c: Buffer, _e, done) {
      chunks.push(c);
      if (chunks.length === 1) void stalled.then(() => done()); else done();
    },
  });
  const done = pipeline(source, stage, sink);
  await new Promise((r) => setTimeout(r, 1500));
  const pulledWhileStalled = pulled;
  release!();
  await done;
  assert.ok(pulledWhileStalled < datagrams.length / 2, `pulled ${pulledWhileStalled} of ${datagrams.length} while the reader was stalled`);
  const lines = Buffer.concat(chunks).toString().trim().split('\n');
  assert.equal(lines.length, (await stage.report()).written);
  assert.ok(lines.length > 20 * 500);
});

test('kernel UDP counters: drops and queue of the sockets on our ports, IPv4 and IPv6 tables', () => {
  const v4 = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 0100007F:0807 00000000:0000 07 00000000:00001200 00:00000000 00000000     0        0 1111 2 0000000000000000 17
  124: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2222 2 0000000000000000 5
`;
  const v6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  9: 00000000000000000000000000000000:10EB 00000000000000000000000000000000:0000 07 00000000:00000100 00:00000000 00000000     0        0 3333 2 0000000000000000 3
`;
  assert.deepEqual(kernelUdpCounters([v4, v6], new Set([2055, 4331])), { drops: 20, queuedBytes: 0x1200 + 0x100, sockets: 2 });
  assert.deepEqual(kernelUdpCounters([v4], new Set([9999])), { drops: 0, queuedBytes: 0, sockets: 0 });
});
