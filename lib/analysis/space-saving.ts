// Heavy hitters in bounded memory: exact counts while the keys fit in `capacity`; beyond that the
// Space-Saving algorithm (Metwally, Agrawal, El Abbadi, 2005): a new key takes over the counter
// with the smallest count and starts from that count, remembered as its error. A reported count
// over-estimates the true one by at most its `error`, and every error is at most total / capacity,
// so every key heavier than total / capacity is in the table. A min-heap finds the smallest counter.

export interface Counter<V> {
  key: string;
  /** What describes the key (the values of the key fields). */
  values: V;
  /** The measure ranked by (bytes, packets or flows). */
  count: number;
  /** Over-estimation bound of `count` (0 while exact). */
  error: number;
  /** Other measures summed since the key entered the table. */
  extra: number[];
}

export class SpaceSaving<V> {
  private readonly byKey = new Map<string, number>();
  private readonly heap: Counter<V>[] = [];
  /** Total weight counted. */
  total = 0;
  /** Keys that took over another key's counter. */
  evictions = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('capacity must be at least 1');
  }

  /** Adds `weight` (and the other measures) to `key`; `values` is called only for a key new to the table. */
  add(key: string, values: () => V, weight: number, extra: readonly number[]): void {
    this.total += weight;
    const i = this.byKey.get(key);
    if (i !== undefined) {
      const c = this.heap[i]!;
      c.count += weight;
      for (let j = 0; j < extra.length; j++) c.extra[j]! += extra[j]!;
      this.down(i);
      return;
    }
    if (this.heap.length < this.capacity) {
      this.heap.push({ key, values: values(), count: weight, error: 0, extra: [...extra] });
      this.byKey.set(key, this.heap.length - 1);
      this.up(this.heap.length - 1);
      return;
    }
    // Full: the smallest counter becomes this key's, its count the new key's error.
    const min = this.heap[0]!;
    this.byKey.delete(min.key);
    this.evictions++;
    this.heap[0] = { key, values: values(), count: min.count + weight, error: min.count, extra: [...extra] };
    this.byKey.set(key, 0);
    this.down(0);
  }

  /** Is the table exact (no key ever evicted)? */
  get exact(): boolean {
    return this.evictions === 0;
  }

  /** The `n` largest counters, largest first. */
  top(n: number): Counter<V>[] {
    return [...this.heap].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1)).slice(0, n);
  }

  private swap(a: number, b: number): void {
    const h = this.heap;
    [h[a], h[b]] = [h[b]!, h[a]!];
    this.byKey.set(h[a]!.key, a);
    this.byKey.set(h[b]!.key, b);
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.heap[p]!.count <= this.heap[i]!.count) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.count < h[m]!.count) m = l;
      if (r < h.length && h[r]!.count < h[m]!.count) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
