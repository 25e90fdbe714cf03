// Counts instead of records: the --format count output.
import { Transform, type TransformCallback } from 'node:stream';
import { toJson } from '../../lib/ndjson/json.js';

/**
 * Records in, one JSON line out at the end: how many records passed, in total and by `kind`
 * (flow, options, counters, drop…). For "how much is in this capture" without writing it.
 */
export function toCount(): Transform {
  let records = 0;
  const byKind: Record<string, number> = {};
  return new Transform({
    writableObjectMode: true,
    transform(r: Record<string, unknown>, _e: BufferEncoding, done: TransformCallback): void {
      records++;
      const kind = typeof r['kind'] === 'string' ? r['kind'] : 'other';
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      done();
    },
    flush(done: TransformCallback): void {
      done(null, toJson({ records, byKind }) + '\n');
    },
  });
}
