// An aligned text table for people: the --format table output.
import { Transform, type TransformCallback } from 'node:stream';
import { tableCell } from '../../lib/ndjson/cells.js';

type Rec = Record<string, unknown>;

/** An aligned text table; widths are set from the first `sample` records, longer cells are cut. */
export function toTable(fields?: readonly string[], sample = 50): Transform {
  let cols: readonly string[] | undefined = fields;
  let widths: number[] = [];
  const held: Rec[] = [];
  const line = (values: string[]): string => values.map((v, i) => (v.length > widths[i]! ? v.slice(0, widths[i]! - 1) + '…' : v.padEnd(widths[i]!))).join('  ').trimEnd() + '\n';
  const start = (t: Transform): void => {
    cols ??= held.length > 0 ? Object.keys(held[0]!) : [];
    widths = cols.map((c) => Math.min(40, Math.max(c.length, ...held.map((r) => tableCell(r[c]).length))));
    t.push(line([...cols]));
    for (const r of held.splice(0)) t.push(line(cols.map((c) => tableCell(r[c]))));
  };
  return new Transform({
    writableObjectMode: true,
    transform(r: Rec, _e: BufferEncoding, done: TransformCallback): void {
      if (widths.length === 0 && held.length < sample) {
        held.push(r);
        if (held.length === sample) start(this);
      } else this.push(line(cols!.map((c) => tableCell(r[c]))));
      done();
    },
    flush(done: TransformCallback): void {
      if (widths.length === 0) start(this);
      done();
    },
  });
}
