// npm run bench: flowpipe's speed, side by side with node-netflowv9 in the same run.
// node-netflowv9 is installed into bench/node_modules with --no-save (never a dependency).
// Writes bench/results/latest.json and latest.md. Not part of the tests.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { FlowDecoder, decode, fileSink, toNdjson, type FlowRecord } from '../index.js';
import { pcapFile } from '../lib/pcap-write.js';
import { workloads, type Workload } from './workloads.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const benchDir = join(root, 'bench');
const RUNS = 5;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 1.5);
/** BENCH_ONLY=decode,ndjson,process,udp,soak runs some sections (all but the 10-minute soak by default). */
const ONLY = new Set((process.env['BENCH_ONLY'] ?? 'decode,ndjson,process,udp').split(','));

interface Row { name: string; records_s?: number; datagrams_s?: number; rss_mb?: number; checksum?: number; note?: string }
const rows: Row[] = [];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssMb = (): number => Math.round(process.memoryUsage().rss / 1048576);

/** Sums a few fields of every record: a run that skips work shows a different checksum. */
function checksum(records: FlowRecord[], acc: number): number {
  for (const r of records) acc = (acc + Number(r['octetDeltaCount'] ?? r['frameLength'] ?? 0) + Object.keys(r).length) % 1e12;
  return acc;
}

/** Decode-only: the same datagrams over and over with template state already learned. */
function decodeOnly(w: Workload): Row {
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
function netflowv9(w: Workload): Row | null {
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
async function decodeNdjson(w: Workload, datagrams: number, fused: boolean): Promise<Row> {
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

/** Polls a child's memory (VmHWM peak or VmRSS) from /proc; `stop()` returns the highest MB seen. */
function watchRss(pid: number | undefined, field: 'VmHWM' | 'VmRSS', everyMs: number): { stop: () => number } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) peak = Math.max(peak, Math.round(Number(kb) / 1024));
    } catch { /* exited */ }
  }, everyMs);
  return { stop: () => { clearInterval(timer); return peak; } };
}

/** Runs a process to completion; resolves with its peak RSS in MB. */
function runMeasured(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    const rss = watchRss(child.pid, 'VmHWM', 20);
    child.once('error', reject);
    child.once('exit', (code) => {
      const peak = rss.stop();
      if (code === 0) resolve(peak);
      else reject(new Error(`${cmd} exited ${code}`));
    });
  });
}

/** `flowpipe decode big.pcap > /dev/null` as a whole process. */
async function wholeProcess(w: Workload, datagrams: number): Promise<Row> {
  const file = join(benchDir, 'results', `bench-${w.name}.pcap`);
  const dst = { address: '192.0.2.2', port: 2055 };
  const packets = [...w.setup, ...Array.from({ length: datagrams }, (_, i) => w.datagrams[i % w.datagrams.length]!)]
    .map((payload, i) => ({ src: w.exporter, dst, payload, time: 1_700_000_000_000 + i }));
  writeFileSync(file, pcapFile(packets));
  const bin = join(root, 'dist/bin/flowpipe.js');
  const times: number[] = [];
  let rss = 0;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    rss = Math.max(rss, await runMeasured(process.execPath, [bin, 'decode', file]));
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const mb = readFileSync(file).length / 1048576;
  const t = median(times);
  return { name: `flowpipe decode ${mb.toFixed(0)} MB pcap (${w.name})`, records_s: (datagrams * w.recordsPerDatagram) / t, datagrams_s: datagrams / t, rss_mb: rss, note: `${t.toFixed(2)} s` };
}

interface CollectStats { receiver?: { received: number; dropped: number; kernel?: { drops: number } | null }; decoder?: { datagrams: number }; written?: number }

/** The last stats line collect printed on stderr. */
function lastStats(err: string): CollectStats {
  return JSON.parse(err.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as CollectStats;
}

interface LoadCase { rate: number; workers: number; sink: 'count' | 'file' }

/** The sender's exporters (sockets), taking turns: a collector hears several routers. */
const EXPORTERS = 4;

/**
 * collect on loopback, fed by a separate sender process at a fixed rate. One second of load
 * first (the cold start, reported on its own), then a stats snapshot, then the measured run:
 * loss = what the sender sent in the measured run minus what the decoders saw.
 */
async function udpLoad(w: Workload, c: LoadCase, seconds: number): Promise<Row> {
  const outFile = join(tmpdir(), `flowpipe-bench-${process.pid}.ndjson`);
  const { collector, port, stderr } = await startCollect([
    ...(c.workers > 0 ? ['--workers', String(c.workers)] : []), ...(c.sink === 'count' ? ['--format', 'count'] : ['--to', outFile]),
  ]);
  const statsNow = async (): Promise<CollectStats> => {
    const before = stderr().length;
    collector.kill('SIGUSR1');
    while (stderr().length === before || !stderr().endsWith('\n')) await new Promise((r) => setTimeout(r, 20));
    return lastStats(stderr());
  };
  const sender = join(root, 'dist/bench/sender.js');
  const send = (total: number): { rate: number } => JSON.parse(execFileSync(process.execPath, [sender, String(port), String(c.rate), String(total), w.name, String(EXPORTERS)]).toString()) as { rate: number };
  send(c.rate); // one second of cold start
  await new Promise((r) => setTimeout(r, 300));
  const warm = await statsNow();
  const rss = watchRss(collector.pid, 'VmRSS', 200);
  const total = c.rate * seconds;
  const achieved = send(total).rate;
  await new Promise((r) => setTimeout(r, 500));
  const exited = new Promise((r) => collector.once('exit', r));
  collector.kill('SIGTERM');
  await exited;
  const peak = rss.stop();
  rmSync(outFile, { force: true });
  const end = lastStats(stderr());
  const decoded = (end.decoder?.datagrams ?? 0) - (warm.decoder?.datagrams ?? 0) - w.setup.length * EXPORTERS;
  const kernel = (end.receiver?.kernel?.drops ?? 0) - (warm.receiver?.kernel?.drops ?? 0);
  const queue = (end.receiver?.dropped ?? 0) - (warm.receiver?.dropped ?? 0);
  const loss = (100 * (kernel + queue)) / total;
  const coldSent = c.rate + w.setup.length * EXPORTERS;
  const coldLoss = coldSent - (warm.decoder?.datagrams ?? 0);
  const how = `${c.workers > 0 ? `--workers ${c.workers}` : 'one thread'}, ${c.sink === 'count' ? 'counting sink' : 'NDJSON to a file'}`;
  return {
    name: `collect ${c.rate / 1000}k datagrams/s (v9, ${EXPORTERS} exporters, ${how})`, records_s: (decoded * w.recordsPerDatagram) / seconds, datagrams_s: achieved, rss_mb: peak,
    note: `loss ${loss.toFixed(2)} % (${kernel + queue} of ${total}: kernel ${kernel}, queue ${queue}); cold first second: ${coldLoss} lost`,
  };
}

/** Offered loads: where loss starts, with a counting sink and with NDJSON to a file, 1 thread and 2 workers. */
const LOADS: LoadCase[] = [
  ...[25_000, 50_000, 75_000, 100_000].map((rate) => ({ rate, workers: 0, sink: 'count' as const })),
  ...[50_000, 75_000, 100_000].map((rate) => ({ rate, workers: 2, sink: 'count' as const })),
  ...[10_000, 15_000, 20_000, 25_000].map((rate) => ({ rate, workers: 0, sink: 'file' as const })),
  ...[15_000, 20_000, 25_000, 30_000].map((rate) => ({ rate, workers: 2, sink: 'file' as const })),
];

/** Starts collect with `args`; resolves with the child and its port once it listens. */
async function startCollect(args: string[]): Promise<{ collector: ReturnType<typeof spawn>; port: number; stderr: () => string }> {
  const collector = spawn(process.execPath, [join(root, 'dist/bin/flowpipe.js'), 'collect', '--listen', '127.0.0.1:0', '--recv-buffer', String(32 * 1024 * 1024), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  collector.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /listening on [^:]+:(\d+)/.exec(err);
      if (m) { clearInterval(poll); resolve(Number(m[1])); }
    }, 20);
    collector.once('exit', () => { clearInterval(poll); reject(new Error(err)); });
  });
  return { collector, port, stderr: () => err };
}

/**
 * Memory over a long run (BENCH_SOAK_SECONDS, default 600) at 20k datagrams/s from 4 exporters,
 * NDJSON to /dev/null on 2 workers: RSS sampled every 5 s; growth is the least-squares slope
 * after the first minute. Writes results/soak.json with the samples.
 */
async function soak(w: Workload): Promise<Row> {
  const seconds = Number(process.env['BENCH_SOAK_SECONDS'] ?? 600);
  const rate = 20_000;
  const { collector, port, stderr } = await startCollect(['--workers', '2', '--to', '/dev/null']);
  const samples: [number, number][] = [];
  const start = Date.now();
  const poll = setInterval(() => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${collector.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) samples.push([(Date.now() - start) / 1000, Number(kb) / 1024]);
    } catch { /* exited */ }
  }, 5000);
  const sender = spawn(process.execPath, [join(root, 'dist/bench/sender.js'), String(port), String(rate), String(rate * seconds), w.name, String(EXPORTERS)], { stdio: 'ignore' });
  await new Promise((r) => sender.once('exit', r));
  clearInterval(poll);
  const exited = new Promise((r) => collector.once('exit', r));
  collector.kill('SIGTERM');
  await exited;
  const end = lastStats(stderr());
  const lost = (end.receiver?.kernel?.drops ?? 0) + (end.receiver?.dropped ?? 0);
  const late = samples.filter(([t]) => t >= 60);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const tx = mean(late.map(([t]) => t)), ry = mean(late.map(([, r]) => r));
  const slope = late.reduce((a, [t, r]) => a + (t - tx) * (r - ry), 0) / late.reduce((a, [t]) => a + (t - tx) ** 2, 0);
  writeFileSync(join(benchDir, 'results', 'soak.json'), JSON.stringify({ seconds, rate, exporters: EXPORTERS, lost, samples }, null, 1));
  const rss = samples.map(([, r]) => r);
  return {
    name: `collect soak ${seconds / 60} min at ${rate / 1000}k datagrams/s (v9, ${EXPORTERS} exporters, --workers 2, NDJSON to /dev/null)`,
    datagrams_s: rate, rss_mb: Math.round(Math.max(...rss)),
    note: `RSS after 1 min ${Math.round(late[0]?.[1] ?? 0)} MB, at the end ${Math.round(rss[rss.length - 1] ?? 0)} MB, trend ${(slope * 60).toFixed(2)} MB/min; ${lost} of ${rate * seconds} lost`,
  };
}

async function main(): Promise<void> {
  mkdirSync(join(benchDir, 'results'), { recursive: true });
  if (!existsSync(join(benchDir, 'node_modules', 'node-netflowv9'))) {
    try {
      execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--prefix', benchDir, 'node-netflowv9'], { stdio: 'ignore' });
    } catch { /* reported as not installed */ }
  }
  const ws = workloads();
  for (const w of ONLY.has('decode') ? ws : []) {
    rows.push(decodeOnly(w));
    if (w.peer) {
      const p = netflowv9(w);
      if (p) rows.push(p);
    }
  }
  for (const w of ONLY.has('ndjson') ? ws : []) {
    rows.push(await decodeNdjson(w, 30_000, false));
    rows.push(await decodeNdjson(w, 30_000, true));
  }
  if (ONLY.has('process')) rows.push(await wholeProcess(ws.find((w) => w.name === 'ipfix')!, 150_000));
  const v9 = ws.find((w) => w.name === 'v9')!;
  for (const c of ONLY.has('udp') ? LOADS : []) rows.push(await udpLoad(v9, c, 4));
  if (ONLY.has('soak')) rows.push(await soak(v9));
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  writeFileSync(join(benchDir, 'results', 'latest.json'), JSON.stringify({ machine, runs: RUNS, seconds: SECONDS, rows }, null, 1));
  const fmt = (n?: number): string => (n === undefined ? '' : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${Math.round(n / 1000)} k`);
  const md = [
    `Machine: ${machine}. Medians of ${RUNS} runs (3 for streams, process and UDP). The UDP sender is a separate process on the same 2 cores.`, '',
    '| workload | records/s | datagrams/s | RSS MB | note |', '|---|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.records_s)} | ${fmt(r.datagrams_s)} | ${r.rss_mb ?? ''} | ${r.note ?? (r.checksum !== undefined ? `checksum ${r.checksum}` : '')} |`),
  ].join('\n');
  writeFileSync(join(benchDir, 'results', 'latest.md'), md + '\n');
  console.log(md);
}

await main();
