// aggregate and topN on one core: normalized flows (200,000 generated over two minutes, to
// 20,000 destinations with a skewed (Zipf-like) popularity, as traffic has) through Aggregator
// (1-minute windows by dstAddr, dstPort) and TopN (top 10 by bytes per minute), records/s,
// medians of several runs.
import { Aggregator } from '../lib/analysis/aggregate.js';
import { TopN } from '../lib/analysis/top-n.js';
import { median, RUNS, type Row } from './common.js';

function flows(n: number, skewed: boolean): Record<string, unknown>[] {
  let seed = 5;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const dst = (): number => (skewed ? Math.min(19_999, Math.floor(1 / (rand() * 0.99995 + 0.00005)) - 1) : Math.floor(rand() * 20_000));
  return Array.from({ length: n }, (_, i) => ({
    timeReceived: 1_700_000_000_000 + i, exporter: '192.0.2.1:2055', exporterAddress: '192.0.2.1', protocol: 'ipfix', domain: 0, sequence: i,
    timeStart: 1_700_000_000_000 + i * 0.6, timeEnd: 1_700_000_000_000 + i * 0.6, srcAddr: `10.0.${(i >> 8) & 255}.${i & 255}`,
    dstAddr: ((d: number): string => `198.51.${d >> 8}.${d & 255}`)(dst()), srcPort: 1024 + (i % 50_000), dstPort: [443, 80, 53, 22][i % 4], proto: 6,
    samplingRate: 1, bytes: 500 + (i % 1000), packets: 1 + (i % 7), sampledBytes: 500 + (i % 1000), sampledPackets: 1 + (i % 7),
  }));
}

function rate(make: () => { add(r: Record<string, unknown>): unknown[]; flush(): unknown[] }, data: Record<string, unknown>[]): number {
  const results: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const a = make();
    const start = process.hrtime.bigint();
    for (const r of data) a.add(r);
    a.flush();
    results.push(data.length / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(results);
}

export function analysisBench(): Row[] {
  const rows: Row[] = [];
  for (const skewed of [true, false]) {
    const data = flows(200_000, skewed);
    const what = skewed ? '20 k destinations, skewed' : '20 k destinations, uniform: most records a new group';
    rows.push(
      { name: `aggregate 1-minute windows by dstAddr, dstPort (${what})`, records_s: rate(() => new Aggregator({ sizeMs: 60_000, by: ['dstAddr', 'dstPort'] }), data) },
      { name: `topN 10 by bytes per minute, key dstAddr, exact (${what})`, records_s: rate(() => new TopN({ n: 10, by: 'bytes', key: ['dstAddr'], window: { sizeMs: 60_000 } }), data) },
      { name: `topN 10 by bytes, key dstAddr, 1,000 counters: space-saving (${what})`, records_s: rate(() => new TopN({ n: 10, by: 'bytes', key: ['dstAddr'], capacity: 1000 }), data) },
    );
  }
  return rows;
}
