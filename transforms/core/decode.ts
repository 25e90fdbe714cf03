// decode(): the stateful, template-aware decoder as one Transform: datagrams in, records out.
// Errors and template events never break the pipeline: they are emitted as 'flowpipe-error'
// and 'template' events and counted in `stats`.
import { Transform, type TransformCallback } from 'node:stream';
import { FlowDecoder, type DecoderOptions } from '../../lib/decoder.js';
import { exporterKey } from '../../lib/codec/bytes.js';
import { RecordOutput, type RecordSelection } from '../../lib/ndjson/record-output.js';
import type { DecodeError, DecodeResult, FlowRecord, TemplateEvent } from '../../lib/types.js';
import type { Datagram } from './datagram.js';
import { ChunkPusher } from '../format/ndjson.js';
import type { Enrichment } from '../enrich/load.js';
import type { OutputRecord } from '../../lib/normalize/normalizer.js';
import type { ExporterCounters } from '../../lib/runtime/exporter-counters.js';
import type { BufferPool } from '../../lib/runtime/buffer-pool.js';

export interface DecodeStreamOptions extends DecoderOptions {
  /** Share template state with other stages (e.g. several sources): pass one decoder. */
  decoder?: FlowDecoder;
  /** Exporter for raw Buffer chunks (default 0.0.0.0:0). */
  exporter?: { address: string; port: number };
  /**
   * 'records' (default): record objects out. 'ndjson': NDJSON bytes out, written as records are
   * decoded (same text as decode() -> toNdjson(), without a stream hop per record), after
   * `select` (filter, fields).
   */
  output?: 'records' | 'ndjson';
  select?: RecordSelection;
  /**
   * Normalize (and enrich) each datagram's records as they are decoded, with the datagram's
   * receive time (Enrichment.load(config)); its flowsOnly leaves options and counter records out.
   */
  enrich?: Enrichment;
  /** Without `enrich`: leave options, counter and drop records out (counted in `flowsOnlyDropped`). */
  flowsOnly?: boolean;
  /** Per-exporter counters for metrics (datagrams, records, errors, decode time). */
  counters?: ExporterCounters;
}

/** The decoder stage. Events: 'flowpipe-error' (DecodeError), 'template' (TemplateEvent). */
export class DecodeStream extends Transform {
  readonly decoder: FlowDecoder;
  private readonly exporter: { address: string; port: number };
  /** NDJSON output, when chosen, and what pushes its chunks. */
  private readonly ndjson: RecordOutput | null;
  private readonly lines: ChunkPusher | null;
  private readonly enrich: Enrichment | null;
  private readonly flowsOnly: boolean;
  /** Records left out by flowsOnly (without enrich; with it, see enrich.stats.dropped). */
  flowsOnlyDropped = 0;
  private readonly normalized: OutputRecord[] = [];
  private readonly counters: ExporterCounters | null;

  constructor(options: DecodeStreamOptions = {}) {
    const ndjson = options.output === 'ndjson';
    super({ readableObjectMode: !ndjson, writableObjectMode: true, readableHighWaterMark: ndjson ? 1 << 20 : 1024, writableHighWaterMark: 64 });
    this.decoder = options.decoder ?? new FlowDecoder(options);
    this.exporter = options.exporter ?? { address: '0.0.0.0', port: 0 };
    this.ndjson = ndjson ? new RecordOutput(options.select ?? {}, 'ndjson') : null;
    this.lines = this.ndjson !== null ? new ChunkPusher(this, this.ndjson.chunks!) : null;
    this.enrich = options.enrich ?? null;
    this.flowsOnly = options.flowsOnly === true;
    this.counters = options.counters ?? null;
  }

  /**
   * With output 'ndjson': where its chunks come from. The last holder of the chunks may give them
   * back (fdWriter's `recycle` option) so the next ones reuse their memory. Null for records out.
   */
  get chunkPool(): BufferPool | null {
    return this.ndjson?.chunks?.pool ?? null;
  }

  /** Decoder counters (datagrams, records, errors by kind, template misses). */
  get stats(): FlowDecoder['stats'] {
    return this.decoder.stats;
  }

  /**
   * A datagram; raw export bytes (from `exporter`, received now); or a batch of datagrams
   * (captureBatches()), one stream hop for many.
   */
  override _transform(chunk: Datagram | Buffer | readonly Datagram[], _enc: BufferEncoding, done: TransformCallback): void {
    if (Array.isArray(chunk)) for (const d of chunk as readonly Datagram[]) this.decodeOne(d);
    else this.decodeOne(Buffer.isBuffer(chunk) ? { data: chunk, exporter: this.exporter, receivedAt: Date.now() } : chunk as Datagram);
    done();
  }

  private decodeOne(d: Datagram): void {
    if (this.counters === null) this.emitResult(this.decoder.decode(d.data, d.exporter, d.receivedAt), d.receivedAt);
    else {
      const start = process.hrtime.bigint();
      const res = this.decoder.decode(d.data, d.exporter, d.receivedAt);
      this.counters.count(exporterKey(d.exporter.address, d.exporter.port), d.data, res, Number(process.hrtime.bigint() - start) / 1e9);
      this.emitResult(res, d.receivedAt);
    }
  }

  override _flush(done: TransformCallback): void {
    this.emitResult(this.decoder.flush(), Date.now());
    this.lines?.flush();
    done();
  }

  override _destroy(err: Error | null, done: (error: Error | null) => void): void {
    this.lines?.cancel();
    done(err);
  }

  private emitResult(res: DecodeResult, receivedAt: number): void {
    for (const e of res.events) this.emit('template', e);
    for (const e of res.errors) this.emit('flowpipe-error', e);
    const shaped = shapeRecords(res, receivedAt, this.enrich, this.flowsOnly, this.normalized);
    this.flowsOnlyDropped += shaped.dropped;
    const { records, runs } = shaped;
    const out = this.ndjson;
    if (out === null) {
      for (const r of records) this.push(r);
      return;
    }
    out.add(records as FlowRecord[], runs);
    this.lines!.added();
  }
}

/**
 * What goes out of a decoded datagram: its records normalized and enriched (`enrich`), or with
 * options and counter records left out (`flowsOnly`), or as decoded. Runs describe the records
 * only while they are the decoder's own objects. Shared with the decode workers.
 */
export function shapeRecords(res: DecodeResult, receivedAt: number, enrich: Enrichment | null, flowsOnly: boolean, scratch: OutputRecord[]): { records: FlowRecord[]; runs: DecodeResult['runs']; dropped: number } {
  if (enrich !== null) {
    scratch.length = 0;
    return { records: enrich.normalizer.process(res.records, receivedAt, res.runs, scratch) as FlowRecord[], runs: undefined, dropped: 0 };
  }
  if (!flowsOnly) return { records: res.records, runs: res.runs, dropped: 0 };
  const records = res.records.filter((r) => r.kind === 'flow');
  const dropped = res.records.length - records.length;
  return { records, runs: dropped === 0 ? res.runs : undefined, dropped };
}

/** Creates the decoder stage. @example pipeline(captureSource('x.pcap'), decode(), toNdjson(), process.stdout) */
export function decode(options?: DecodeStreamOptions): DecodeStream {
  return new DecodeStream(options);
}

export type { DecodeError, FlowRecord, TemplateEvent };
