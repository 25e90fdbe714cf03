// Decode benchmarks in this process: decode-only per protocol, node-netflowv9 on the same
// datagrams, decode + NDJSON through streams, and `flowpipe decode` of a big pcap as a process.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FlowDecoder, decode, fileSink, toNdjson, type FlowRecord } from '../index.js';
import { pcapFile } from '../lib/capture/pcap-writer.js';
import { benchDir, median, root, rssMb, RUNS, SECONDS, watchRss, type Row } from './common.js';
import type { Workload } from './workloads.js';

/** Sums a few fields of every record: a run that skips work shows a different checksum. */
function checksum(records: FlowRecord[], acc: number): number {
  for (const r of records) acc = (acc + Number(r['octetDeltaCount'] ?? r['frameLength'] ?? 0) + Object.keys(r).length) % 1e12;
  return acc;
}

/** Decode-only: the same datagrams over and over with template state already learned. */
export function decodeOnly(w: Workload): Row {
  const results: number[] = [];
  const dgs: number[] = [];
  let sum = 0;
  for (let run = 0; run < RUNS; run++) {
    const dec = new FlowDecoder();
    for (const t of w.setup) dec.decode(t, w.exporter, 0);
    let records = 0, datagrams = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round(SECONDS * 1e9));
    while (process.hrtime.bigint() < deadline) {
      for (let i = 0; i < 200; i++) {
        const r = dec.decode(w.datagrams[datagrams % w.datagrams.length]!, w.exporter, 0).records;
        records += r.length;
        datagrams++;
        if (i === 0) sum = checksum(r, sum);
      }
    }
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    results.push(records / s);
    dgs.push(datagrams / s);
  }
  return { name: `decode-only ${w.name}`, records_s: median(results), datagrams_s: median(dgs), rss_mb: rssMb(), checksum: sum };
}

/** node-netflowv9 on the same datagrams (it decodes v1/v5/v7/v9; no IPFIX, no sFlow). */
export function netflowv9(w: Workload): Row | null {
  const require = createRequire(join(benchDir, 'package.json'));
  let NetFlowV9: (o: object) => { nfPktDecode: (m: Buffer, r: object) => { flows?: unknown[] } };
  try {
    NetFlowV9 = require('node-netflowv9') as typeof NetFlowV9;
  } catch {
    return { name: `node-netflowv9 ${w.name}`, note: 'not installed (bench/node_modules)' };
  }
  const results: number[] = [];
  const dgs: number[] = [];
  let sum = 0;
  const rinfo = { address: w.exporter.address, port: w.exporter.port, size: 1500 };
  for (let run = 0; run < RUNS; run++) {
    const nf = NetFlowV9({ cb: () => undefined });
    for (const t of w.setup) nf.nfPktDecode(t, rinfo);
    let records = 0, datagrams = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round(SECONDS * 1e9));
    while (process.hrtime.bigint() < deadline) {
      for (let i = 0; i < 200; i++) {
        const o = nf.nfPktDecode(w.datagrams[datagrams % w.datagrams.length]!, rinfo);
        const flows = (o?.flows ?? []) as Record<string, unknown>[];
        records += flows.length;
        datagrams++;
        if (i === 0) for (const f of flows) sum = (sum + Number(f['in_bytes'] ?? f['dOctets'] ?? 0) + Object.keys(f).length) % 1e12;
      }
    }
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    results.push(records / s);
    dgs.push(datagrams / s);
  }
  return { name: `node-netflowv9 ${w.name}`, records_s: median(results), datagrams_s: median(dgs), rss_mb: rssMb(), checksum: sum };
}

/**
 * decode() -> toNdjson() -> fileSink('/dev/null') through node:stream pipeline (`fused`: the
 * decode stage writes NDJSON itself, as the CLI does).
 */
export async function decodeNdjson(w: Workload, datagrams: number, fused: boolean): Promise<Row> {
  const results: number[] = [];
  let peak = 0;
  for (let run = 0; run < RUNS; run++) {
    let i = 0;
    const src = new Readable({
      objectMode: true,
      highWaterMark: 64,
      read() {
        for (let k = 0; k < 32; k++) {
          if (i >= datagrams + w.setup.length) return void this.push(null);
          const data = i < w.setup.length ? w.setup[i]! : w.datagrams[i % w.datagrams.length]!;
          i++;
          this.push({ data, exporter: w.exporter, receivedAt: 0 });
        }
      },
    });
    const dec = fused ? decode({ output: 'ndjson' }) : decode();
    const start = process.hrtime.bigint();
    const timer = setInterval(() => { peak = Math.max(peak, rssMb()); }, 100);
    await pipeline(fused ? [src, dec, fileSink('/dev/null')] : [src, dec, toNdjson(), fileSink('/dev/null')]);
    clearInterval(timer);
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    results.push(Object.values(dec.stats.records).reduce((a, b) => a + b, 0) / s);
  }
  const name = fused ? `decode({ output: 'ndjson' }) ${w.name}` : `decode() -> toNdjson() ${w.name}`;
  return { name, records_s: median(results), datagrams_s: median(results) / w.recordsPerDatagram, rss_mb: peak };
}

/** Runs a process to completion, its stdout piped into `wc -c`; resolves with its peak RSS in MB. */
function runMeasured(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const wc = spawn('wc', ['-c'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const child = spawn(cmd, args, { stdio: ['ignore', wc.stdin, 'ignore'] });
    wc.stdin.destroy(); // the child holds the write end now
    const rss = watchRss(child.pid, 'VmHWM', 20);
    child.once('error', reject);
    child.once('exit', (code) => {
      const peak = rss.stop();
      if (code === 0) resolve(peak);
      else reject(new Error(`${cmd} exited ${code}`));
    });
  });
}

/**
 * `flowpipe decode big.pcap [args] | …` as a whole process, stdout a pipe. `exporters`: the
 * datagrams come from that many exporters in turn (each sends the templates first).
 */
export async function wholeProcess(w: Workload, datagrams: number, args: string[] = [], exporters = 1): Promise<Row> {
  const file = join(benchDir, 'results', `bench-${w.name}-${exporters}.pcap`);
  const dst = { address: '192.0.2.2', port: 2055 };
  const from = (i: number): Workload['exporter'] => (exporters === 1 ? w.exporter : { address: `192.0.2.${100 + (i % exporters)}`, port: w.exporter.port });
  const setup = Array.from({ length: exporters }, (_, e) => w.setup.map((payload) => ({ src: from(e), payload }))).flat();
  const data = Array.from({ length: datagrams }, (_, i) => ({ src: from(i), payload: w.datagrams[i % w.datagrams.length]! }));
  writeFileSync(file, pcapFile([...setup, ...data].map((d, i) => ({ ...d, dst, time: 1_700_000_000_000 + i }))));
  const bin = join(root, 'dist/bin/flowpipe.js');
  const times: number[] = [];
  let rss = 0;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    rss = Math.max(rss, await runMeasured(process.execPath, [bin, 'decode', ...args, file]));
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const mb = readFileSync(file).length / 1048576;
  rmSync(file);
  const t = median(times);
  const how = [exporters > 1 ? `${exporters} exporters` : '', ...args].filter(Boolean).join(' ');
  return { name: `flowpipe decode ${mb.toFixed(0)} MB pcap (${w.name}${how ? ', ' + how : ''}) into a pipe`, records_s: (datagrams * w.recordsPerDatagram) / t, datagrams_s: datagrams / t, rss_mb: rss, note: `${t.toFixed(2)} s` };
}

