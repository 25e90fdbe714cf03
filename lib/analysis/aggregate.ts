// aggregate: bytes, packets and flows summed per key per window (sampling-scaled when the records
// are normalized), by flow end time with an allowed lateness; late records counted, not folded.
// Memory is bounded: at most maxKeys groups per window, the rest summed into one `other` row
// (and counted).
import { fieldValue, flowTime, isFlow, measures, type Measures } from './fields.js';
import { GroupTable } from './group-table.js';
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

interface Group { bytes: number; packets: number; flows: number }

/** One window: its groups, and the `other` group of what did not fit. */
interface Window { groups: GroupTable<Group>; other: Group | null }

export class Aggregator {
  readonly stats: AggregateStats = { records: 0, notFlows: 0, untimed: 0, late: 0, other: 0, windows: 0, rows: 0 };
  private readonly clock: WindowClock;
  private readonly windows = new Map<number, Window>();
  private readonly maxKeys: number;
  /** The current record's key values (reused). */
  private readonly values: unknown[];
  private readonly m: Measures = { bytes: 0, packets: 0, flows: 1 };
  /** The window last used (tumbling windows: nearly every record falls in it). */
  private lastStart = NaN;
  private lastWindow: Window | null = null;

  constructor(readonly options: AggregateOptions) {
    this.clock = new WindowClock(options);
    this.maxKeys = options.maxKeys ?? 100_000;
    this.values = options.by.map(() => undefined);
  }

  /** Counts a record; returns the rows of windows that closed. */
  add(r: Readonly<Record<string, unknown>>): AggregateRow[] {
    this.stats.records++;
    if (!isFlow(r)) { this.stats.notFlows++; return []; }
    const t = flowTime(r);
    if (t === undefined) { this.stats.untimed++; return []; }
    const m = measures(r, this.m);
    const by = this.options.by;
    for (let i = 0; i < by.length; i++) {
      const v = fieldValue(r, by[i]!);
      this.values[i] = v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
    }
    if (this.clock.hopMs === this.clock.sizeMs) {
      const start = Math.floor(t / this.clock.sizeMs) * this.clock.sizeMs;
      if (this.clock.isClosed(start)) { this.stats.late++; return this.close(this.clock.observe(t)); }
      this.sum(start, m);
    } else {
      const starts = this.clock.windowsOf(t).filter((s) => !this.clock.isClosed(s));
      if (starts.length === 0) { this.stats.late++; return this.close(this.clock.observe(t)); }
      for (const s of starts) this.sum(s, m);
    }
    return t > this.clock.maxTime ? this.close(this.clock.observe(t)) : [];
  }

  private sum(start: number, m: Measures): void {
    let w = start === this.lastStart ? this.lastWindow! : this.windows.get(start);
    if (w === undefined) this.windows.set(start, (w = { groups: new GroupTable<Group>(this.options.by.length), other: null }));
    this.lastStart = start;
    this.lastWindow = w;
    let g = w.groups.get(this.values, w.groups.size < this.maxKeys ? newGroup : null);
    if (g === undefined) {
      this.stats.other++;
      g = w.other ??= newGroup();
    }
    g.bytes += m.bytes;
    g.packets += m.packets;
    g.flows += m.flows;
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
      if (s === this.lastStart) { this.lastStart = NaN; this.lastWindow = null; }
      this.stats.windows++;
      for (const [values, g] of w.groups.entries()) out.push(this.row(s, g, values));
      if (w.other !== null) out.push({ ...this.row(s, w.other, null), other: true });
    }
    this.clock.closedBefore = Math.max(this.clock.closedBefore, before);
    this.stats.rows += out.length;
    return out;
  }

  /** A row: the key fields (not for `other`), the sums, the window. */
  private row(start: number, g: Group, values: unknown[] | null): AggregateRow {
    const row: Record<string, unknown> = {};
    if (values !== null) this.options.by.forEach((f, i) => { if (values[i] !== undefined) row[f] = values[i]; });
    return Object.assign(row, { bytes: g.bytes, packets: g.packets, flows: g.flows, windowStart: start, windowEnd: start + this.options.sizeMs }) as AggregateRow;
  }
}


const newGroup = (): Group => ({ bytes: 0, packets: 0, flows: 0 });
