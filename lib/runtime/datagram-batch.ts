// Datagrams packed back to back into one ArrayBuffer, so a batch crosses to a worker thread as
// one transferred buffer (no copy, no per-datagram message) with a small side table.
import { BufferPool } from './buffer-pool.js';

/** One batch as posted to a worker: `bytes` and `meta` are transferred, not copied. */
export interface DatagramBatch {
  /** Datagram payloads, back to back. */
  bytes: ArrayBuffer;
  /** Per datagram: end offset in `bytes`, exporter port, receive time (epoch ms). */
  meta: Float64Array;
  /** Per datagram: exporter address. */
  addresses: string[];
  count: number;
}

const META = 3;
/** Spare batch buffers kept per builder. */
const MAX_SPARE = 8;

/** Fills one batch at a time; `take()` hands it over and starts the next. */
export class BatchBuilder {
  private bytes: Uint8Array;
  private meta: Float64Array;
  private addresses: string[] = [];
  private used = 0;
  count = 0;
  /** Batch buffers, those the receiver gave back reused before new ones. */
  private readonly pool: BufferPool;

  constructor(private readonly capacityBytes: number, private readonly maxCount: number) {
    this.pool = new BufferPool(capacityBytes, MAX_SPARE);
    this.bytes = this.pool.take();
    this.meta = new Float64Array(maxCount * META);
  }

  /** Adds a datagram unless it does not fit (then take() first); returns whether it was added. */
  add(data: Uint8Array, address: string, port: number, receivedAt: number): boolean {
    if (this.count >= this.maxCount || this.used + data.length > this.bytes.length) {
      if (this.count > 0 || data.length <= this.capacityBytes) return false;
      this.bytes = Buffer.allocUnsafeSlow(data.length); // one datagram larger than a whole batch
    }
    this.bytes.set(data, this.used);
    this.used += data.length;
    const m = this.count * META;
    this.meta[m] = this.used;
    this.meta[m + 1] = port;
    this.meta[m + 2] = receivedAt;
    this.addresses.push(address);
    this.count++;
    return true;
  }

  /** True when nothing more fits (a batch worth sending now). */
  get full(): boolean {
    return this.count >= this.maxCount || this.used >= this.bytes.length;
  }

  /** Takes back a batch's bytes once the receiver is done with them (transferred back). */
  recycle(bytes: ArrayBuffer): void {
    this.pool.give(new Uint8Array(bytes));
  }

  /** The batch so far (the buffers are then owned by the receiver), and a fresh one begun. */
  take(): DatagramBatch {
    const batch: DatagramBatch = { bytes: this.bytes.buffer as ArrayBuffer, meta: this.meta, addresses: this.addresses, count: this.count };
    // Not zero-filled: only the bytes up to the last end offset are ever read.
    this.bytes = this.pool.take();
    this.meta = new Float64Array(this.maxCount * META);
    this.addresses = [];
    this.used = 0;
    this.count = 0;
    return batch;
  }
}

/** Calls `each` for every datagram of a batch; `data` is a view into the batch's bytes. */
export function forEachDatagram(batch: DatagramBatch, each: (data: Buffer, address: string, port: number, receivedAt: number) => void): void {
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const m = i * META;
    const end = batch.meta[m]!;
    each(Buffer.from(batch.bytes, start, end - start), batch.addresses[i]!, batch.meta[m + 1]!, batch.meta[m + 2]!);
    start = end;
  }
}
