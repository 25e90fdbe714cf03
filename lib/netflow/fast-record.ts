// Records with keys known only at run time (the interpreted template tier), built as fast objects.
//
// An object given a dozen keys one by one through computed names (`r[name] = v`) becomes a
// dictionary-mode object in V8. One such record reaching a compiled NDJSON writer is enough to
// make every property load there a generic call from then on (measured: a tenth of the whole
// decode-to-NDJSON time, for the rest of the run). So the values are gathered first and the
// record is a copy of a fast object that already has its keys: stores into existing properties
// keep it fast.

/**
 * Builds records whose keys are `fixed` (always present) followed by any of `optional` (present
 * when their value is known), in that order. Values go into `values` first, indexed like
 * `fixed` then `optional`; `make(present)` returns the record, `present` a bit per optional key.
 */
export class FastRecords {
  /** One value per key: fixed ones, then optional ones. Filled by the caller before make(). */
  readonly values: unknown[];
  private readonly bases: (Record<string, unknown> | undefined)[] = [];
  private readonly keysOf: (readonly string[] | undefined)[] = [];
  private readonly slotsOf: (readonly number[] | undefined)[] = [];

  constructor(private readonly fixed: readonly string[], private readonly optional: readonly string[]) {
    if (optional.length > 8) throw new RangeError('at most 8 optional keys');
    this.values = new Array<unknown>(fixed.length + optional.length).fill(null);
  }

  /** A new record with the fixed keys and the optional ones whose bit is set in `present`. */
  make(present: number): Record<string, unknown> {
    const base = this.bases[present] ?? this.prepare(present);
    const keys = this.keysOf[present]!;
    const slots = this.slotsOf[present]!;
    const values = this.values;
    const r = { ...base };
    for (let i = 0; i < keys.length; i++) r[keys[i]!] = values[slots[i]!];
    return r;
  }

  private prepare(present: number): Record<string, unknown> {
    const keys = [...this.fixed];
    const slots = keys.map((_, i) => i);
    this.optional.forEach((k, j) => {
      if ((present & (1 << j)) === 0) return;
      keys.push(k);
      slots.push(this.fixed.length + j);
    });
    // JSON.parse makes fast objects whatever their number of keys.
    const base = JSON.parse(JSON.stringify(Object.fromEntries(keys.map((k) => [k, null])))) as Record<string, unknown>;
    this.bases[present] = base;
    this.keysOf[present] = keys;
    this.slotsOf[present] = slots;
    return base;
  }
}
