// Records to NDJSON in fixed-size chunks: the buffer management shared by toNdjson(), the
// decode stage's NDJSON output and the decode workers.
import { toJson } from './json.js';
import { LineEncoder, NO_ROOM, type KeyCase } from './line-encoder.js';
import { snakeLine } from '../sinks/lines.js';
import { BufferPool } from '../runtime/buffer-pool.js';

/**
 * Appends records as JSON lines to the current chunk; full chunks are kept until take().
 * Chunks come from `pool` (each its own ArrayBuffer, so a worker can transfer it) and are never
 * touched again once handed out; the sink that takes them may give them back to `pool`.
 */
export class NdjsonChunks {
  private readonly encoder: LineEncoder;
  private buf: Buffer;
  private pos = 0;
  private done: Buffer[] = [];
  /** Records in the chunks not yet taken. */
  records = 0;

  constructor(chunkBytes = 64 * 1024, private readonly keyCase: KeyCase = 'as-is', readonly pool = new BufferPool(chunkBytes)) {
    this.buf = pool.take();
    this.encoder = new LineEncoder(keyCase);
  }

  /** Appends `r`; `keys` when it comes untouched from the decoder with its RecordRun's keys. */
  add(r: object, keys?: readonly string[]): void {
    const enc = this.encoder;
    let end = keys === undefined ? enc.write(r, this.buf, this.pos) : enc.writeRun(r, keys, this.buf, this.pos);
    if (end === NO_ROOM) {
      this.finish();
      end = enc.write(r, this.buf, 0);
      if (end === NO_ROOM) {
        // One record larger than a chunk: a chunk of its own.
        const text = this.keyCase === 'snake' ? snakeLine(toJson(r)) : toJson(r);
        this.buf = Buffer.allocUnsafeSlow(Buffer.byteLength(text) + 1);
        end = this.buf.write(text, 0);
        this.buf[end++] = 10;
      }
    }
    this.pos = end;
    this.records++;
  }

  /** Bytes not yet taken. */
  get pendingBytes(): number {
    let n = this.pos;
    for (const c of this.done) n += c.length;
    return n;
  }

  /** Full chunks only (the current one keeps filling). */
  takeFull(): Buffer[] {
    const out = this.done;
    this.done = [];
    return out;
  }

  /**
   * Every chunk including the current partial one. The partial one is copied out at its exact
   * size and its buffer kept for the next lines: a trickle does not cost a 64 KiB buffer a turn.
   */
  take(): Buffer[] {
    if (this.pos > 0) {
      const part = Buffer.allocUnsafeSlow(this.pos);
      this.buf.copy(part, 0, 0, this.pos);
      this.done.push(part);
      this.pos = 0;
    }
    this.records = 0;
    return this.takeFull();
  }

  private finish(): void {
    if (this.pos === 0) return;
    this.done.push(this.buf.subarray(0, this.pos));
    this.buf = this.pool.take();
    this.pos = 0;
  }
}
