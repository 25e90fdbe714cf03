// A ring of fixed-size slots in shared memory between exactly two threads: one puts bytes in,
// the other takes them out (to write them to a file descriptor, so that the thread producing
// output never waits on a write system call unless the ring is full). Lock-free: each side owns
// one position word and bumps one wake-up word; a side that has to wait sleeps on the other's.
// Every put starts at the start of a slot: V8 copies into shared memory word by word only when
// both ends are aligned (byte by byte otherwise: 7x slower, measured), and a chunk's own buffer
// starts aligned.

/** What a worker thread needs to attach to a ring (structured-cloneable: shared, not copied). */
export interface SharedSlots {
  data: SharedArrayBuffer;
  /** Control words, then each slot's length. */
  control: SharedArrayBuffer;
  slotBytes: number;
  /** Slots waiting before the producer wakes the consumer. */
  wakeAt: number;
}

// Control words. Positions count slots modulo twice the slot count (so full and empty differ).
// The producer wakes a sleeping consumer only once `wakeAt` slots are waiting (or at close): a
// wake-up is a system call and a context switch (~4-6 us here), as dear as a 64 KiB copy; the
// consumer sleeps for a short while at a time, so a slot or two are not held for long.
const HEAD = 0; // slots put (producer)
const TAIL = 1; // slots taken (consumer)
const PUT_EVENTS = 2; // bumped by the producer on put and close: the consumer sleeps on it
const TAKE_EVENTS = 3; // bumped by the consumer on take and failure: the producer sleeps on it
const STATE = 4; // OPEN, CLOSED (no more puts) or FAILED (the consumer gave up)
const FAILURE = 5; // the consumer's errno when FAILED
const LENGTHS = 6;

const OPEN = 0;
const CLOSED = 1;
const FAILED = 2;

/** Atomics.waitAsync (Node 16+; in TypeScript's ES2024 library, this project compiles for ES2022). */
interface AsyncWait {
  waitAsync(a: Int32Array, index: number, value: number, ms: number): { async: true; value: Promise<string> } | { async: false; value: string };
}

export class SlotRing {
  private readonly bytes: Uint8Array;
  private readonly control: Int32Array;
  readonly slots: number;
  readonly slotBytes: number;

  /** A new ring of `slots` slots of `slotBytes` bytes (a multiple of 8); see SharedSlots.wakeAt. */
  static create(slots: number, slotBytes: number, wakeAt = 1): SlotRing {
    if (!Number.isInteger(slots) || slots < 1 || !Number.isInteger(slotBytes) || slotBytes < 8 || slotBytes % 8 !== 0 || slots * slotBytes > 2 ** 31) {
      throw new RangeError(`a ring of ${slots} slots of ${slotBytes} bytes: slots >= 1, bytes a multiple of 8, 2 GiB at most`);
    }
    return new SlotRing({ data: new SharedArrayBuffer(slots * slotBytes), control: new SharedArrayBuffer((LENGTHS + slots) * 4), slotBytes, wakeAt: Math.max(1, Math.min(wakeAt, slots)) });
  }

  /** The same ring, from the other thread. */
  constructor(readonly shared: SharedSlots) {
    this.bytes = new Uint8Array(shared.data);
    this.control = new Int32Array(shared.control);
    this.slotBytes = shared.slotBytes;
    this.slots = shared.data.byteLength / shared.slotBytes;
  }

  /** Slots put and not yet taken. */
  get used(): number {
    return this.between(Atomics.load(this.control, TAIL), Atomics.load(this.control, HEAD));
  }

  // ---- producer side ----

  /** Copies the next slot's worth of `src` from `from` into a free slot; returns how many bytes (0: the ring is full). */
  put(src: Uint8Array, from = 0): number {
    const c = this.control;
    const head = Atomics.load(c, HEAD);
    if (this.between(Atomics.load(c, TAIL), head) >= this.slots) return 0;
    const n = Math.min(this.slotBytes, src.length - from);
    if (n <= 0) return 0;
    const slot = head % this.slots;
    this.bytes.set(src.subarray(from, from + n), slot * this.slotBytes);
    Atomics.store(c, LENGTHS + slot, n);
    Atomics.store(c, HEAD, (head + 1) % (2 * this.slots));
    if (this.used >= this.shared.wakeAt) this.wake(PUT_EVENTS);
    else Atomics.add(c, PUT_EVENTS, 1);
    return n;
  }

  /**
   * Resolves when the consumer takes something or fails (or after `ms`), without blocking the
   * thread: its event loop goes on meanwhile.
   */
  roomLater(ms: number): Promise<unknown> {
    const seen = Atomics.load(this.control, TAKE_EVENTS);
    if (this.used < this.slots || this.failure() !== null) return Promise.resolve();
    const w = (Atomics as unknown as AsyncWait).waitAsync(this.control, TAKE_EVENTS, seen, ms);
    return w.async ? w.value : Promise.resolve();
  }

  /** No more puts: the consumer ends once it has taken the rest. */
  close(): void {
    Atomics.compareExchange(this.control, STATE, OPEN, CLOSED);
    this.wake(PUT_EVENTS);
  }

  /** The consumer's errno once it has failed, else null. */
  failure(): number | null {
    return Atomics.load(this.control, STATE) === FAILED ? Atomics.load(this.control, FAILURE) : null;
  }

  // ---- consumer side ----

  /** The bytes of the `i`-th slot not yet taken (i < used): a view, valid until taken. */
  peek(i: number): Uint8Array {
    const slot = (Atomics.load(this.control, TAIL) + i) % this.slots;
    const at = slot * this.slotBytes;
    return this.bytes.subarray(at, at + Atomics.load(this.control, LENGTHS + slot));
  }

  /** The first `n` slots not yet taken are done with: they go back to the producer. */
  taken(n: number): void {
    Atomics.store(this.control, TAIL, (Atomics.load(this.control, TAIL) + n) % (2 * this.slots));
    this.wake(TAKE_EVENTS);
  }

  /**
   * Sleeps until there are slots to take or the ring is closed (at most `ms`). Returns false
   * once it is closed (or failed) and empty: the consumer is done.
   */
  waitForSlots(ms: number): boolean {
    const seen = Atomics.load(this.control, PUT_EVENTS);
    if (this.used > 0) return true;
    if (Atomics.load(this.control, STATE) !== OPEN) return false;
    Atomics.wait(this.control, PUT_EVENTS, seen, ms);
    return this.used > 0 || Atomics.load(this.control, STATE) === OPEN;
  }

  /**
   * The consumer gives up (a write failed with `errno`; or the producer's side saw it stop):
   * the producer's next put sees it.
   */
  fail(errno: number): void {
    Atomics.store(this.control, FAILURE, errno);
    Atomics.store(this.control, STATE, FAILED);
    this.wake(TAKE_EVENTS);
  }

  /** Slots from position `from` to position `to`. */
  private between(from: number, to: number): number {
    return (to - from + 2 * this.slots) % (2 * this.slots);
  }

  private wake(word: number): void {
    Atomics.add(this.control, word, 1);
    Atomics.notify(this.control, word);
  }
}
