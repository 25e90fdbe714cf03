// What `flowpipe top` shows: rates over the last seconds (flows, bytes, packets per second) and
// the top keys by a measure, from per-second buckets of bounded tables (space-saving), so a long
// run holds a fixed amount of memory. Time is the caller's (wall clock when live).
import { fieldValue, isFlow, measures } from './fields.js';
import { SpaceSaving } from './space-saving.js';
import type { Measure } from './top-n.js';

interface Bucket { second: number; flows: number; bytes: number; packets: number; keys: Map<string, SpaceSaving<unknown>> }

export interface LiveRow { key: string; bytes: number; packets: number; flows: number }

export class LiveView {
  private readonly buckets: Bucket[] = [];

  /** `seconds` of history; `capacity` keys per key field per second. */
  constructor(readonly keys: readonly string[], private readonly seconds = 10, private readonly capacity = 5000) {}

  private bucket(second: number): Bucket {
    let b = this.buckets[this.buckets.length - 1];
    if (b === undefined || b.second !== second) {
      b = { second, flows: 0, bytes: 0, packets: 0, keys: new Map(this.keys.map((k) => [k, new SpaceSaving<unknown>(this.capacity)])) };
      this.buckets.push(b);
      while (this.buckets.length > this.seconds) this.buckets.shift();
    }
    return b;
  }

  /** Counts a record at `now` (ms). */
  add(r: Readonly<Record<string, unknown>>, now: number): void {
    if (!isFlow(r)) return;
    const b = this.bucket(Math.floor(now / 1000));
    const m = measures(r);
    b.flows++;
    b.bytes += m.bytes;
    b.packets += m.packets;
    for (const [k, table] of b.keys) {
      const v = fieldValue(r, k);
      const text = v === undefined ? '-' : String(v);
      table.add(text, () => text, m.bytes, [m.packets, m.flows]);
    }
  }

  /** Rates per second over the full seconds of the window before `now`. */
  rates(now: number): { flows: number; bytes: number; packets: number; seconds: number } {
    const current = Math.floor(now / 1000);
    const full = this.buckets.filter((b) => b.second < current && b.second >= current - this.seconds);
    const n = Math.max(1, Math.min(this.seconds, full.length));
    return { flows: full.reduce((a, b) => a + b.flows, 0) / n, bytes: full.reduce((a, b) => a + b.bytes, 0) / n, packets: full.reduce((a, b) => a + b.packets, 0) / n, seconds: n };
  }

  /** The top `n` values of key field `key` over the window, by `measure`. */
  top(key: string, measure: Measure, n: number): LiveRow[] {
    const sums = new Map<string, LiveRow>();
    for (const b of this.buckets) {
      const t = b.keys.get(key);
      if (t === undefined) continue;
      for (const c of t.top(this.capacity)) {
        const row = sums.get(c.key) ?? { key: c.key, bytes: 0, packets: 0, flows: 0 };
        row.bytes += c.count;
        row.packets += c.extra[0]!;
        row.flows += c.extra[1]!;
        sums.set(c.key, row);
      }
    }
    return [...sums.values()].sort((a, b) => b[measure] - a[measure] || (a.key < b.key ? -1 : 1)).slice(0, n);
  }
}
