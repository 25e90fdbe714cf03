// node-sflow (the sFlow collector library on npm) on the sFlow workload, for the decode section.
// It decodes sample headers and records but leaves sampled packet headers raw (flowpipe dissects
// them to L2-L4), and it emits each sample from process.nextTick: rounds of 200 datagrams, then
// the ticks drain before the clock is read again.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { benchDir, median, RUNS, rssMb, SECONDS, type Row } from './common.js';
import type { Workload } from './workloads.js';

type SflowPacket = { on(event: 'flow', cb: (flow: Record<string, unknown>) => void): void };

export async function nodeSflow(w: Workload): Promise<Row> {
  const require = createRequire(join(benchDir, 'package.json'));
  let Packet: (msg: Buffer) => SflowPacket;
  try {
    Packet = require('node-sflow/lib/packet') as typeof Packet;
  } catch {
    return { name: `node-sflow ${w.name}`, note: 'not installed (bench/node_modules)' };
  }
  const results: number[] = [];
  const dgs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let samples = 0, datagrams = 0;
    const count = (): void => { samples++; };
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round(SECONDS * 1e9));
    while (process.hrtime.bigint() < deadline) {
      for (let i = 0; i < 200; i++, datagrams++) Packet(w.datagrams[datagrams % w.datagrams.length]!).on('flow', count);
      await new Promise((r) => setImmediate(r)); // the packets' nextTick decoding runs first
    }
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    results.push(samples / s);
    dgs.push(datagrams / s);
  }
  return { name: `node-sflow ${w.name}`, records_s: median(results), datagrams_s: median(dgs), rss_mb: rssMb(), note: 'samples/s; sampled packet headers left raw (flowpipe dissects them)' };
}
