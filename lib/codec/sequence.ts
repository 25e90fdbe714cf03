/** Loss, duplicate and reordering counts for one (exporter, domain) stream. */
export interface SequenceStats {
  /** Messages (v9, sFlow) or records (IPFIX, v5, v7) that the sequence numbers say never arrived. */
  lost: number;
  duplicate: number;
  outOfOrder: number;
  /**
   * Jumps beyond the window that the next message confirmed (the stream went on from the new
   * number): an exporter restart or counter reset. Never counted as loss.
   */
  resets: number;
  /**
   * Single messages far outside the window while the stream went on where it was (spoofed or
   * corrupt headers), and a last jump not yet confirmed. Never counted as loss.
   */
  outliers: number;
  /**
   * Record-counting protocols (IPFIX, v5, v7): how this exporter numbers its messages, learned
   * from the stream. `rfc`: records sent before this message (RFC 7011 §3.1, RFC 3954 v5);
   * `rfc-flows`: the same without options records; `after-flows`: flow records up to and
   * including this message (softflowd); `after-all`: all records including this message.
   */
  convention?: SequenceConvention;
}

export type SequenceConvention = 'rfc' | 'rfc-flows' | 'after-flows' | 'after-all';

/** Jumps up to this far (either way) are loss or reordering; beyond, a reset or an outlier. */
export const MESSAGE_WINDOW = 1 << 16;
/** The same for counters of records (about 140 k full datagrams of 30 records). */
export const RECORD_WINDOW = 1 << 22;

/**
 * Tracks a header sequence counter (mod 2^32). v9 and sFlow count messages, IPFIX and v5/v7 count
 * data records sent before the message; the caller says how much this message advances it.
 */
export class SequenceTracker {
  lost = 0;
  duplicate = 0;
  outOfOrder = 0;
  resets = 0;
  outliers = 0;
  /** Messages whose number was not the expected one (how well a numbering convention fits). */
  irregular = 0;
  private expected = -1;
  private last = -1;
  /** Where the stream goes on if the last far jump was a reset; -1 when there is none. */
  private jumpedTo = -1;

  constructor(private readonly window: number = MESSAGE_WINDOW) {}

  /**
   * @param seq the header sequence number
   * @param advance how far this message moves the counter (1 for v9, its data record count for
   *   IPFIX/v5), or -1 when unknown (data whose template is missing): the next message is not checked.
   */
  observe(seq: number, advance: number): void {
    if (this.expected >= 0) {
      const gap = (seq - this.expected) | 0;
      if (gap !== 0) this.irregular++;
      if (gap > this.window || gap < -this.window) {
        this.farJump(seq, advance);
        return;
      }
      if (this.jumpedTo >= 0) {
        this.outliers++; // back on the old numbering: the far message was not the stream's
        this.jumpedTo = -1;
      }
      if (gap > 0) this.lost += gap;
      else if (gap < 0) {
        if (seq === this.last) this.duplicate++;
        else {
          this.outOfOrder++;
          // It was counted as lost when the gap opened; it has arrived after all.
          this.lost = Math.max(0, this.lost - Math.max(advance, 1));
        }
        return; // a late or repeated message does not move the expectation back
      }
    }
    this.last = seq;
    this.expected = advance < 0 ? -1 : (seq + advance) >>> 0;
  }

  /** A number beyond the window: a reset if the next message follows it, else an outlier. */
  private farJump(seq: number, advance: number): void {
    const from = this.jumpedTo;
    if (from >= 0) {
      const gap = (seq - from) | 0;
      if (gap <= this.window && gap >= -this.window) {
        this.resets++;
        this.jumpedTo = -1;
        this.expected = from;
        this.observe(seq, advance);
        return;
      }
      this.outliers++; // the previous far message was followed by neither numbering
    }
    this.jumpedTo = advance < 0 ? seq : (seq + advance) >>> 0;
  }

  snapshot(): SequenceStats {
    return {
      lost: this.lost, duplicate: this.duplicate, outOfOrder: this.outOfOrder, resets: this.resets,
      outliers: this.outliers + (this.jumpedTo >= 0 ? 1 : 0),
    };
  }
}

const CONVENTIONS: readonly SequenceConvention[] = ['rfc', 'rfc-flows', 'after-flows', 'after-all'];
/** Messages seen before the best-fitting convention is kept, if one fits strictly best (checked every 32). */
const LEARN_MESSAGES = 32;
/** Messages after which the best one is kept even on a tie (conventions that tie number alike), RFC first. */
const LEARN_MAX = 1024;

/**
 * A record counter whose numbering convention is learned: every convention is tracked until
 * one fits clearly better (fewest irregular messages over the first messages, ties to the RFC),
 * so a lossless stream from an exporter that numbers its own way reports no loss.
 */
export class RecordSequenceTracker {
  private trackers: (SequenceTracker | null)[] = CONVENTIONS.map(() => new SequenceTracker(RECORD_WINDOW));
  private messages = 0;
  /** The convention kept once learned (index into CONVENTIONS), or -1 while learning. */
  private kept = -1;

  /**
   * @param seq the header sequence number
   * @param flows flow data records in this message, or -1 when some could not be counted
   * @param options options data records in this message
   */
  observe(seq: number, flows: number, options: number): void {
    const all = flows < 0 ? -1 : flows + options;
    if (this.kept >= 0) {
      this.observeAs(this.kept, this.trackers[this.kept]!, seq, flows, all);
      return;
    }
    const t = this.trackers;
    for (let i = 0; i < t.length; i++) this.observeAs(i, t[i]!, seq, flows, all);
    if (++this.messages % LEARN_MESSAGES === 0) this.settle(this.messages >= LEARN_MAX);
  }

  private observeAs(convention: number, t: SequenceTracker, seq: number, flows: number, all: number): void {
    switch (convention) {
      case 0: t.observe(seq, all); break;
      case 1: t.observe(seq, flows); break;
      case 2: t.observe(flows < 0 ? seq : (seq - flows) >>> 0, flows); break;
      default: t.observe(all < 0 ? seq : (seq - all) >>> 0, all);
    }
  }

  /** Keeps the convention that fits strictly best, if one does (or the first best when `anyway`). */
  private settle(anyway: boolean): void {
    const best = this.bestIndex();
    const score = this.trackers[best]!.irregular;
    if (anyway || this.trackers.every((x, i) => i === best || x!.irregular > score)) {
      this.trackers = this.trackers.map((x, i) => (i === best ? x : null));
      this.kept = best;
    }
  }

  private bestIndex(): number {
    if (this.kept >= 0) return this.kept;
    let best = 0;
    for (let i = 1; i < this.trackers.length; i++) if (this.trackers[i]!.irregular < this.trackers[best]!.irregular) best = i;
    return best;
  }

  snapshot(): SequenceStats {
    const i = this.bestIndex();
    return { ...this.trackers[i]!.snapshot(), convention: CONVENTIONS[i]! };
  }
}
