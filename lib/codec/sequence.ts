/** Loss, duplicate and reordering counts for one (exporter, domain) stream. */
export interface SequenceStats {
  /** Messages (v9) or records (IPFIX, v5, v7) that the sequence numbers say never arrived. */
  lost: number;
  duplicate: number;
  outOfOrder: number;
  /** Jumps too large to be loss: exporter restart or counter reset. */
  resets: number;
}

/** A jump larger than this (either way) is a restart, not loss. */
const WINDOW = 1 << 30;

/**
 * Tracks a header sequence counter (mod 2^32). v9 counts export packets, IPFIX and v5/v7 count
 * data records sent before the message; the caller says how much this message advances it.
 */
export class SequenceTracker implements SequenceStats {
  lost = 0;
  duplicate = 0;
  outOfOrder = 0;
  resets = 0;
  private expected = -1;
  private last = -1;

  /**
   * @param seq the header sequence number
   * @param advance how far this message moves the counter (1 for v9, its data record count for
   *   IPFIX/v5), or -1 when unknown (data whose template is missing): the next message is not checked.
   */
  observe(seq: number, advance: number): void {
    if (this.expected >= 0) {
      const gap = (seq - this.expected) | 0;
      if (gap > 0 && gap < WINDOW) this.lost += gap;
      else if (gap < 0 && gap > -WINDOW) {
        if (seq === this.last) this.duplicate++;
        else {
          this.outOfOrder++;
          // It was counted as lost when the gap opened; it has arrived after all.
          this.lost = Math.max(0, this.lost - Math.max(advance, 1));
        }
        return; // a late or repeated message does not move the expectation back
      } else if (gap !== 0) this.resets++;
    }
    this.last = seq;
    this.expected = advance < 0 ? -1 : (seq + advance) >>> 0;
  }

  snapshot(): SequenceStats {
    return { lost: this.lost, duplicate: this.duplicate, outOfOrder: this.outOfOrder, resets: this.resets };
  }
}
