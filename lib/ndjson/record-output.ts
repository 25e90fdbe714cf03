// Decoded records to their output without stream stages in between: the --filter and --fields
// choices applied, then NDJSON chunks (or only a count). Used where per-record stream hops would
// cost more than the work: the decode stage's NDJSON mode and the decode workers.
import { compileFilter } from '../filter/expr.js';
import { NdjsonChunks } from './chunks.js';
import type { KeyCase } from './line-encoder.js';
import type { FlowRecord, RecordRun } from '../types.js';

export interface RecordSelection {
  /** Keep only records matching this filter expression (lib/filter-expr.ts). */
  filter?: string;
  /** Output only these fields, in this order (missing ones omitted). */
  fields?: readonly string[];
  /** Keys in snake_case (for the table sinks), or as the records have them (default). */
  keyCase?: KeyCase;
}

/** A record with only `fields`, in that order (missing ones omitted). */
export function pickFields(r: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!Object.hasOwn(r, f)) continue; // never a field of Object.prototype
    if (f === '__proto__') Object.defineProperty(out, f, { value: r[f], enumerable: true, writable: true, configurable: true });
    else out[f] = r[f];
  }
  return out;
}

const NO_RUNS: readonly RecordRun[] = [];

export class RecordOutput {
  /** NDJSON so far; null when only counting. */
  readonly chunks: NdjsonChunks | null;
  /** Records that passed the filter. */
  written = 0;
  private readonly keep: ((r: FlowRecord) => boolean) | null;
  private readonly fields: readonly string[] | undefined;

  constructor(selection: RecordSelection, output: 'ndjson' | 'count', chunkBytes?: number) {
    this.keep = selection.filter !== undefined ? compileFilter(selection.filter) : null;
    this.fields = selection.fields;
    this.chunks = output === 'ndjson' ? new NdjsonChunks(chunkBytes, selection.keyCase) : null;
  }

  /**
   * Filters and writes records straight from the decoder. `runs` (DecodeResult.runs) tells
   * which keys they have, so the NDJSON writers skip their per-record key check; nothing here
   * changes a record before it is written (the filter only reads).
   */
  add(records: readonly FlowRecord[], runs?: readonly RecordRun[]): void {
    const { keep, fields, chunks } = this;
    // Picked fields make new objects: only whole records keep their run's keys.
    const known = fields === undefined ? runs ?? NO_RUNS : NO_RUNS;
    let run = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      while (run < known.length && known[run]!.end <= i) run++;
      if (keep !== null && !keep(r)) continue;
      this.written++;
      if (chunks !== null) chunks.add(fields !== undefined ? pickFields(r, fields) : r, known[run]?.keys);
    }
  }

}
