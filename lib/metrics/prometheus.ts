// Prometheus text exposition (format 0.0.4) of a collector's counters: datagrams and records per
// exporter, decode errors, template misses and sequence loss per exporter, UDP drops by reason,
// sink records by state, queue depths, a decode-time histogram. The exporter label is bounded
// (what is beyond the cap is under exporter="other", counted in flowpipe_exporters_capped_total).
import type { DecoderStats, SequenceReport } from '../decoder.js';
import { DECODE_SECONDS_BUCKETS, type CounterSnapshot } from '../runtime/exporter-counters.js';

/** What a collector reports for metrics. */
export interface MetricsInput {
  counters?: CounterSnapshot;
  decoder?: DecoderStats;
  sequence?: readonly SequenceReport[];
  receiver?: { received?: number; dropped?: number; denied?: number; queued?: number; kernel?: { drops: number } | null };
  sinks?: readonly { sink: string; acked: number; dropped: number; rejected: number; retried: number; buffered: number; undelivered: number; filtered: number }[];
  /** Other gauges: name (without prefix) -> value. */
  gauges?: Readonly<Record<string, number>>;
}

/** A label value, escaped. */
const q = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const labels = (l: Record<string, string>): string => `{${Object.entries(l).map(([k, v]) => `${k}=${q(v)}`).join(',')}}`;

class Writer {
  readonly lines: string[] = [];
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, l: Record<string, string>, v: number): void {
    this.lines.push(`${name}${Object.keys(l).length > 0 ? labels(l) : ''} ${Number.isFinite(v) ? v : 0}`);
  }
}

/** The `exporter` label of an exporter key; exporters beyond `max` distinct ones become `other`. */
function exporterLabels(keys: Iterable<string>, max: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const k of keys) out.set(k, out.size < max || k === 'other' ? k : 'other');
  return out;
}

export function prometheusText(m: MetricsInput, maxExporters = 1000): string {
  const w = new Writer();
  const c = m.counters;
  if (c !== undefined) {
    const ex = exporterLabels(Object.keys(c.exporters), maxExporters);
    const sum = (pick: (e: CounterSnapshot['exporters'][string]) => Record<string, number>): Map<string, number> => {
      const out = new Map<string, number>();
      for (const [k, e] of Object.entries(c.exporters)) for (const [x, v] of Object.entries(pick(e))) {
        const key = JSON.stringify([ex.get(k)!, x]);
        out.set(key, (out.get(key) ?? 0) + v);
      }
      return out;
    };
    w.family('flowpipe_datagrams_total', 'counter', 'Datagrams decoded, by exporter and protocol.');
    for (const [key, v] of sum((e) => e.datagrams)) { const [e, p] = JSON.parse(key) as [string, string]; w.sample('flowpipe_datagrams_total', { exporter: e, protocol: p }, v); }
    w.family('flowpipe_records_total', 'counter', 'Records decoded, by exporter, protocol and kind (flow, options, counters, drop).');
    for (const [key, v] of sum((e) => e.records)) {
      const [e, pk] = JSON.parse(key) as [string, string];
      const [protocol, kind] = pk.split('/');
      w.sample('flowpipe_records_total', { exporter: e, protocol: protocol!, kind: kind! }, v);
    }
    w.family('flowpipe_decode_errors_total', 'counter', 'Decode errors, by exporter and kind.');
    for (const [key, v] of sum((e) => e.errors)) { const [e, k] = JSON.parse(key) as [string, string]; w.sample('flowpipe_decode_errors_total', { exporter: e, kind: k }, v); }
    w.family('flowpipe_exporters_capped_total', 'counter', 'Datagrams counted under exporter="other" (more exporters than the label cap).');
    w.sample('flowpipe_exporters_capped_total', {}, c.cappedExporters);
    w.family('flowpipe_decode_seconds', 'histogram', 'Time to decode one datagram.');
    let cumulative = 0;
    DECODE_SECONDS_BUCKETS.forEach((b, i) => { cumulative += c.decodeSeconds.buckets[i]!; w.sample('flowpipe_decode_seconds_bucket', { le: String(b) }, cumulative); });
    w.sample('flowpipe_decode_seconds_bucket', { le: '+Inf' }, c.decodeSeconds.count);
    w.sample('flowpipe_decode_seconds_sum', {}, c.decodeSeconds.sum);
    w.sample('flowpipe_decode_seconds_count', {}, c.decodeSeconds.count);
  }
  if (m.decoder !== undefined) {
    const misses = new Map<string, number>();
    for (const [k, v] of Object.entries(m.decoder.templateMisses)) {
      const exporter = k.split(' ')[0]!;
      misses.set(exporter, (misses.get(exporter) ?? 0) + v);
    }
    const ex = exporterLabels(misses.keys(), maxExporters);
    w.family('flowpipe_template_misses_total', 'counter', 'Data sets dropped for want of a template, by exporter.');
    const byLabel = new Map<string, number>();
    for (const [k, v] of misses) byLabel.set(ex.get(k)!, (byLabel.get(ex.get(k)!) ?? 0) + v);
    for (const [e, v] of byLabel) w.sample('flowpipe_template_misses_total', { exporter: e }, v);
    if (m.decoder.evicted !== undefined) {
      w.family('flowpipe_state_evicted_total', 'counter', 'Decoder state dropped to stay within its caps, by kind (exporters, domains, templates, pendingSets, pendingBytes); evicted pending sets are template misses too.');
      for (const [kind, v] of Object.entries(m.decoder.evicted)) w.sample('flowpipe_state_evicted_total', { kind }, v);
    }
  }
  if (m.sequence !== undefined) {
    const families = [
      ['lost', 'Export messages (NetFlow v9, sFlow) or records (IPFIX, v5, v7) lost by sequence numbers, by exporter.'],
      ['resets', 'Sequence jumps beyond the window that the stream then followed (exporter restarts), by exporter.'],
      ['outliers', 'Single messages numbered far from their stream (spoofed or corrupt), by exporter; never counted as loss.'],
    ] as const;
    for (const [field, help] of families) {
      const per = new Map<string, number>();
      for (const s of m.sequence) if (s.source === undefined) per.set(s.exporter, (per.get(s.exporter) ?? 0) + s[field]);
      const ex = exporterLabels(per.keys(), maxExporters);
      const byLabel = new Map<string, number>();
      for (const [k, v] of per) byLabel.set(ex.get(k)!, (byLabel.get(ex.get(k)!) ?? 0) + v);
      w.family(`flowpipe_sequence_${field}_total`, 'counter', help);
      for (const [e, v] of byLabel) w.sample(`flowpipe_sequence_${field}_total`, { exporter: e }, v);
    }
  }
  if (m.receiver !== undefined) {
    w.family('flowpipe_udp_received_total', 'counter', 'Datagrams received.');
    w.sample('flowpipe_udp_received_total', {}, m.receiver.received ?? 0);
    w.family('flowpipe_udp_dropped_total', 'counter', 'Datagrams dropped: by the bounded queue, by the kernel (socket buffer full), by the allowlist.');
    w.sample('flowpipe_udp_dropped_total', { reason: 'queue' }, m.receiver.dropped ?? 0);
    w.sample('flowpipe_udp_dropped_total', { reason: 'kernel' }, m.receiver.kernel?.drops ?? 0);
    w.sample('flowpipe_udp_dropped_total', { reason: 'denied' }, m.receiver.denied ?? 0);
    w.family('flowpipe_udp_queue_depth', 'gauge', 'Datagrams waiting in the receive queue.');
    w.sample('flowpipe_udp_queue_depth', {}, m.receiver.queued ?? 0);
  }
  if (m.sinks !== undefined && m.sinks.length > 0) {
    w.family('flowpipe_sink_records_total', 'counter', 'Records by sink and state (acked, dropped, rejected, retried, filtered, undelivered).');
    for (const s of m.sinks) for (const state of ['acked', 'dropped', 'rejected', 'retried', 'filtered', 'undelivered'] as const) w.sample('flowpipe_sink_records_total', { sink: s.sink, state }, s[state]);
    w.family('flowpipe_sink_buffered', 'gauge', 'Records held by a sink (building, waiting, in flight).');
    for (const s of m.sinks) w.sample('flowpipe_sink_buffered', { sink: s.sink }, s.buffered);
  }
  for (const [name, v] of Object.entries(m.gauges ?? {})) {
    w.family(`flowpipe_${name}`, 'gauge', name.replace(/_/g, ' '));
    w.sample(`flowpipe_${name}`, {}, v);
  }
  return w.lines.join('\n') + '\n';
}
