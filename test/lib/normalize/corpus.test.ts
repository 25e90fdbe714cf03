// Every flow record of every corpus file normalizes, and no byte is lost or invented on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder } from '../../../lib/decoder.js';
import { FlowNormalizer } from '../../../lib/normalize/normalizer.js';
import { NORMALIZED_FIELDS, type NormalizedFlow } from '../../../lib/normalize/flow.js';
import { readCapture } from '../../../lib/capture/reader.js';
import type { FlowRecord } from '../../../lib/types.js';
import { CORPUS_EXPORTER, loadManifest, readCorpus } from '../../helpers/corpus.js';

// The byte counters a flow record can carry, as the exporters' documentation names them
// (independent of lib/normalize's table: if the table drops one, the sums differ).
const FORWARD_BYTES = ['octetDeltaCount', 'octetTotalCount', 'initiatorOctets', 'postOctetDeltaCount', 'frameLength'];
const REVERSE_BYTES = ['reverseOctetDeltaCount', 'reverseOctetTotalCount', 'responderOctets'];

function firstCounter(r: FlowRecord, names: readonly string[]): bigint {
  for (const n of names) {
    const v = r[n];
    if (typeof v === 'number' || typeof v === 'bigint') return BigInt(v);
  }
  return 0n;
}

const big = (v: unknown): bigint => (typeof v === 'number' || typeof v === 'bigint' ? BigInt(v) : 0n);

interface Decoded { raw: FlowRecord[]; normalized: NormalizedFlow[]; viaShape: NormalizedFlow[] }

/** Decodes a corpus entry (templates first) and normalizes every datagram two ways: with the decoder's runs, and by record shape. */
function decodeEntry(file: string, prerequisites: readonly string[], container: string): Decoded {
  const decoder = new FlowDecoder();
  const withRuns = new FlowNormalizer();
  const byShape = new FlowNormalizer();
  const out: Decoded = { raw: [], normalized: [], viaShape: [] };
  const datagrams = container === 'pcap'
    ? readCapture(readCorpus(file)).map((d) => ({ data: d.payload, exporter: d.src, time: d.time, last: true }))
    : [...prerequisites.map((f) => ({ data: readCorpus(f), exporter: CORPUS_EXPORTER, time: 1_700_000_000_000, last: false })),
      { data: readCorpus(file), exporter: CORPUS_EXPORTER, time: 1_700_000_000_000, last: true }];
  for (const d of datagrams) {
    const res = decoder.decode(d.data, d.exporter, d.time);
    const a = withRuns.process(res.records, d.time, res.runs);
    const b = byShape.process(res.records, d.time);
    if (!d.last) continue;
    out.raw.push(...res.records.filter((r) => r.kind === 'flow'));
    out.normalized.push(...(a.filter((r) => !('kind' in r)) as NormalizedFlow[]));
    out.viaShape.push(...(b.filter((r) => !('kind' in r)) as NormalizedFlow[]));
  }
  return out;
}

test('normalize: every flow record of every corpus file, bytes summed exactly, both compile paths agree', () => {
  let files = 0, flows = 0;
  for (const e of loadManifest()) {
    if (e.protocol === 'invalid') continue;
    const { raw, normalized, viaShape } = decodeEntry(e.file, e.needs_templates_from, e.container);
    files++;
    flows += raw.length;
    assert.equal(normalized.length, raw.length, `${e.file}: one normalized flow per flow record`);
    assert.deepEqual(viaShape, normalized, `${e.file}: the run-keyed and the shape-keyed normalizers agree`);
    let source = 0n, normalizedBytes = 0n;
    raw.forEach((r, i) => {
      const n = normalized[i]!;
      source += firstCounter(r, FORWARD_BYTES) + firstCounter(r, REVERSE_BYTES);
      normalizedBytes += big(n.sampledBytes) + big(n.reverseBytes);
      for (const [k, v] of Object.entries(n)) assert.ok(v !== undefined && v !== null, `${e.file}: ${k} is ${String(v)} (absent values are absent keys)`);
      for (const k of ['timeReceived', 'exporter', 'exporterAddress', 'protocol', 'domain', 'sequence', 'samplingRate'] as const) assert.ok(k in n, `${e.file}: ${k}`);
      assert.equal(n.exporter, r.exporter);
      assert.equal(n.protocol, r.protocol);
      for (const k of Object.keys(n)) assert.ok((NORMALIZED_FIELDS as readonly string[]).includes(k) || k === 'applicationName', `${e.file}: unexpected field ${k}`);
    });
    assert.equal(normalizedBytes, source, `${e.file}: sum of sampledBytes + reverseBytes equals the source byte counters`);
  }
  assert.ok(files >= 140, `${files} files`);
  assert.ok(flows >= 700, `${flows} flows`);
});

test('normalize: keys come out in the documented order', () => {
  const { normalized } = decodeEntry('goflow2/nfv9_data_260_21records.bin', ['goflow2/nfv9_template_260.bin'], 'raw');
  const order = (NORMALIZED_FIELDS as readonly string[]);
  for (const n of normalized) {
    const idx = Object.keys(n).map((k) => order.indexOf(k));
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
  }
});
