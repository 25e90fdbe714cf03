// CSV output (RFC 4180, formula cells neutralized): the --format csv output.
import { Transform, type TransformCallback } from 'node:stream';
import { csvCell } from '../../lib/ndjson/cells.js';

type Rec = Record<string, unknown>;

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
