// Data for the sink tests: a capture of the whole raw corpus (one exporter per file, so vendors'
// template ids do not collide) with its reference NDJSON, and generated flows with a unique
// `sequence` each, for counting what a server stored after a fault.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pcapFile } from '../../lib/capture/pcap-writer.js';
import { loadManifest, CORPUS_DIR } from './corpus.js';
import { lines, run } from './cli.js';

let cached: { pcap: string; flows: Record<string, unknown>[]; text: string[] } | null = null;

/** The corpus capture and what `flowpipe decode --normalize --flows-only` makes of it. */
export function corpusCapture(): { pcap: string; flows: Record<string, unknown>[]; text: string[] } {
  if (cached !== null) return cached;
  const pcap = corpusPcap();
  const r = run(['decode', '--normalize', '--flows-only', pcap]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  const text = r.stdout.toString().trim().split('\n');
  cached = { pcap, flows: lines(r.stdout as Buffer), text };
  return cached;
}

/**
 * The raw corpus as a pcap, one exporter per file (each after the files it takes templates from):
 * all of it, only its sFlow part, or the rest (NetFlow v1/v5/v9, IPFIX).
 */
export function corpusPcap(part: 'all' | 'sflow' | 'netflow' = 'all'): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowpipe-corpus-'));
  const entries = loadManifest().filter((e) => e.container === 'raw' && !e.malformed && e.protocol !== 'invalid'
    && (part === 'all' || (e.protocol === 'sflow-v5') === (part === 'sflow')));
  const packets = entries.flatMap((e, i) => [...e.needs_templates_from, e.file].map((f, j) => ({
    src: { address: `192.0.2.${1 + (i % 250)}`, port: 2055 + Math.floor(i / 250) }, dst: { address: '198.51.100.1', port: 2055 },
    payload: readFileSync(CORPUS_DIR + f), time: 1_700_000_000_000 + i * 10 + j,
  })));
  const pcap = join(dir, `corpus-${part}.pcap`);
  writeFileSync(pcap, pcapFile(packets));
  return pcap;
}

/** `n` normalized-looking flows, `sequence` 0…n-1 (unique), from 8 exporters. */
export function generatedFlows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    timeReceived: 1_700_000_000_000 + i, exporter: `192.0.2.${i % 8}:2055`, exporterAddress: `192.0.2.${i % 8}`, protocol: 'ipfix', domain: 1, sequence: i,
    timeStart: 1_700_000_000_000 + i, timeEnd: 1_700_000_000_500 + i, srcAddr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dstAddr: '198.51.100.7',
    srcPort: 1024 + (i % 60000), dstPort: 443, proto: 6, samplingRate: 1, bytes: 1000 + (i % 500), packets: 1 + (i % 9), sampledBytes: 1000 + (i % 500), sampledPackets: 1 + (i % 9),
  }));
}

/** A readable of records at about `perSecond`, calling `at(i)` before record i (the fault injection). */
export function paced(records: readonly Record<string, unknown>[], perSecond: number, at: (i: number) => Promise<void> | void): Readable {
  const slice = Math.max(1, Math.round(perSecond / 100));
  return Readable.from((async function* () {
    for (let i = 0; i < records.length; i++) {
      await at(i);
      if (i % slice === 0) await new Promise((r) => setTimeout(r, 10));
      yield records[i]!;
    }
  })(), { objectMode: true, highWaterMark: 16 });
}
