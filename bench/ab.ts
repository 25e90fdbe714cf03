// A/B of decode-only speed against another build of flowpipe in one process:
// BENCH_ONLY=ab BENCH_AB=/path/to/other/checkout npm run bench   (the other checkout built with tsc)
// Rounds alternate A and B on the same workloads so the machine's drift hits both alike.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlowDecoder } from '../index.js';
import { median, type Row } from './common.js';
import type { Workload } from './workloads.js';

type DecoderClass = new () => { decode(b: Buffer, e: Workload['exporter'], now?: number): { records: unknown[] } };

const ROUNDS = 12;
const ROUND_SECONDS = 0.5;

function round(Decoder: DecoderClass, w: Workload): number {
  const dec = new Decoder();
  for (const t of w.setup) dec.decode(t, w.exporter, 0);
  let records = 0, n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ROUND_SECONDS * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 200; i++, n++) records += dec.decode(w.datagrams[n % w.datagrams.length]!, w.exporter, 0).records.length;
  }
  return records / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Decode-only records/s of this build (A) and of the build at `otherRoot` (B), interleaved. */
export async function abDecode(otherRoot: string, ws: Workload[]): Promise<Row[]> {
  const other = (await import(pathToFileURL(join(otherRoot, 'dist', 'index.js')).href)) as { FlowDecoder: DecoderClass };
  const rows: Row[] = [];
  for (const w of ws) {
    const a: number[] = [], b: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) { a.push(round(FlowDecoder, w)); b.push(round(other.FlowDecoder, w)); }
      else { b.push(round(other.FlowDecoder, w)); a.push(round(FlowDecoder, w)); }
    }
    const ratio = median(a) / median(b);
    rows.push({ name: `A/B decode-only ${w.name}: this build`, records_s: median(a), note: `B ${Math.round(median(b) / 1000)} k; A/B ${ratio.toFixed(3)}` });
  }
  return rows;
}
