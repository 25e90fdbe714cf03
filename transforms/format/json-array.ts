// One JSON array of all records, streamed: the --format json output.
import { Transform, type TransformCallback } from 'node:stream';
import { toJson } from '../../lib/ndjson/json.js';

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
