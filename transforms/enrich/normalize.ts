// normalize(): decoded records in, the normalized flow shape out (one flat object per flow record
// and sFlow flow sample; options and counter records pass through, or are left out with
// flowsOnly). Records of one export message are handled together, so options data that comes
// after its flows in the same datagram still applies to them. For the exact receive time of each
// datagram (a capture's timestamps) use decode({ enrich }) instead: here timeReceived is the
// export time of the record's message, which is what a record carries.
import { Transform, type TransformCallback } from 'node:stream';
import { FlowNormalizer, type NormalizeOptions, type NormalizeStats, type OutputRecord } from '../../lib/normalize/normalizer.js';
import type { FlowRecord } from '../../lib/types.js';
import type { Enrichment } from './load.js';

export interface NormalizeStageOptions extends NormalizeOptions {
  /** A loaded Enrichment (normalizer and enrichers from one config); the other options are then ignored. */
  enrichment?: Enrichment;
}

/** The message a record came in: records of one message are normalized together. */
function messageKey(r: FlowRecord): string {
  return `${r.exporter}|${r.domain}|${r.sequence}|${r.exportTime}`;
}

export class NormalizeStream extends Transform {
  readonly normalizer: FlowNormalizer;
  private group: FlowRecord[] = [];
  private groupKey = '';
  private scheduled = false;
  private readonly out: OutputRecord[] = [];

  constructor(options: NormalizeStageOptions = {}) {
    super({ objectMode: true, highWaterMark: 1024 });
    this.normalizer = options.enrichment?.normalizer ?? new FlowNormalizer(options);
  }

  get stats(): NormalizeStats {
    return this.normalizer.stats;
  }

  override _transform(r: FlowRecord, _e: BufferEncoding, done: TransformCallback): void {
    const key = messageKey(r);
    if (key !== this.groupKey) {
      this.emitGroup();
      this.groupKey = key;
    }
    this.group.push(r);
    // The message may be complete: emit it once this turn's writes are in.
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (!this.destroyed) this.emitGroup();
      });
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.emitGroup();
    done();
  }

  private emitGroup(): void {
    if (this.group.length === 0) return;
    const g = this.group;
    this.group = [];
    this.groupKey = '';
    const out = this.normalizer.process(g, g[0]!.exportTime, undefined, this.out);
    for (const o of out) this.push(o);
    out.length = 0;
  }
}

/**
 * The normalizer stage.
 * @example pipeline(captureSource('x.pcap'), decode(), normalize({ sampling: { defaults: { '10.0.0.0/8': 1000 } } }), toNdjson(), process.stdout)
 */
export function normalize(options?: NormalizeStageOptions): NormalizeStream {
  return new NormalizeStream(options);
}
