// framer(): raw export bytes in (one or more datagrams concatenated as received), one message
// per output datagram. Bytes that start no message are skipped until one does, and counted.
import { Transform, type TransformCallback } from 'node:stream';
import { frameAt } from '../lib/framing.js';
import type { Datagram } from './datagram.js';

export interface FramerOptions {
  /** Exporter the bytes are attributed to (default 0.0.0.0:0). */
  exporter?: { address: string; port: number };
}

export class Framer extends Transform {
  /** Messages cut, and bytes skipped while resynchronising. */
  readonly stats = { messages: 0, skippedBytes: 0 };
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
    while (off < this.buf.length) {
      const r = frameAt(this.buf, off, final);
      if (r === 'more') break;
      if (r === 'garbage') {
        off++;
        this.stats.skippedBytes++;
        continue;
      }
      this.stats.messages++;
      this.push({ data: Buffer.from(this.buf.subarray(off, off + r)), exporter: this.exporter, receivedAt: Date.now() } satisfies Datagram);
      off += r;
    }
    this.buf = this.buf.subarray(off);
  }
}

/** Cuts a raw byte stream into export messages. */
export function framer(options?: FramerOptions): Framer {
  return new Framer(options);
}
