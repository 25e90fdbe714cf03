// fileSink(): bytes to a file, optionally gzipped (node:zlib), rotated by size and/or time.
// Rotated files are named `<path>.<n>` in order (n from 1), before any `.gz` suffix is added.
import { createWriteStream, type WriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';

export interface FileSinkOptions {
  /** Gzip the output (also implied by a `.gz` path). */
  gzip?: boolean;
  /** Start a new file after this many bytes (before compression). */
  maxBytes?: number;
  /** Start a new file after this many milliseconds. */
  maxAgeMs?: number;
}

/** Writes bytes to `path`, rotating as configured. Emits 'rotate' with the finished file name. */
export function fileSink(path: string, options: FileSinkOptions = {}): Writable {
  const gz = options.gzip ?? path.endsWith('.gz');
  const base = gz && path.endsWith('.gz') ? path.slice(0, -3) : path;
  let index = 0;
  let bytes = 0;
  let opened = Date.now();
  let file: WriteStream | undefined;
  let zip: Gzip | undefined;
  let current = '';
  const name = (): string => (options.maxBytes || options.maxAgeMs ? `${base}.${++index}` : base) + (gz ? '.gz' : '');
  const open = (): void => {
    current = name();
    // A deep queue (1 MiB): the producer keeps going while the previous chunks are written.
    file = createWriteStream(current, { highWaterMark: 1 << 20 });
    zip = gz ? createGzip() : undefined;
    if (zip) zip.pipe(file);
    bytes = 0;
    opened = Date.now();
  };
  const close = (): Promise<void> => new Promise((resolve, reject) => {
    const f = file;
    if (f === undefined) return resolve();
    f.once('finish', resolve);
    f.once('error', reject);
    if (zip) zip.end(); else f.end();
    file = undefined;
    zip = undefined;
  });
  const sink: Writable = new Writable({
    write(chunk: Buffer, _enc, done): void {
      const due = file !== undefined && ((options.maxBytes !== undefined && bytes + chunk.length > options.maxBytes && bytes > 0) ||
        (options.maxAgeMs !== undefined && Date.now() - opened >= options.maxAgeMs));
      const go = (): void => {
        if (file === undefined) open();
        bytes += chunk.length;
        const target = zip ?? file!;
        if (target.write(chunk)) done();
        else target.once('drain', () => done());
      };
      if (due) {
        const finishedName = current;
        close().then(() => { sink.emit('rotate', finishedName); go(); }, done);
      } else go();
    },
    final(done): void {
      close().then(() => done(), done);
    },
  });
  return sink;
}
