// The contract every server sink keeps (Kafka, Redis, NATS, ClickHouse, PostgreSQL): records or
// NDJSON bytes in; flows only unless `records: 'all'` (the rest counted); batches by count and
// time with a bounded number in flight; backpressure while the server keeps up; during an outage
// retries with exponential backoff into a bounded buffer, and what overflows it is dropped and
// counted (policy 'buffer'), or the pipeline waits ('block'), or stops with an error ('exit');
// at the end a flush that waits for acknowledgements up to a deadline and reports what was not
// delivered. Subclasses only connect and ship a batch.
import { Writable } from 'node:stream';
import { LineEncoder, NO_ROOM, type KeyCase } from '../../lib/ndjson/line-encoder.js';
import { toJson } from '../../lib/ndjson/json.js';
import { isFlowBytes, isFlowRecord } from '../../lib/sinks/lines.js';

export type SinkErrorPolicy = 'block' | 'buffer' | 'exit';

export interface SinkOptions {
  /** Records per batch (default: the sink's). */
  batchRecords?: number;
  /** Bytes per batch (default 1 MiB). */
  batchBytes?: number;
  /** A batch that is not full leaves this long after its first record (default 50 ms). */
  lingerMs?: number;
  /** Batches sent at once (default 4). */
  maxInFlight?: number;
  /** Records held while the server is away (default 200,000); beyond that policy 'buffer' drops. */
  bufferRecords?: number;
  /** Bytes held while the server is away (default 128 MiB). */
  bufferBytes?: number;
  /** What an outage does (default 'buffer'). */
  onError?: SinkErrorPolicy;
  /** 'flows' (default): flows only, other records counted in `filtered`; 'all': everything. */
  records?: 'flows' | 'all';
  /** How long the end of input waits for acknowledgements (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Backoff between retries: from this (default 100 ms) doubling to `retryMaxMs` (default 10 s). */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** Counters of one sink, for --stats, SIGUSR1 and metrics. */
export interface SinkStats {
  sink: string;
  /** Records given to the sink. */
  received: number;
  /** Records left out (not flows). */
  filtered: number;
  /** Records handed to the server (each attempt of a batch counts once in `sent`, again in `retried`). */
  sent: number;
  /** Records the server acknowledged. */
  acked: number;
  /** Records sent again after a failed batch. */
  retried: number;
  /** Records held now (building, waiting, in flight). */
  buffered: number;
  /** Records dropped because the buffer was full during an outage. */
  dropped: number;
  /** Records the server refused as bad data (a retry would not help; see lastError). */
  rejected: number;
  /** Batches acknowledged. */
  batches: number;
  /** Failed batch attempts. */
  failures: number;
  /** Records not delivered when the sink closed (deadline reached). */
  undelivered: number;
  lastError: string | null;
}

/** A sink that cannot go on (policy 'exit', or unreachable at start when asked to check). */
export class SinkError extends Error {}

/** Thrown by sendBatch when the server refused the data itself: the batch is counted as rejected, not retried. */
export class RejectedBatch extends Error {}

/** One record as shipped: JSON bytes (a slice of a line), text (a CSV row), or a raw datagram envelope. */
export type SinkItem = string | Buffer;

/** Bytes of JSON lines written for record objects: items are slices of these. */
const ENCODE_CHUNK = 256 * 1024;

interface Batch {
  items: SinkItem[];
  bytes: number;
  /** Numbers batches of this sink; a batch sent again keeps its number (idempotent retries). */
  seq: number;
}

export abstract class BatchingSink extends Writable {
  readonly stats: SinkStats;
  protected readonly options: Required<SinkOptions>;
  private current: SinkItem[] = [];
  private currentBytes = 0;
  private readonly queue: Batch[] = [];
  private inFlight = 0;
  private bufferedBytes = 0;
  private healthy = true;
  private retryDelay: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  /** A write held back (backpressure) until the buffer drains. */
  private held: (() => void) | null = null;
  private partial: Buffer | null = null;
  private encoder: LineEncoder | null = null;
  private encodeBuf: Buffer = Buffer.alloc(0);
  private encodePos = 0;
  private drained: (() => void) | null = null;
  private closing = false;
  private nextSeq = 0;

  constructor(readonly display: string, defaults: { batchRecords: number }, options: SinkOptions = {}) {
    super({ objectMode: true, highWaterMark: 256 });
    this.options = {
      batchRecords: options.batchRecords ?? defaults.batchRecords,
      batchBytes: options.batchBytes ?? 1024 * 1024,
      lingerMs: options.lingerMs ?? 50,
      maxInFlight: Math.max(1, options.maxInFlight ?? 4),
      bufferRecords: options.bufferRecords ?? 200_000,
      bufferBytes: options.bufferBytes ?? 128 * 1024 * 1024,
      onError: options.onError ?? 'buffer',
      records: options.records ?? 'flows',
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
      retryMinMs: options.retryMinMs ?? 100,
      retryMaxMs: options.retryMaxMs ?? 10_000,
    };
    this.retryDelay = this.options.retryMinMs;
    this.stats = { sink: display, received: 0, filtered: 0, sent: 0, acked: 0, retried: 0, buffered: 0, dropped: 0, rejected: 0, batches: 0, failures: 0, undelivered: 0, lastError: null };
  }

  /** Connects (and prepares: a table, a stream); rejects when the server cannot be used. */
  abstract connect(): Promise<void>;
  /** Ships one batch; resolves when the server acknowledged all of it. `seq` stays the same when a batch is sent again. */
  protected abstract sendBatch(items: readonly SinkItem[], seq: number): Promise<void>;
  /** Closes the connection. */
  protected abstract disconnect(): Promise<void>;

  /** Key case of the JSON the default serialize() writes. */
  protected keyCase(): KeyCase {
    return 'as-is';
  }

  /**
   * What is shipped for a record object (default: its JSON, written by the compiled line writers
   * into a shared chunk; the item is a slice of it, without the newline).
   */
  protected serialize(r: Record<string, unknown>): SinkItem {
    const enc = (this.encoder ??= new LineEncoder(this.keyCase()));
    let end = enc.write(r, this.encodeBuf, this.encodePos);
    if (end === NO_ROOM) {
      this.encodeBuf = Buffer.allocUnsafe(ENCODE_CHUNK);
      this.encodePos = 0;
      end = enc.write(r, this.encodeBuf, 0);
      if (end === NO_ROOM) return Buffer.from(toJson(r)); // larger than a chunk
    }
    const item = this.encodeBuf.subarray(this.encodePos, end - 1);
    this.encodePos = end;
    return item;
  }

  /** Is this object a record the sink takes (default: flows, or everything with records 'all')? */
  protected accepts(r: Record<string, unknown>): boolean {
    return this.options.records === 'all' || isFlowRecord(r);
  }

  /** What is shipped for a JSON line that came as bytes (default: the line's bytes). */
  protected fromLine(line: Buffer): SinkItem {
    return line;
  }

  /** Tries to connect once: for commands that must fail at start when the server is not there. */
  async check(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      throw new SinkError(`cannot use ${this.display}: ${(err as Error).message}`);
    }
  }

  override _write(chunk: unknown, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (Buffer.isBuffer(chunk)) this.addBytes(chunk);
    else if (typeof chunk === 'string') this.addBytes(Buffer.from(chunk));
    else if (chunk !== null && typeof chunk === 'object') this.addRecord(chunk as Record<string, unknown>);
    this.afterAdd(done);
  }

  private addRecord(r: Record<string, unknown>): void {
    this.stats.received++;
    if (!this.accepts(r)) {
      this.stats.filtered++;
      return;
    }
    this.add(this.serialize(r));
  }

  /** NDJSON bytes: each line a record (slices, no copy; a line cut between chunks is joined). */
  private addBytes(chunk: Buffer): void {
    let b = chunk;
    if (this.partial !== null) {
      b = Buffer.concat([this.partial, chunk]);
      this.partial = null;
    }
    let start = 0;
    for (let nl = b.indexOf(10); nl >= 0; nl = b.indexOf(10, start)) {
      const line = b.subarray(start, nl);
      start = nl + 1;
      if (line.length === 0) continue;
      this.stats.received++;
      if (this.options.records === 'flows' && !isFlowBytes(line)) {
        this.stats.filtered++;
        continue;
      }
      this.add(this.fromLine(line));
    }
    if (start < b.length) this.partial = Buffer.from(b.subarray(start));
  }

  private add(item: SinkItem): void {
    const o = this.options;
    // During an outage with policy 'buffer', a full buffer drops what comes (counted).
    if (!this.healthy && o.onError === 'buffer' && (this.stats.buffered >= o.bufferRecords || this.bufferedBytes >= o.bufferBytes)) {
      this.stats.dropped++;
      return;
    }
    this.current.push(item);
    this.currentBytes += item.length;
    this.stats.buffered++;
    this.bufferedBytes += item.length;
    if (this.current.length >= o.batchRecords || this.currentBytes >= o.batchBytes) this.seal();
    else if (this.lingerTimer === null) this.lingerTimer = setTimeout(() => { this.lingerTimer = null; this.seal(); }, o.lingerMs);
  }

  /** Calls `done` now, or once the buffer drains (backpressure while the server keeps up, or always with 'block'). */
  private afterAdd(done: (err?: Error | null) => void): void {
    const o = this.options;
    const limit = this.healthy ? Math.min(o.bufferRecords, Math.max(o.batchRecords * (o.maxInFlight + 2), 10_000)) : o.bufferRecords;
    const full = this.stats.buffered >= limit || this.bufferedBytes >= o.bufferBytes;
    if (full && (this.healthy || o.onError === 'block')) this.held = () => done();
    else done();
  }

  private seal(): void {
    if (this.lingerTimer !== null) { clearTimeout(this.lingerTimer); this.lingerTimer = null; }
    if (this.current.length === 0) return;
    this.queue.push({ items: this.current, bytes: this.currentBytes, seq: this.nextSeq++ });
    this.current = [];
    this.currentBytes = 0;
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0 && this.retryTimer === null && !this.destroyed) {
      const batch = this.queue.shift()!;
      this.inFlight++;
      this.stats.sent += batch.items.length;
      this.sendBatch(batch.items, batch.seq).then(() => this.acked(batch), (err: Error) => this.failed(batch, err));
    }
  }

  private acked(batch: Batch): void {
    this.inFlight--;
    this.stats.acked += batch.items.length;
    this.stats.batches++;
    this.stats.buffered -= batch.items.length;
    this.bufferedBytes -= batch.bytes;
    this.healthy = true;
    this.retryDelay = this.options.retryMinMs;
    this.release();
    this.pump();
    this.checkDrained();
  }

  private failed(batch: Batch, err: Error): void {
    this.inFlight--;
    this.stats.failures++;
    this.stats.lastError = err.message;
    if (err instanceof RejectedBatch) {
      this.stats.rejected += batch.items.length;
      this.stats.buffered -= batch.items.length;
      this.bufferedBytes -= batch.bytes;
      this.release();
      this.pump();
      this.checkDrained();
      return;
    }
    this.healthy = false;
    if (this.options.onError === 'exit') {
      this.destroy(new SinkError(`${this.display}: ${err.message}`));
      return;
    }
    this.stats.retried += batch.items.length;
    this.queue.unshift(batch);
    this.release(); // with 'buffer', writes go on (into the buffer) while the server is away
    if (this.retryTimer === null && !this.destroyed) {
      this.retryTimer = setTimeout(() => { this.retryTimer = null; this.pump(); }, this.retryDelay);
      this.retryDelay = Math.min(this.options.retryMaxMs, this.retryDelay * 2);
    }
  }

  private release(): void {
    const h = this.held;
    if (h === null) return;
    const o = this.options;
    const limit = this.healthy ? Math.min(o.bufferRecords, Math.max(o.batchRecords * (o.maxInFlight + 2), 10_000)) : o.bufferRecords;
    if ((this.stats.buffered < limit && this.bufferedBytes < o.bufferBytes) || (!this.healthy && o.onError === 'buffer')) {
      this.held = null;
      h();
    }
  }

  private checkDrained(): void {
    if (this.drained !== null && this.stats.buffered === 0) {
      const d = this.drained;
      this.drained = null;
      d();
    }
  }

  override _final(done: (err?: Error | null) => void): void {
    if (this.partial !== null) this.addBytes(Buffer.from('\n'));
    this.seal();
    this.closing = true;
    const finish = (): void => {
      clearTimeout(deadline);
      this.stats.undelivered = this.stats.buffered;
      this.disconnect().then(() => done(), () => done());
    };
    const deadline = setTimeout(() => { this.drained = null; finish(); }, this.options.shutdownTimeoutMs);
    if (this.stats.buffered === 0) finish();
    else this.drained = finish;
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.closing) this.stats.undelivered = this.stats.buffered;
    this.disconnect().then(() => done(err), () => done(err));
  }
}
