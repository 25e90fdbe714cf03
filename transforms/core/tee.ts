// tee(): one stream to several destinations, with backpressure from the slowest: a chunk is
// acknowledged only when every destination has taken it.
import { Writable, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** A Writable that copies every chunk to each destination and waits for the slowest. */
export function tee(...destinations: Writable[]): Writable {
  const waitDrain = (d: Writable): Promise<void> => new Promise((resolve, reject) => {
    const cleanup = (): void => { d.off('drain', ok); d.off('error', fail); };
    const ok = (): void => { cleanup(); resolve(); };
    const fail = (err: Error): void => { cleanup(); reject(err); };
    d.once('drain', ok);
    d.once('error', fail);
  });
  return new Writable({
    objectMode: true,
    highWaterMark: 64,
    write(chunk: unknown, _enc, done): void {
      const waits = destinations.filter((d) => !d.write(chunk)).map(waitDrain);
      if (waits.length === 0) done();
      else Promise.all(waits).then(() => done(), done);
    },
    final(done): void {
      for (const d of destinations) d.end();
      Promise.all(destinations.map((d) => finished(d))).then(() => done(), done);
    },
    destroy(err, done): void {
      for (const d of destinations) d.destroy(err ?? undefined);
      done(err);
    },
  });
}

export type { Readable };
