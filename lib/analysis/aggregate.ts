// aggregate: bytes, packets and flows summed per key per window (sampling-scaled when the records
// are normalized), by flow end time with an allowed lateness; late records counted, not folded.
// Memory is bounded: at most maxKeys groups per window, the rest summed into one `other` row
// (and counted).
import { flowTime, isFlow, keyReader, measures } from './fields.js';
import { WindowClock, type WindowOptions } from './windows.js';

export interface AggregateOptions extends WindowOptions {
  /** Key fields (normalized names; decoded records are read through the equivalence table). */
  by: readonly string[];
  /** Groups per window (default 100,000); the rest go to the `other` row. */
  maxKeys?: number;
}

/** One output row: the key fields, the sums, the window. */
export type AggregateRow = Record<string, unknown> & { windowStart: number; windowEnd: number; bytes: number; packets: number; flows: number };

export interface AggregateStats {
  records: number;
  /** Records that are not flows (options, counters), not counted. */
  notFlows: number;
  /** Records without a flow time. */
  untimed: number;
  /** Records for a window already closed. */
  late: number;
  /** Records summed into `other` rows because a window held maxKeys groups. */
  other: number;
  windows: number;
  rows: number;
}

interface Group { values: unknown[]; bytes: number; packets: number; flows: number }

const OTHER = '\u0000other';

export class Aggregator {
  readonly stats: AggregateStats = { records: 0, notFlows: 0, untimed: 0, late: 0, other: 0, windows: 0, rows: 0 };
  private readonly clock: WindowClock;
  private readonly windows = new Map<number, Map<string, Group>>();
  private readonly key: ReturnType<typeof keyReader>;
  private readonly maxKeys: number;

  constructor(readonly options: AggregateOptions) {
    this.clock = new WindowClock(options);
    this.key = keyReader(options.by);
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Counts a record; returns the rows of windows that closed. */
  add(r: Readonly<Record<string, unknown>>): AggregateRow[] {
    this.stats.records++;
    if (!isFlow(r)) { this.stats.notFlows++; return []; }
    const t = flowTime(r);
    if (t === undefined) { this.stats.untimed++; return []; }
    const starts = this.clock.windowsOf(t);
    if (starts.every((s) => this.clock.isClosed(s))) { this.stats.late++; return this.close(this.clock.observe(t)); }
    const m = measures(r);
    const k = this.key(r);
    for (const s of starts) {
      if (this.clock.isClosed(s)) continue;
      let w = this.windows.get(s);
      if (w === undefined) this.windows.set(s, (w = new Map()));
      let g = w.get(k.key);
      if (g === undefined) {
        if (w.size >= this.maxKeys) {
          this.stats.other++;
          g = w.get(OTHER);
          if (g === undefined) w.set(OTHER, (g = { values: [], bytes: 0, packets: 0, flows: 0 }));
        } else w.set(k.key, (g = { values: k.values, bytes: 0, packets: 0, flows: 0 }));
      }
      g.bytes += m.bytes;
      g.packets += m.packets;
      g.flows += m.flows;
    }
    return this.close(this.clock.observe(t));
  }

  /** Wall-clock time with no record (a live collector): windows it has passed close. */
  tick(now: number): AggregateRow[] {
    return this.close(this.clock.observe(now));
  }

  /** Closes every window (end of input). */
  flush(): AggregateRow[] {
    return this.close(Infinity);
  }

  /** Emits and forgets windows starting before `before`. */
  private close(before: number): AggregateRow[] {
    const out: AggregateRow[] = [];
    if (before <= this.clock.closedBefore) return out;
    const starts = [...this.windows.keys()].filter((s) => s < before).sort((a, b) => a - b);
    for (const s of starts) {
      const w = this.windows.get(s)!;
      this.windows.delete(s);
      this.stats.windows++;
      for (const [k, g] of w) out.push(k === OTHER ? { ...this.row(s, g, false), other: true } : this.row(s, g, true));
    }
    this.clock.closedBefore = Math.max(this.clock.closedBefore, before);
    this.stats.rows += out.length;
    return out;
  }

  /** A row: the key fields (not for `other`), the sums, the window. */
  private row(start: number, g: Group, keys: boolean): AggregateRow {
    const row: Record<string, unknown> = {};
    if (keys) this.options.by.forEach((f, i) => { if (g.values[i] !== undefined) row[f] = g.values[i]; });
    return Object.assign(row, { bytes: g.bytes, packets: g.packets, flows: g.flows, windowStart: start, windowEnd: start + this.options.sizeMs }) as AggregateRow;
  }
}

