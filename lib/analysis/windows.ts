// Event-time windows: tumbling (hop = size), hopping and sliding (hop < size: a record belongs to
// size/hop windows), closed by a watermark (the latest flow time seen less the allowed lateness).
// A record for a window already closed is late: counted, never folded into a later window.

export interface WindowOptions {
  /** Window length, ms. */
  sizeMs: number;
  /** Distance between window starts, ms (default: sizeMs, tumbling). */
  hopMs?: number;
  /** How long after a window's end records for it are still taken, ms (default 0). */
  latenessMs?: number;
}

/** Parses `5m`, `30s`, `1h`, `500ms`, or a number of seconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a duration (e.g. 500ms, 30s, 5m, 1h)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms']!);
}

export class WindowClock {
  readonly sizeMs: number;
  readonly hopMs: number;
  readonly latenessMs: number;
  /** Windows starting before this are closed. */
  closedBefore = -Infinity;
  /** The latest flow time seen. */
  maxTime = -Infinity;

  constructor(o: WindowOptions) {
    if (!(o.sizeMs > 0)) throw new Error('a window needs a positive size');
    this.sizeMs = o.sizeMs;
    this.hopMs = o.hopMs ?? o.sizeMs;
    if (!(this.hopMs > 0 && this.hopMs <= this.sizeMs)) throw new Error('the hop must be positive and at most the window size');
    this.latenessMs = o.latenessMs ?? 0;
  }

  /** Starts of the windows `t` belongs to (oldest first). */
  windowsOf(t: number): number[] {
    const last = Math.floor(t / this.hopMs) * this.hopMs;
    const out: number[] = [];
    for (let s = last - Math.floor((this.sizeMs - 1) / this.hopMs) * this.hopMs; s <= last; s += this.hopMs) if (t < s + this.sizeMs) out.push(s);
    return out;
  }

  /** Is a window (by start) closed already? */
  isClosed(start: number): boolean {
    return start < this.closedBefore;
  }

  /** Notes a flow time; returns the starts before which windows may now close. */
  observe(t: number): number {
    if (t > this.maxTime) this.maxTime = t;
    return this.watermarkStart();
  }

  /** Windows whose end is at or before the watermark may close: their starts are below this. */
  watermarkStart(): number {
    return this.maxTime - this.latenessMs - this.sizeMs + 1;
  }
}
