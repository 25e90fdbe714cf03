// collect under UDP load from a separate sender process (same 2 cores): loss at fixed offered
// rates, and memory over a long run.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDir, root, watchRss, type Row } from './common.js';
import type { Workload } from './workloads.js';

interface CollectStats {
  receiver?: { received: number; dropped: number; kernel?: { drops: number } | null };
  decoder?: { datagrams: number };
  written?: number;
  workerHeapUsed?: number;
  memory?: { rss: number; heapUsed: number; heapTotal?: number };
  workerHeapTotal?: number;
}

/** The last stats line collect printed on stderr. */
function lastStats(err: string): CollectStats {
  return JSON.parse(err.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as CollectStats;
}

interface LoadCase { rate: number; workers: number; sink: 'count' | 'devnull' | 'file' }

/** The sender's exporters (sockets), taking turns: a collector hears several routers. */
const EXPORTERS = 4;

/**
 * collect on loopback, fed by a separate sender process at a fixed rate. One second of load
 * first (the cold start, reported on its own), then a stats snapshot, then the measured run:
 * loss = what the sender sent in the measured run minus what the decoders saw.
 */
/** One collect process under one offered load: cold second, then the measured run. */
interface LoadRun { loss: number; kernel: number; queue: number; cold: number; coldBacklog: number; records_s: number; achieved: number; rss: number }

async function loadRun(w: Workload, c: LoadCase, seconds: number): Promise<LoadRun> {
  const outFile = join(tmpdir(), `flowpipe-bench-${process.pid}.ndjson`);
  // The sender's exporters are sockets of 127.0.0.1 (loopback only), told apart by port: with
  // templateScope 'strict' each is its own exporter, spread over the workers as distinct routers are.
  const { collector, port, stderr } = await startCollect([
    '--template-scope', 'strict', ...(c.workers > 0 ? ['--workers', String(c.workers)] : []), ...(c.sink === 'count' ? ['--format', 'count'] : ['--to', c.sink === 'file' ? outFile : '/dev/null']),
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
  // The cold second: datagrams dropped (kernel or queue), and those not yet decoded 0.3 s after it.
  const cold = (warm.receiver?.kernel?.drops ?? 0) + (warm.receiver?.dropped ?? 0);
  return {
    loss: (100 * (kernel + queue)) / total, kernel, queue, cold, coldBacklog: c.rate + w.setup.length * EXPORTERS - (warm.decoder?.datagrams ?? 0) - cold,
    records_s: (decoded * w.recordsPerDatagram) / seconds, achieved, rss: peak,
  };
}

/**
 * collect on loopback, fed by a separate sender process at a fixed rate, 3 times: each run has
 * one second of load first (the cold start, reported on its own), then a stats snapshot, then
 * the measured seconds. Loss = the kernel's and the queue's drops in the measured window.
 * Reports the run with the median loss.
 */
export async function udpLoad(w: Workload, c: LoadCase, seconds: number): Promise<Row> {
  const runs: LoadRun[] = [];
  for (let i = 0; i < 3; i++) runs.push(await loadRun(w, c, seconds));
  runs.sort((a, b) => a.loss - b.loss);
  const m = runs[1]!;
  const sink = { count: 'counting sink', devnull: 'NDJSON to /dev/null', file: 'NDJSON to a file' }[c.sink];
  const how = `${c.workers > 0 ? `--workers ${c.workers}` : 'one thread'}, ${sink}`;
  return {
    name: `collect ${c.rate / 1000}k datagrams/s (v9, ${EXPORTERS} exporters, ${how})`, records_s: m.records_s, datagrams_s: m.achieved, rss_mb: m.rss,
    note: `loss ${m.loss.toFixed(2)} % (kernel ${m.kernel}, queue ${m.queue} of ${c.rate * seconds}; runs ${runs.map((r) => r.loss.toFixed(2)).join(' / ')} %); cold first second: ${m.cold} lost, ${m.coldBacklog} not yet decoded 0.3 s after it`,
  };
}

/**
 * Offered loads: where loss starts with a counting sink, with NDJSON to /dev/null (serializing
 * without the file system's cost) and to a real file, in one thread and on 2 workers.
 */
export const LOADS: LoadCase[] = [
  ...[25_000, 50_000, 75_000, 100_000].map((rate) => ({ rate, workers: 0, sink: 'count' as const })),
  ...[25_000, 50_000, 75_000, 100_000].map((rate) => ({ rate, workers: 2, sink: 'count' as const })),
  ...[20_000, 25_000].flatMap((rate) => [0, 2].map((workers) => ({ rate, workers, sink: 'devnull' as const }))),
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

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mx = mean(points.map(([x]) => x)), my = mean(points.map(([, y]) => y));
  return points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
}

/** The lowest value per minute (what survives garbage collection), after the first minute. */
function minuteFloors(samples: readonly (readonly [number, number])[]): [number, number][] {
  return perMinute(samples, Math.min, 1);
}

/** `pick` (min or max) of the samples of each minute from minute `from` on. */
function perMinute(samples: readonly (readonly [number, number])[], pick: (a: number, b: number) => number, from = 0): [number, number][] {
  const out = new Map<number, number>();
  for (const [t, v] of samples) {
    const m = Math.floor(t / 60);
    if (m >= from) out.set(m, out.has(m) ? pick(out.get(m)!, v) : v);
  }
  return [...out];
}

/**
 * Memory over a long run (BENCH_SOAK_SECONDS, default 600) at 20k datagrams/s from 4 exporters,
 * NDJSON to /dev/null on 2 workers. RSS from /proc every 5 s; the JS heaps (main thread and
 * workers: in use and committed) from collect's own stats every 10 s, and RSS less the committed
 * heaps (native memory: buffers, code, stacks, malloc arenas), which tells a leak from V8 resizing
 * its young generation. Growth: the slope of the per-minute floors (the lowest value each minute,
 * what survives collection) after the first minute.
 * Writes results/soak.json with every sample.
 */
export async function soak(w: Workload): Promise<Row> {
  const seconds = Number(process.env['BENCH_SOAK_SECONDS'] ?? 600);
  const rate = 20_000;
  const { collector, port, stderr } = await startCollect(['--workers', '2', '--to', '/dev/null']);
  const rss: [number, number][] = [];
  const heap: [number, number][] = [];
  const committed: [number, number][] = [];
  const native: [number, number][] = [];
  const start = Date.now();
  const now = (): number => (Date.now() - start) / 1000;
  const pollRss = setInterval(() => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${collector.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) rss.push([now(), Number(kb) / 1024]);
    } catch { /* exited */ }
  }, 5000);
  const pollHeap = setInterval(() => {
    const t = now();
    collector.kill('SIGUSR1');
    setTimeout(() => {
      const s = lastStats(stderr());
      if (s.memory === undefined) return;
      heap.push([t, (s.memory.heapUsed + (s.workerHeapUsed ?? 0)) / 1048576]);
      const js = ((s.memory.heapTotal ?? 0) + (s.workerHeapTotal ?? 0)) / 1048576;
      committed.push([t, js]);
      // What is not V8's committed heap: buffers, code, thread stacks, malloc arenas.
      native.push([t, s.memory.rss / 1048576 - js]);
    }, 1000);
  }, 10_000);
  const sender = spawn(process.execPath, [join(root, 'dist/bench/sender.js'), String(port), String(rate), String(rate * seconds), w.name, String(EXPORTERS)], { stdio: 'ignore' });
  await new Promise((r) => sender.once('exit', r));
  clearInterval(pollRss);
  clearInterval(pollHeap);
  const exited = new Promise((r) => collector.once('exit', r));
  collector.kill('SIGTERM');
  await exited;
  const end = lastStats(stderr());
  const lost = (end.receiver?.kernel?.drops ?? 0) + (end.receiver?.dropped ?? 0);
  const rssFloors = minuteFloors(rss), heapFloors = minuteFloors(heap), committedFloors = minuteFloors(committed), nativeFloors = minuteFloors(native);
  const rssPeaks = perMinute(rss, Math.max);
  writeFileSync(join(benchDir, 'results', 'soak.json'), JSON.stringify({ seconds, rate, exporters: EXPORTERS, lost, rssPeaks, rssFloors, heapFloors, committedFloors, nativeFloors, rss, heap, committed, native }, null, 1));
  const mb = (n: number | undefined): string => `${Math.round(n ?? 0)} MB`;
  return {
    name: `collect soak ${seconds / 60} min at ${rate / 1000}k datagrams/s (v9, ${EXPORTERS} exporters, --workers 2, NDJSON to /dev/null)`,
    datagrams_s: rate, rss_mb: Math.round(Math.max(...rss.map(([, r]) => r))),
    note: `RSS peak minute 0 ${mb(rssPeaks[0]?.[1])}, last ${mb(rssPeaks.at(-1)?.[1])} (trend ${slope(rssPeaks).toFixed(2)} MB/min); ` +
      `RSS floor minute 1 ${mb(rssFloors[0]?.[1])}, last ${mb(rssFloors.at(-1)?.[1])} (trend ${slope(rssFloors).toFixed(2)} MB/min); ` +
      `JS heaps floor minute 1 ${mb(heapFloors[0]?.[1])}, last ${mb(heapFloors.at(-1)?.[1])} (trend ${slope(heapFloors).toFixed(2)} MB/min); ` +
      `JS heaps committed floor minute 1 ${mb(committedFloors[0]?.[1])}, last ${mb(committedFloors.at(-1)?.[1])}; ` +
      `RSS less committed heaps floor minute 1 ${mb(nativeFloors[0]?.[1])}, last ${mb(nativeFloors.at(-1)?.[1])} (trend ${slope(nativeFloors).toFixed(2)} MB/min); ${lost} of ${rate * seconds} lost`,
  };
}

