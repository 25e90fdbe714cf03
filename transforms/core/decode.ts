// decode(): the stateful, template-aware decoder as one Transform: datagrams in, records out.
// Errors and template events never break the pipeline: they are emitted as 'flowpipe-error'
// and 'template' events and counted in `stats`.
import { Transform, type TransformCallback } from 'node:stream';
import { FlowDecoder, type DecoderOptions } from '../../lib/decoder.js';
import { RecordOutput, type RecordSelection } from '../../lib/ndjson/record-output.js';
import type { DecodeError, DecodeResult, FlowRecord, TemplateEvent } from '../../lib/types.js';
import type { Datagram } from './datagram.js';
import { ChunkPusher } from '../format/ndjson.js';

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
}

/** The decoder stage. Events: 'flowpipe-error' (DecodeError), 'template' (TemplateEvent). */
export class DecodeStream extends Transform {
  readonly decoder: FlowDecoder;
  private readonly exporter: { address: string; port: number };
  /** NDJSON output, when chosen, and what pushes its chunks. */
  private readonly ndjson: RecordOutput | null;
  private readonly lines: ChunkPusher | null;

  constructor(options: DecodeStreamOptions = {}) {
    const ndjson = options.output === 'ndjson';
    super({ readableObjectMode: !ndjson, writableObjectMode: true, readableHighWaterMark: ndjson ? 1 << 20 : 1024, writableHighWaterMark: 64 });
    this.decoder = options.decoder ?? new FlowDecoder(options);
    this.exporter = options.exporter ?? { address: '0.0.0.0', port: 0 };
    this.ndjson = ndjson ? new RecordOutput(options.select ?? {}, 'ndjson') : null;
    this.lines = this.ndjson !== null ? new ChunkPusher(this, this.ndjson.chunks!) : null;
  }

  /** Decoder counters (datagrams, records, errors by kind, template misses). */
  get stats(): FlowDecoder['stats'] {
    return this.decoder.stats;
  }

  override _transform(chunk: Datagram | Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const d: Datagram = Buffer.isBuffer(chunk) ? { data: chunk, exporter: this.exporter, receivedAt: Date.now() } : chunk;
    this.emitResult(this.decoder.decode(d.data, d.exporter, d.receivedAt));
    done();
  }

  override _flush(done: TransformCallback): void {
    this.emitResult(this.decoder.flush());
    this.lines?.flush();
    done();
  }

  override _destroy(err: Error | null, done: (error: Error | null) => void): void {
    this.lines?.cancel();
    done(err);
  }

  private emitResult(res: DecodeResult): void {
    for (const e of res.events) this.emit('template', e);
    for (const e of res.errors) this.emit('flowpipe-error', e);
    const out = this.ndjson;
    if (out === null) {
      for (const r of res.records) this.push(r);
      return;
    }
    out.add(res.records, res.runs);
    this.lines!.added();
  }
}

/** Creates the decoder stage. @example pipeline(captureSource('x.pcap'), decode(), toNdjson(), process.stdout) */
export function decode(options?: DecodeStreamOptions): DecodeStream {
  return new DecodeStream(options);
}

export type { DecodeError, FlowRecord, TemplateEvent };
