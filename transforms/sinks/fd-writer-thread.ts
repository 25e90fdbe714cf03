// The thread behind fdWriter(): takes bytes from the shared ring and writes them to the file
// descriptor with blocking writes, so the thread producing them never waits on the kernel.
// Ends when the ring is closed and empty, or at the first failed write (its errno goes back
// through the ring, where the producer sees it at its next put).
import { writeSync, writevSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { SlotRing, type SharedSlots } from '../../lib/runtime/slot-ring.js';

export interface FdWriterSetup {
  fd: number;
  ring: SharedSlots;
  /** Most slots per write (they go back to the producer after each write). */
  writeSlots: number;
}

/** How long one wait lasts before the ring is looked at again (the longest a slot waits). */
const WAIT_MS = 10;
/** A descriptor that another user left non-blocking: the pause before trying again. */
const RETRY_MS = 1;

const setup = workerData as FdWriterSetup;
const ring = new SlotRing(setup.ring);
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes the slots, all of them: one writev, then single writes for what it left. */
function writeAll(slots: Uint8Array[]): void {
  let done = retrying(() => writevSync(setup.fd, slots));
  for (const bytes of slots) {
    for (let o = Math.min(done, bytes.length); o < bytes.length;) o += retrying(() => writeSync(setup.fd, bytes, o));
    done = Math.max(0, done - bytes.length);
  }
}

/** A write, tried again while the descriptor says EAGAIN (another user left it non-blocking). */
function retrying(write: () => number): number {
  for (;;) {
    try {
      return write();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, RETRY_MS);
    }
  }
}

try {
  while (ring.waitForSlots(WAIT_MS)) {
    const n = Math.min(ring.used, setup.writeSlots);
    if (n === 0) continue;
    const slots: Uint8Array[] = [];
    for (let i = 0; i < n; i++) slots.push(ring.peek(i));
    writeAll(slots);
    ring.taken(n);
  }
} catch (err) {
  const errno = (err as NodeJS.ErrnoException).errno;
  ring.fail(typeof errno === 'number' && errno < 0 ? errno : 0);
  if (typeof errno !== 'number') throw err; // not a failed write: the stage reports it as it is
}
