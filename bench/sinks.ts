// Records/s into each real server, whole process: `flowpipe decode capture.pcap --normalize --to URL`
// against servers started from Debian's packages on this machine (the servers share its 2 cores),
// side by side with the same command writing NDJSON to /dev/null. Servers and clients that are not
// installed are reported as such.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pcapFile } from '../lib/capture/pcap-writer.js';
import { benchDir, median, root, type Row } from './common.js';
import type { Workload } from './workloads.js';
import { startClickHouse, startKafkaMock, startNats, startPostgres, startRedis, type TestServer } from '../test/helpers/servers.js';

function timed(args: string[]): Promise<{ seconds: number; code: number | null; err: string }> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'dist/bin/flowpipe.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('exit', (code) => resolve({ seconds: Number(process.hrtime.bigint() - start) / 1e9, code, err }));
  });
}

interface Target { name: string; start: () => Promise<{ url: (run: number) => string; stop: () => Promise<void> }> }

const server = (s: TestServer): { stop: () => Promise<void> } => ({ stop: () => s.stop() });

const TARGETS: Target[] = [
  { name: 'NDJSON to /dev/null', start: () => Promise.resolve({ url: () => '/dev/null', stop: () => Promise.resolve() }) },
  { name: 'Kafka (mock cluster, lz4)', start: async () => { const m = await startKafkaMock(); return { url: (r) => `kafka://${m.brokers}/bench${r}?compression=lz4`, stop: () => m.stop() }; } },
  { name: 'Redis list', start: async () => { const s = await startRedis(); return { url: (r) => `redis://127.0.0.1:${s.port}/bench${r}?mode=list`, ...server(s) }; } },
  { name: 'Redis stream', start: async () => { const s = await startRedis(); return { url: (r) => `redis://127.0.0.1:${s.port}/bench${r}?mode=stream&maxlen=5000000`, ...server(s) }; } },
  { name: 'NATS JetStream', start: async () => { const s = await startNats(); return { url: (r) => `nats://127.0.0.1:${s.port}/bench.flows?stream=BENCH${r}&batch=5000`, ...server(s) }; } },
  { name: 'ClickHouse 18.16 (HTTP, JSONEachRow)', start: async () => { const s = await startClickHouse(); return { url: (r) => `clickhouse://127.0.0.1:${s.port}/bench.flows${r}`, ...server(s) }; } },
  { name: 'PostgreSQL 15 (COPY)', start: async () => { const s = await startPostgres(); return { url: (r) => `postgres://postgres@127.0.0.1:${s.port}/flows?table=bench${r}`, ...server(s) }; } },
];

/** Each sink: 3 runs of the whole process on a capture of `datagrams` datagrams of `w`. */
export async function sinkBench(w: Workload, datagrams: number): Promise<Row[]> {
  const file = join(benchDir, 'results', `bench-sinks-${w.name}.pcap`);
  const dst = { address: '192.0.2.2', port: 2055 };
  const packets = [...w.setup, ...Array.from({ length: datagrams }, (_, i) => w.datagrams[i % w.datagrams.length]!)]
    .map((payload, i) => ({ src: w.exporter, dst, payload, time: 1_700_000_000_000 + i }));
  writeFileSync(file, pcapFile(packets));
  const records = datagrams * w.recordsPerDatagram;
  const rows: Row[] = [];
  for (const t of TARGETS) {
    let s: Awaited<ReturnType<Target['start']>>;
    try {
      s = await t.start();
    } catch (err) {
      rows.push({ name: `into ${t.name}`, note: `not run: ${(err as Error).message.split('\n')[0]}` });
      continue;
    }
    const times: number[] = [];
    let note = '';
    for (let run = 0; run < 3; run++) {
      const r = await timed(['decode', file, '--normalize', '--to', s.url(run)]);
      if (r.code !== 0) { note = `exit ${r.code}: ${r.err.trim().split('\n').pop()}`; break; }
      times.push(r.seconds);
    }
    await s.stop();
    rows.push(times.length === 0 ? { name: `into ${t.name}`, note } : { name: `flowpipe decode --normalize --to ${t.name}, ${(records / 1e6).toFixed(2)} M ${w.name} records`, records_s: records / median(times), note: `${median(times).toFixed(2)} s` });
  }
  return rows;
}
