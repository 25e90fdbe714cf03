// fdWriter(): bytes to a file descriptor (stdout, a file, a pipe) written by a thread of its
// own. The stage copies each chunk into a ring in shared memory and returns at once; the thread
// makes the blocking writes. For a batch job writing a lot into a pipe: its system calls (and
// the wait for the reader to make room) leave the decoding thread. `flowpipe decode` of 2.1 M
// v9 records into `| wc -c`: see README.
import { Writable } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import { Worker } from 'node:worker_threads';
import { SlotRing } from '../../lib/runtime/slot-ring.js';
import type { FdWriterSetup } from './fd-writer-thread.js';
import type { BufferPool } from '../../lib/runtime/buffer-pool.js';

export interface FdWriterOptions {
  /** Slots in the ring (default 64): each chunk written takes one (or more, past slotBytes). */
  slots?: number;
  /** Bytes per slot, a multiple of 8 (default 64 KiB, the size of an NDJSON chunk). */
  slotBytes?: number;
  /** Most slots per write system call (default 4). */
  writeSlots?: number;
  /**
   * Gives each chunk back to this pool once copied (the chunks' producer takes its next ones from
   * it, as decode()'s `chunkPool`). Only when this writer is the chunks' last holder.
   */
  recycle?: BufferPool | null;
}

/** A failed write, as the writing thread saw it (code: 'EPIPE' when the reader went away). */
function writeError(fd: number, errno: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(errno);
  return Object.assign(new Error(`cannot write to fd ${fd}: ${code}`), { code, errno, syscall: 'write' });
}

/** How long one wait for room lasts before the stage looks at the writing thread again. */
const WAIT_MS = 1000;

/**
 * Writes to `fd` from a worker thread (the descriptor stays open: it is the caller's). A write
 * is done once copied into the ring; when the ring is full it waits for room without blocking
 * the event loop (backpressure as with any stream). A failed write ends the stage with that
 * error (code EPIPE when a pipe's reader closed it). The descriptor should be blocking (a pipe
 * left non-blocking is written with retries every millisecond).
 * @example const dec = decode({ output: 'ndjson' });
 * await pipeline(captureSource('x.pcap'), dec, fdWriter(1, { recycle: dec.chunkPool }))
 */
export function fdWriter(fd: number, options: FdWriterOptions = {}): Writable {
  const writeSlots = options.writeSlots ?? 4;
  const ring = SlotRing.create(options.slots ?? 64, options.slotBytes ?? 64 << 10, writeSlots);
  const setup: FdWriterSetup = { fd, ring: ring.shared, writeSlots };
  const thread = new Worker(new URL('./fd-writer-thread.js', import.meta.url), { workerData: setup });
  let stopped: Error | null = null;
  let closing = false;
  const exited = new Promise<void>((resolve) => thread.once('exit', (code) => {
    if (ring.failure() === null && (code !== 0 || !closing)) {
      stopped ??= new Error(`the writing thread for fd ${fd} stopped (exit code ${code})`);
      ring.fail(0); // wakes a write waiting for room
    }
    resolve();
  }));
  thread.on('error', (err) => { stopped = err; });

  // errno 0: the thread stopped without a failed write (its error event may still be on its way).
  const failed = (): Error | null => {
    const errno = ring.failure();
    if (errno === null) return null;
    return errno !== 0 ? writeError(fd, errno) : stopped ?? new Error(`the writing thread for fd ${fd} stopped`);
  };
  const putFrom = (chunk: Uint8Array, from: number, done: (err?: Error | null) => void): void => {
    const err = failed();
    if (err !== null) return done(err);
    let o = from;
    for (let n = 1; n > 0 && o < chunk.length; o += n) n = ring.put(chunk, o); // a slot at a time
    if (o >= chunk.length) {
      options.recycle?.give(chunk);
      return done();
    }
    void ring.roomLater(WAIT_MS).then(() => putFrom(chunk, o, done));
  };
  return new Writable({
    highWaterMark: 64 << 10,
    write(chunk: Buffer, _enc, done): void {
      putFrom(chunk, 0, done);
    },
    final(done): void {
      closing = true;
      ring.close();
      void exited.then(() => done(failed()));
    },
    destroy(err, done): void {
      closing = true;
      ring.close();
      void thread.terminate();
      done(err);
    },
  });
}
