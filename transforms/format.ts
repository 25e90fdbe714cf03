// Output formats for the CLI and scripts: JSON array, CSV and an aligned text table, plus field
// projection. NDJSON is toNdjson() in ndjson.ts.
import { Transform, type TransformCallback } from 'node:stream';
import { toJson } from '../lib/json.js';
import { pickFields } from '../lib/record-output.js';

type Rec = Record<string, unknown>;

/** Keeps only `fields` (in that order; missing ones omitted). */
export function pick(fields: readonly string[]): Transform {
  return new Transform({
    objectMode: true,
    transform(r: Rec, _e: BufferEncoding, done: TransformCallback): void {
      done(null, pickFields(r, fields));
    },
  });
}

/** One JSON array of all records (streamed, not built in memory). */
export function toJsonArray(): Transform {
  let first = true;
  return new Transform({
    writableObjectMode: true,
    transform(r: unknown, _e: BufferEncoding, done: TransformCallback): void {
      done(null, (first ? '[\n' : ',\n') + toJson(r));
      first = false;
    },
    flush(done: TransformCallback): void {
      done(null, first ? '[]\n' : '\n]\n');
    },
  });
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? toJson(v) : String(v);
}

function csvCell(v: unknown): string {
  const s = cell(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV (RFC 4180). Columns: `fields`, or the keys of the first record (later records' extra keys
 * are not added: pass --fields for a fixed schema).
 */
export function toCsv(fields?: readonly string[]): Transform {
  let cols: readonly string[] | undefined = fields;
  let header = false;
  return new Transform({
    writableObjectMode: true,
    transform(r: Rec, _e: BufferEncoding, done: TransformCallback): void {
      cols ??= Object.keys(r);
      const head = header ? '' : cols.map(csvCell).join(',') + '\n';
      header = true;
      done(null, head + cols.map((c) => csvCell(r[c])).join(',') + '\n');
    },
  });
}

/** An aligned text table; widths are set from the first `sample` records, longer cells are cut. */
export function toTable(fields?: readonly string[], sample = 50): Transform {
  let cols: readonly string[] | undefined = fields;
  let widths: number[] = [];
  const held: Rec[] = [];
  const line = (values: string[]): string => values.map((v, i) => (v.length > widths[i]! ? v.slice(0, widths[i]! - 1) + '…' : v.padEnd(widths[i]!))).join('  ').trimEnd() + '\n';
  const start = (t: Transform): void => {
    cols ??= held.length > 0 ? Object.keys(held[0]!) : [];
    widths = cols.map((c) => Math.min(40, Math.max(c.length, ...held.map((r) => cell(r[c]).length))));
    t.push(line([...cols]));
    for (const r of held.splice(0)) t.push(line(cols.map((c) => cell(r[c]))));
  };
  return new Transform({
    writableObjectMode: true,
    transform(r: Rec, _e: BufferEncoding, done: TransformCallback): void {
      if (widths.length === 0 && held.length < sample) {
        held.push(r);
        if (held.length === sample) start(this);
      } else this.push(line(cols!.map((c) => cell(r[c]))));
      done();
    },
    flush(done: TransformCallback): void {
      if (widths.length === 0) start(this);
      done();
    },
  });
}
