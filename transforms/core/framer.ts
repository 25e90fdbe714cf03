// framer(): raw export bytes in (one or more datagrams concatenated as received), one message
// per output datagram. Bytes that start no message are passed on as one datagram per run, so the
// decoder reports them as a typed error: nothing is dropped silently.
import { Transform, type TransformCallback } from 'node:stream';
import { frameAt } from '../../lib/capture/framing.js';
import type { Datagram } from './datagram.js';

export interface FramerOptions {
  /** Exporter the bytes are attributed to (default 0.0.0.0:0). */
  exporter?: { address: string; port: number };
}

export class Framer extends Transform {
  /** Messages cut, zero padding skipped, and bytes (in runs) that started no message. */
  readonly stats = { messages: 0, paddingBytes: 0, skippedBytes: 0, garbageRuns: 0 };
  private buf: Buffer = Buffer.alloc(0);
  private readonly exporter: { address: string; port: number };

  constructor(options: FramerOptions = {}) {
    super({ writableObjectMode: false, readableObjectMode: true, readableHighWaterMark: 64 });
    this.exporter = options.exporter ?? { address: '0.0.0.0', port: 0 };
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.cut(false);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.cut(true);
    done();
  }

  private cut(final: boolean): void {
    let off = 0;
    let garbage = -1; // start of the current run of bytes that start no message
    const endGarbage = (): void => {
      if (garbage < 0) return;
      this.stats.garbageRuns++;
      this.emitBytes(garbage, off);
      garbage = -1;
    };
    while (off < this.buf.length) {
      const r = frameAt(this.buf, off, final);
      if (r === 'more') break;
      if (r === 'garbage' && garbage < 0 && this.buf[off] === 0) {
        // Zero bytes between or after messages are padding (some exporters zero-fill datagrams).
        off++;
        this.stats.paddingBytes++;
        continue;
      }
      if (r === 'garbage') {
        if (garbage < 0) garbage = off;
        off++;
        this.stats.skippedBytes++;
        continue;
      }
      endGarbage();
      this.stats.messages++;
      this.emitBytes(off, off + r);
      off += r;
    }
    if (garbage >= 0) {
      // Keep an unfinished run for the next chunk unless the input has ended.
      if (final) endGarbage();
      else {
        this.stats.skippedBytes -= off - garbage;
        off = garbage;
      }
    }
    this.buf = this.buf.subarray(off);
  }

  private emitBytes(from: number, to: number): void {
    this.push({ data: Buffer.from(this.buf.subarray(from, to)), exporter: this.exporter, receivedAt: Date.now() } satisfies Datagram);
  }
}

/** Cuts a raw byte stream into export messages. */
export function framer(options?: FramerOptions): Framer {
  return new Framer(options);
}
