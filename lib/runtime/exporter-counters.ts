// Per-exporter counters for metrics: datagrams by protocol, records by kind, decode errors by
// kind, and a decode-time histogram; bounded (beyond maxExporters, exporters count under
// `other`). Plain data, so worker threads' counters merge by adding.
import { detectProtocol } from '../codec/version.js';
import type { DecodeResult } from '../types.js';

export interface ExporterCount {
  datagrams: Record<string, number>;
  records: Record<string, number>;
  errors: Record<string, number>;
}

/** Upper bounds (seconds) of the decode-time histogram's buckets. */
export const DECODE_SECONDS_BUCKETS = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025];

export interface CounterSnapshot {
  exporters: Record<string, ExporterCount>;
  /** Datagrams counted under `other` because maxExporters exporters were already there. */
  cappedExporters: number;
  /** Histogram of decode time per datagram: counts per bucket (cumulative is done at exposition), sum, count. */
  decodeSeconds: { buckets: number[]; sum: number; count: number };
}

export class ExporterCounters {
  readonly snapshot: CounterSnapshot = { exporters: {}, cappedExporters: 0, decodeSeconds: { buckets: DECODE_SECONDS_BUCKETS.map(() => 0), sum: 0, count: 0 } };
  private size = 0;

  constructor(private readonly maxExporters = 1000) {}

  private of(exporter: string): ExporterCount {
    const all = this.snapshot.exporters;
    let c = all[exporter];
    if (c === undefined) {
      if (this.size >= this.maxExporters) {
        this.snapshot.cappedExporters++; // datagrams of exporters beyond the cap (nothing kept per exporter)
        c = all['other'] ??= { datagrams: {}, records: {}, errors: {} };
      } else {
        this.size++;
        c = all[exporter] = { datagrams: {}, records: {}, errors: {} };
      }
    }
    return c;
  }

  /** One decoded datagram: what it was, what came of it, how long it took (seconds). */
  count(exporter: string, data: Uint8Array, res: DecodeResult, seconds: number): void {
    const c = this.of(exporter);
    const protocol = detectProtocol(data) ?? 'unknown';
    c.datagrams[protocol] = (c.datagrams[protocol] ?? 0) + 1;
    for (const r of res.records) {
      const k = `${r.protocol}/${r.kind}`;
      c.records[k] = (c.records[k] ?? 0) + 1;
    }
    for (const e of res.errors) c.errors[e.kind] = (c.errors[e.kind] ?? 0) + 1;
    const h = this.snapshot.decodeSeconds;
    h.sum += seconds;
    h.count++;
    const i = DECODE_SECONDS_BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) h.buckets[i]!++;
  }
}

/** Adds snapshots (of several workers) into one. */
export function mergeSnapshots(all: readonly CounterSnapshot[]): CounterSnapshot {
  const out: CounterSnapshot = { exporters: {}, cappedExporters: 0, decodeSeconds: { buckets: DECODE_SECONDS_BUCKETS.map(() => 0), sum: 0, count: 0 } };
  for (const s of all) {
    out.cappedExporters += s.cappedExporters;
    for (const [exporter, c] of Object.entries(s.exporters)) {
      const t = (out.exporters[exporter] ??= { datagrams: {}, records: {}, errors: {} });
      for (const part of ['datagrams', 'records', 'errors'] as const) for (const [k, v] of Object.entries(c[part])) t[part][k] = (t[part][k] ?? 0) + v;
    }
    s.decodeSeconds.buckets.forEach((v, i) => { out.decodeSeconds.buckets[i]! += v; });
    out.decodeSeconds.sum += s.decodeSeconds.sum;
    out.decodeSeconds.count += s.decodeSeconds.count;
  }
  return out;
}
