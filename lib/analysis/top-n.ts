// topN: the heavy hitters per window (or over the whole input) by bytes, packets or flows, in
// bounded memory (space-saving.ts: exact while the keys fit, else counts with an error bound).
import { flowTime, isFlow, keyReader, keyValues, measures, type Measures } from './fields.js';
import { SpaceSaving } from './space-saving.js';
import { WindowClock, type WindowOptions } from './windows.js';

export type Measure = 'bytes' | 'packets' | 'flows';

export interface TopNOptions {
  n: number;
  /** Ranked by (default bytes). */
  by?: Measure;
  /** Key fields. */
  key: readonly string[];
  /** Windows; none: one result over the whole input. */
  window?: WindowOptions;
  /** Keys counted exactly per window (default 100,000); beyond, space-saving with an error bound. */
  capacity?: number;
}

/** A top-N row: key fields, bytes, packets, flows, and `error` (the ranked measure's bound) when approximate. */
export type TopRow = Record<string, unknown> & { bytes: number; packets: number; flows: number };

export interface TopNStats { records: number; notFlows: number; untimed: number; late: number; windows: number; approximateWindows: number }

const MEASURES: Measure[] = ['bytes', 'packets', 'flows'];

export class TopN {
  readonly stats: TopNStats = { records: 0, notFlows: 0, untimed: 0, late: 0, windows: 0, approximateWindows: 0 };
  private readonly by: Measure;
  private readonly others: Measure[];
  private readonly key: ReturnType<typeof keyReader>;
  private readonly clock: WindowClock | null;
  private readonly tables = new Map<number, SpaceSaving<unknown[]>>();
  private readonly capacity: number;
  private readonly m: Measures = { bytes: 0, packets: 0, flows: 1 };
  private readonly extra: number[];

  constructor(readonly options: TopNOptions) {
    this.by = options.by ?? 'bytes';
    this.others = MEASURES.filter((m) => m !== this.by);
    this.key = keyReader(options.key);
    this.clock = options.window === undefined ? null : new WindowClock(options.window);
    this.capacity = Math.max(options.n, options.capacity ?? 100_000);
    this.extra = this.others.map(() => 0);
  }

  /** Counts a record; returns the top rows of windows that closed. */
  add(r: Readonly<Record<string, unknown>>): TopRow[] {
    this.stats.records++;
    if (!isFlow(r)) { this.stats.notFlows++; return []; }
    const m = measures(r, this.m);
    const key = this.key(r);
    const extra = this.extra;
    for (let i = 0; i < extra.length; i++) extra[i] = m[this.others[i]!];
    const values = (): unknown[] => keyValues(this.options.key, r);
    if (this.clock === null) {
      this.table(0).add(key, values, m[this.by], extra);
      return [];
    }
    const t = flowTime(r);
    if (t === undefined) { this.stats.untimed++; return []; }
    const starts = this.clock.hopMs === this.clock.sizeMs ? [Math.floor(t / this.clock.sizeMs) * this.clock.sizeMs] : this.clock.windowsOf(t);
    let counted = false;
    for (const s of starts) {
      if (this.clock.isClosed(s)) continue;
      this.table(s).add(key, values, m[this.by], extra);
      counted = true;
    }
    if (!counted) this.stats.late++;
    return t > this.clock.maxTime ? this.close(this.clock.observe(t)) : [];
  }

  flush(): TopRow[] {
    return this.close(Infinity);
  }

  /** Wall-clock time with no record (a live collector): windows it has passed close. */
  tick(now: number): TopRow[] {
    return this.clock === null ? [] : this.close(this.clock.observe(now));
  }

  private lastStart = NaN;
  private lastTable: SpaceSaving<unknown[]> | null = null;

  private table(start: number): SpaceSaving<unknown[]> {
    if (start === this.lastStart) return this.lastTable!;
    let t = this.tables.get(start);
    if (t === undefined) this.tables.set(start, (t = new SpaceSaving(this.capacity)));
    this.lastStart = start;
    this.lastTable = t;
    return t;
  }

  private close(before: number): TopRow[] {
    const out: TopRow[] = [];
    if (this.clock !== null && before <= this.clock.closedBefore) return out;
    for (const s of [...this.tables.keys()].filter((x) => x < before).sort((a, b) => a - b)) {
      const t = this.tables.get(s)!;
      this.tables.delete(s);
      if (s === this.lastStart) { this.lastStart = NaN; this.lastTable = null; }
      this.stats.windows++;
      if (!t.exact) this.stats.approximateWindows++;
      for (const c of t.top(this.options.n)) {
        const row: Record<string, unknown> = {};
        this.options.key.forEach((f, i) => { if (c.values[i] !== undefined) row[f] = c.values[i]; });
        const sums: Record<Measure, number> = { bytes: 0, packets: 0, flows: 0 };
        sums[this.by] = c.count;
        this.others.forEach((m, i) => { sums[m] = c.extra[i]!; });
        Object.assign(row, sums);
        if (this.clock !== null) Object.assign(row, { windowStart: s, windowEnd: s + this.clock.sizeMs });
        if (!t.exact) row['error'] = c.error;
        out.push(row as TopRow);
      }
    }
    if (this.clock !== null) this.clock.closedBefore = Math.max(this.clock.closedBefore, before);
    return out;
  }
}
