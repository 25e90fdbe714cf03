// Records re-exported as IPFIX, NetFlow v9 or v5, one encoder per source (so each exporter's
// templates, sequence numbers and domains stay its own): NetFlow/IPFIX records as they are;
// sFlow flow samples and normalized flows through the normalized shape (sampled counters, the
// rate as options data). sFlow counter samples have no flow to carry: skipped, counted.
import { FlowNormalizer } from '../normalize/normalizer.js';
import type { NormalizedFlow } from '../normalize/flow.js';
import type { FlowRecord } from '../types.js';
import { SampledFlowRecords } from './from-normalized.js';
import { IpfixEncoder, type EncoderOptions } from './ipfix.js';
import { Netflow9Encoder } from './netflow9.js';
import { Netflow5Encoder } from './netflow5.js';

export type ExportFormat = 'ipfix' | 'netflow9' | 'netflow5';

interface Encoder {
  encode(records: Iterable<Readonly<Record<string, unknown>>>, now?: number): Buffer[];
  flush(now?: number): Buffer[];
  readonly stats: { records: number; messages: number; skipped: number; notCarried: Record<string, number> };
}

export interface ReExportStats {
  /** Records given, and records written into messages. */
  in: number;
  out: number;
  messages: number;
  /** Records no field of the format could carry (and sFlow counter samples). */
  skipped: number;
  /** Keys (or normalized fields) left out, by name. */
  notCarried: Record<string, number>;
  /** Merged mode: the inputs' options records, learned from and left out. */
  optionsLeftOut: number;
}

export interface ReExportOptions extends EncoderOptions {
  /**
   * Every source into one exporter stream (a sink sending from one socket, convert
   * --merge-exporters). The inputs' options records describe their own exporters and would
   * describe all of them once merged: they are learned from and left out, and each flow whose
   * sampling rate came from them carries it as its own samplingInterval instead.
   */
  merged?: boolean;
}

/** Sources held at once; beyond, the least recently used is flushed and dropped. */
const MAX_SOURCES = 10_000;

export class ReExporter {
  private readonly encoders = new Map<string, { enc: Encoder; flows: SampledFlowRecords }>();
  private readonly normalizer = new FlowNormalizer({ flowsOnly: true });
  private counted = { skipped: 0, notCarried: {} as Record<string, number>, in: 0, optionsLeftOut: 0 };
  private retired = { out: 0, messages: 0, skipped: 0, notCarried: {} as Record<string, number> };

  constructor(readonly format: ExportFormat, private readonly options: ReExportOptions = {}) {}

  /**
   * Records of one source at `now`; returns the messages completed, with their source (a source
   * dropped to make room has its last message flushed here too).
   */
  add(source: string, records: readonly Readonly<Record<string, unknown>>[], now: number): [string, Buffer][] {
    const done: [string, Buffer][] = [];
    const s = this.source(source, now, done);
    const out: Readonly<Record<string, unknown>>[] = [];
    for (const r of records) {
      this.counted.in++;
      if ('timeReceived' in r && !('kind' in r)) out.push(...s.flows.records(r as NormalizedFlow));
      else if (r['protocol'] === 'sflow-v5') {
        if (r['kind'] !== 'flow') { this.counted.skipped++; continue; }
        for (const n of this.normalizer.process([r as FlowRecord], now) as NormalizedFlow[]) out.push(...s.flows.records(n));
      } else if (this.options.merged === true) {
        const rated = this.mergedRecord(r as FlowRecord, now);
        if (rated !== null) out.push(rated);
      } else out.push(r);
    }
    for (const m of s.enc.encode(out, now)) done.push([source, m]);
    return done;
  }

  /** Merged mode: options learned from and left out; a flow with its rate from them carries it itself. */
  private mergedRecord(r: FlowRecord, now: number): Readonly<Record<string, unknown>> | null {
    const [n] = this.normalizer.process([r], now) as NormalizedFlow[];
    if (r.kind === 'options') { this.counted.optionsLeftOut++; return null; }
    const rate = n?.samplingRate;
    const fromOptions = rate !== undefined && rate > 1 && this.normalizer.rateSource === 'options';
    if (!fromOptions && !('samplerId' in r) && !('selectorId' in r)) return r;
    // A sampler id names one of its own exporter's samplers: in the merged stream it would name
    // another's (the sFlow rates' samplers among them). Its rate travels in the record instead.
    const out: Record<string, unknown> = { ...r };
    for (const k of ['samplerId', 'selectorId']) {
      if (!(k in out)) continue;
      delete out[k];
      this.counted.notCarried[k] = (this.counted.notCarried[k] ?? 0) + 1;
    }
    if (fromOptions) out['samplingInterval'] = rate;
    return out;
  }

  /** Ends every source's current message; returns [source, messages] pairs. */
  flush(now: number): [string, Buffer[]][] {
    const out: [string, Buffer[]][] = [];
    for (const [key, s] of this.encoders) {
      const m = s.enc.flush(now);
      if (m.length > 0) out.push([key, m]);
    }
    return out;
  }

  get stats(): ReExportStats {
    const notCarried = { ...this.counted.notCarried };
    const merge = (from: Record<string, number>): void => { for (const [k, v] of Object.entries(from)) notCarried[k] = (notCarried[k] ?? 0) + v; };
    merge(this.retired.notCarried);
    let out = this.retired.out, messages = this.retired.messages, skipped = this.counted.skipped + this.retired.skipped;
    for (const { enc, flows } of this.encoders.values()) {
      out += enc.stats.records;
      messages += enc.stats.messages;
      skipped += enc.stats.skipped;
      merge(enc.stats.notCarried);
      merge(flows.stats.notCarried);
    }
    return { in: this.counted.in, out, messages, skipped, notCarried, optionsLeftOut: this.counted.optionsLeftOut };
  }

  private source(key: string, now: number, done: [string, Buffer][]): { enc: Encoder; flows: SampledFlowRecords } {
    let s = this.encoders.get(key);
    if (s !== undefined) {
      this.encoders.delete(key); // most recently used last
      this.encoders.set(key, s);
    } else {
      if (this.encoders.size >= MAX_SOURCES) this.retire(this.encoders.keys().next().value as string, now, done);
      const o = this.options;
      const enc = this.format === 'ipfix' ? new IpfixEncoder(o) : this.format === 'netflow9' ? new Netflow9Encoder(o) : new Netflow5Encoder();
      s = { enc, flows: new SampledFlowRecords(this.format) };
      this.encoders.set(key, s);
    }
    return s;
  }

  /** Drops a source's encoder after flushing its last message, keeping its counts. */
  private retire(key: string, now: number, done: [string, Buffer][]): void {
    const s = this.encoders.get(key)!;
    for (const m of s.enc.flush(now)) done.push([key, m]);
    this.encoders.delete(key);
    this.retired.out += s.enc.stats.records;
    this.retired.messages += s.enc.stats.messages;
    this.retired.skipped += s.enc.stats.skipped;
    for (const from of [s.enc.stats.notCarried, s.flows.stats.notCarried]) for (const [k, v] of Object.entries(from)) this.retired.notCarried[k] = (this.retired.notCarried[k] ?? 0) + v;
  }
}
