// A/B of decode-only and decode + NDJSON speed against another build of flowpipe in one process:
// BENCH_ONLY=ab BENCH_AB=/path/to/other/checkout npm run bench   (the other checkout built with tsc)
// Rounds alternate A and B on the same workloads so the machine's drift hits both alike.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlowDecoder } from '../index.js';
import { RecordOutput } from '../lib/ndjson/record-output.js';
import { median, type Row } from './common.js';
import type { Workload } from './workloads.js';

type Decoded = { records: object[]; runs?: { end: number; keys: readonly string[] }[] };
type DecoderClass = new () => { decode(b: Buffer, e: Workload['exporter'], now?: number): Decoded };
/** lib/ndjson/record-output.js's RecordOutput: the decode stage's fused NDJSON writer. */
type OutputClass = new (selection: object, output: 'ndjson') => { add(records: readonly object[], runs?: Decoded['runs']): void; chunks: { take(): Buffer[] } | null };

interface Build {
  FlowDecoder: DecoderClass;
  RecordOutput: OutputClass;
}

async function load(root: string): Promise<Build> {
  const url = (f: string): string => pathToFileURL(join(root, 'dist', f)).href;
  const { FlowDecoder } = (await import(url('index.js'))) as { FlowDecoder: DecoderClass };
  const { RecordOutput } = (await import(url('lib/ndjson/record-output.js'))) as { RecordOutput: OutputClass };
  return { FlowDecoder, RecordOutput };
}

const ROUNDS = 12;
const ROUND_SECONDS = 0.5;

/** Records/s for ROUND_SECONDS: decoded only, or decoded and written as NDJSON the fused way. */
function round(build: Build, w: Workload, ndjson: boolean): number {
  const dec = new build.FlowDecoder();
  const out = ndjson ? new build.RecordOutput({}, 'ndjson') : null;
  for (const t of w.setup) dec.decode(t, w.exporter, 0);
  let records = 0, n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ROUND_SECONDS * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 200; i++, n++) {
      const r = dec.decode(w.datagrams[n % w.datagrams.length]!, w.exporter, 0);
      records += r.records.length;
      if (out !== null) {
        out.add(r.records, r.runs);
        if (i % 32 === 31) out.chunks!.take();
      }
    }
  }
  return records / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * Records/s of this build (A) and of the build at `otherRoot` (B), interleaved: decode-only, and
 * decode + NDJSON as the decode stage's fused output writes it.
 */
export async function abDecode(otherRoot: string, ws: Workload[]): Promise<Row[]> {
  const here: Build = { FlowDecoder: FlowDecoder as unknown as DecoderClass, RecordOutput: RecordOutput as unknown as OutputClass };
  const other = await load(otherRoot);
  const rows: Row[] = [];
  for (const ndjson of [false, true]) {
    for (const w of ws) {
      const a: number[] = [], b: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        if (r % 2 === 0) { a.push(round(here, w, ndjson)); b.push(round(other, w, ndjson)); }
        else { b.push(round(other, w, ndjson)); a.push(round(here, w, ndjson)); }
      }
      const ratio = median(a) / median(b);
      rows.push({ name: `A/B ${ndjson ? 'decode + NDJSON' : 'decode-only'} ${w.name}: this build`, records_s: median(a), note: `B ${Math.round(median(b) / 1000)} k; A/B ${ratio.toFixed(3)}` });
    }
  }
  return rows;
}
