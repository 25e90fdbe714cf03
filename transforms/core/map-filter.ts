// map / filter helpers for user functions, as object-mode Transforms with backpressure.
import { Transform, type TransformCallback } from 'node:stream';

/** Applies `fn` to every object; returning undefined drops it. Async functions are awaited in order. */
export function map<I, O>(fn: (value: I) => O | undefined | Promise<O | undefined>): Transform {
  return new Transform({
    objectMode: true,
    transform(value: I, _enc: BufferEncoding, done: TransformCallback): void {
      try {
        const out = fn(value);
        if (out instanceof Promise) out.then((v) => done(null, v), done);
        else done(null, out);
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** Keeps the objects for which `predicate` is true. */
export function filter<T>(predicate: (value: T) => boolean): Transform {
  return new Transform({
    objectMode: true,
    transform(value: T, _enc: BufferEncoding, done: TransformCallback): void {
      try {
        done(null, predicate(value) ? value : undefined);
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** Takes every object and passes nothing on, counting them (`count`): a sink for measuring. */
export function discard(): Transform & { count: number } {
  const t = new Transform({
    objectMode: true,
    transform(_value: unknown, _enc: BufferEncoding, done: TransformCallback): void {
      t.count++;
      done();
    },
  }) as Transform & { count: number };
  t.count = 0;
  return t;
}
