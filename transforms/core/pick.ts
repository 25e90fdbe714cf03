// Field projection: the --fields option as a stage.
import { Transform, type TransformCallback } from 'node:stream';
import { pickFields } from '../../lib/ndjson/record-output.js';

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
