// npm run bench: flowpipe's speed, side by side with node-netflowv9 (and the packages the brief
// named) in the same run. Peers are installed into bench/node_modules with --no-save (never
// dependencies). Writes bench/results/latest.{json,md} (or latest-<sections>.* for BENCH_ONLY).
// Not part of the tests.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, RUNS, SECONDS, type Row } from './common.js';
import { decodeNdjson, decodeOnly, netflowv9, wholeProcess } from './decode.js';
import { LOADS, soak, udpLoad } from './collect.js';
import { briefPackages } from './packages.js';
import { abDecode } from './ab.js';
import { nodeSflow } from './sflow-peer.js';
import { enrichBench } from './enrich.js';
import { sinkBench } from './sinks.js';
import { analysisBench } from './analysis.js';
import { workloads } from './workloads.js';
import { floodBench } from './flood.js';
import { encodeBench, relayBench } from './encode.js';

/**
 * BENCH_ONLY=decode,enrich,analysis,ndjson,packages,process,sinks,udp,flood,encode,relay,soak,ab runs some sections (all but the 10-minute
 * soak and the A/B by default). `ab` compares decode-only speed with the build at BENCH_AB.
 */
const DEFAULT = 'decode,enrich,analysis,ndjson,packages,process,sinks,udp,flood,encode,relay';
const ONLY = new Set((process.env['BENCH_ONLY'] ?? DEFAULT).split(','));
const PEERS = ['node-netflowv9', 'node-sflow', 'ndjson', 'pump'];
const rows: Row[] = [];

async function main(): Promise<void> {
  mkdirSync(join(benchDir, 'results'), { recursive: true });
  if (PEERS.some((p) => !existsSync(join(benchDir, 'node_modules', p)))) {
    try {
      execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--prefix', benchDir, ...PEERS], { stdio: 'ignore' });
    } catch { /* reported as not installed */ }
  }
  const ws = workloads();
  for (const w of ONLY.has('decode') ? ws : []) {
    rows.push(decodeOnly(w));
    if (w.peer) {
      const p = netflowv9(w);
      if (p) rows.push(p);
    }
    if (w.name === 'sflow') rows.push(await nodeSflow(w));
  }
  if (ONLY.has('enrich')) rows.push(...await enrichBench(ws));
  if (ONLY.has('analysis')) rows.push(...analysisBench());
  for (const w of ONLY.has('ndjson') ? ws : []) {
    rows.push(await decodeNdjson(w, 30_000, false));
    rows.push(await decodeNdjson(w, 30_000, true));
  }
  if (ONLY.has('packages')) rows.push(...await briefPackages(ws.find((w) => w.name === 'v9')!));
  // Whole process on >= 2 M records per workload; v9 from 4 exporters also with decode --workers.
  for (const w of ONLY.has('process') ? ws : []) rows.push(await wholeProcess(w, Math.ceil(2_100_000 / w.recordsPerDatagram)));
  for (const n of ONLY.has('process') ? [0, 1, 2] : []) rows.push(await wholeProcess(ws[0]!, 100_000, n > 0 ? ['--workers', String(n)] : [], 4));
  if (ONLY.has('sinks')) rows.push(...await sinkBench(ws.find((w) => w.name === 'v9')!, 20_000));
  const v9 = ws.find((w) => w.name === 'v9')!;
  // BENCH_UDP_SINK=count (or devnull, file) runs only the loads with that sink.
  const sinkOnly = process.env['BENCH_UDP_SINK'];
  for (const c of ONLY.has('udp') ? LOADS.filter((l) => sinkOnly === undefined || l.sink === sinkOnly) : []) rows.push(await udpLoad(v9, c, 3));
  if (ONLY.has('flood')) rows.push(...floodBench());
  if (ONLY.has('encode')) rows.push(...encodeBench(ws));
  for (const r of ONLY.has('relay') ? [25_000, 50_000, 75_000] : []) rows.push(await relayBench(r));
  if (ONLY.has('soak')) rows.push(await soak(v9));
  if (ONLY.has('ab') && process.env['BENCH_AB']) rows.push(...await abDecode(process.env['BENCH_AB'], ws));
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const name = ONLY.size === DEFAULT.split(',').length && DEFAULT.split(',').every((x) => ONLY.has(x)) ? 'latest' : `latest-${[...ONLY].join('-')}`;
  writeFileSync(join(benchDir, 'results', `${name}.json`), JSON.stringify({ machine, runs: RUNS, seconds: SECONDS, rows }, null, 1));
  const fmt = (n?: number): string => (n === undefined ? '' : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${Math.round(n / 1000)} k`);
  const md = [
    `Machine: ${machine}. Medians of ${RUNS} runs (3 for the whole process; each UDP load: the median-loss run of 3 collect processes). The UDP sender is a separate process on the same 2 cores.`, '',
    '| workload | records/s | datagrams/s | RSS MB | note |', '|---|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.records_s)} | ${fmt(r.datagrams_s)} | ${r.rss_mb ?? ''} | ${r.note ?? (r.checksum !== undefined ? `checksum ${r.checksum}` : '')} |`),
  ].join('\n');
  writeFileSync(join(benchDir, 'results', `${name}.md`), md + '\n');
  console.log(md);
}

await main();

